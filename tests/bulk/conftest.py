"""The bulk tests decide when a job runs: the apps they call run no background jobs."""

from collections.abc import Iterator

import pytest

from procession.config import Settings
from tests.databases import DatabaseFactory


def without_background_jobs(databases: DatabaseFactory) -> Iterator[Settings]:
    """The usual fresh database, for apps that leave queued bulk jobs alone."""
    fresh = databases.fresh().model_copy(update={"background_jobs": False})
    yield fresh
    databases.drop(fresh)


@pytest.fixture
def settings(databases: DatabaseFactory) -> Iterator[Settings]:
    yield from without_background_jobs(databases)
