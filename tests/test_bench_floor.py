"""The benchmark's floor and ceiling (bench/floor.py) do the same work for an operation:
they replay its recorded statements on a real SQLite file and answer the same rows, so the
ceiling's ratio to the floor is the framework's cost alone."""

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bench import floor

STATEMENTS = [
    ["BEGIN IMMEDIATE", []],
    ["INSERT INTO notes (id, body) VALUES (?, ?)", ["0" * 32, "new"]],
    ["SELECT id, body FROM notes WHERE body = ?", ["new"]],
]


@pytest.fixture
def recording(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    database = tmp_path / "bench.db"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT)")
    script = {
        "add a note": {
            "statements": STATEMENTS,
            "generated": floor.generated_ids([(s, p) for s, p in STATEMENTS]),
            "status": 201,
        }
    }
    (tmp_path / "script.json").write_text(json.dumps(script))
    monkeypatch.setenv("BENCH_DB", str(database))
    monkeypatch.setenv("BENCH_SCRIPT", str(tmp_path / "script.json"))
    return database


@pytest.mark.parametrize("build", [floor.build, floor.build_ceiling])
def test_replays_the_recording_with_fresh_ids(
    recording: Path, build: Callable[[], Starlette]
) -> None:
    with TestClient(build()) as client:
        answers = [
            client.post("/runs/x/comment", headers={"X-Bench-Op": "add a note"}, json={})
            for _ in range(2)
        ]
        unknown = client.get("/runs", headers={"X-Bench-Op": "nothing recorded"})

    assert [a.status_code for a in answers] == [201, 201]
    first, second = (a.json()["data"] for a in answers)
    # Each replay inserted a row of its own (the recorded id swapped for a fresh one), and
    # the SELECT reads every row inserted so far.
    assert len(first) == 1
    assert len(second) == 2
    assert first[0][0] != "0" * 32
    assert first[0] in second
    with sqlite3.connect(recording) as db:
        assert db.execute("SELECT count(*) FROM notes").fetchone() == (2,)
    assert unknown.status_code == 404
