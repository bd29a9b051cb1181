"""The start-up heap is frozen once per process (procession/ops/heap.py), so full garbage
collections under load walk only what requests leave behind."""

import os
import subprocess
import sys

from procession.config import Settings

STARTS_TWO_APPS = """
import gc
from fastapi.testclient import TestClient
from procession.config import Settings
from procession.main import create_app

before = gc.get_freeze_count()
with TestClient(create_app(Settings(background_jobs=False))):
    first = gc.get_freeze_count()
with TestClient(create_app(Settings(background_jobs=False))):
    second = gc.get_freeze_count()
print(before, first, second)
"""


def test_the_first_start_freezes_the_heap_and_later_ones_leave_it(settings: Settings) -> None:
    env = {**os.environ, "DATABASE_URL": settings.database_url}
    out = subprocess.run(
        [sys.executable, "-c", STARTS_TWO_APPS], env=env, capture_output=True, text=True, check=True
    ).stdout
    before, first, second = map(int, out.split())
    assert before == 0
    assert first > 50_000  # FastAPI, pydantic and SQLAlchemy's start-up objects
    assert second <= first  # the second app is not pinned in memory (frozen objects can die)
