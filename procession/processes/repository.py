"""Process statements."""

from procession.db.repository import Repository
from procession.processes.models import Process


class ProcessRepository(Repository[Process]):
    model = Process
    resource = "Process"
