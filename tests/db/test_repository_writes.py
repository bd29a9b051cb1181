"""`Repository.insert` and `Repository.write`: writes that skip the unit of work's flush must
leave the database and the session's objects exactly as a flush would."""

import re
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import inspect, select

from procession.auth.models import User
from procession.comments.models import Comment
from procession.comments.repository import CommentRepository
from procession.db.repository import fill_defaults
from procession.db.session import unit_of_work
from procession.processes.repository import ProcessRepository
from tests.conftest import Api, World, run_async
from tests.factories import make_run

COMMENTS = Comment.__table__
COLUMN_ATTRIBUTES = {attribute.key for attribute in inspect(Comment).column_attrs}


async def insert_comment(
    world: World, task_id: str, *, edit_to: str | None = None
) -> dict[str, Any]:
    """Insert a comment (and edit it in the same transaction when asked); return what the
    object and its session held right after the insert, and the task's comment rows once
    committed."""
    async with unit_of_work(world.settings) as session:
        comment = await CommentRepository(session, world.org.id).insert(
            Comment(org_id=world.org.id, task_id=task_id, content="Documents requested")
        )
        state = inspect(comment)
        held = {
            "persistent": state.persistent,
            "pending_changes": bool(session.new or session.dirty),
            # Read before the values below would load them from the row.
            "unloaded_columns": state.unloaded & COLUMN_ATTRIBUTES,
            "values": {c.key: getattr(comment, c.key) for c in COMMENTS.columns},
        }
        if edit_to is not None:
            comment.content = edit_to
            await session.flush()
    async with unit_of_work(world.settings) as session:
        rows = await session.execute(select(COMMENTS).where(COMMENTS.c.task_id == task_id))
        held["rows"] = [dict(row._mapping) for row in rows]
    return held


def test_an_inserted_row_is_stored_with_its_defaults_and_held_as_if_loaded(
    world: World, api: Api
) -> None:
    _, tasks = make_run(api, steps=1)
    held = run_async(insert_comment(world, tasks[0]["id"]))
    assert held["persistent"]
    assert not held["pending_changes"]
    assert held["unloaded_columns"] == set()  # every default was written into the object
    values = held["values"]
    assert re.fullmatch(r"[0-9a-f]{32}", values["id"])
    assert isinstance(values["created_at"], datetime)
    assert values["created_at"] == values["updated_at"]
    assert (values["label"], values["state"], values["sent_to"]) == ("comment", "open", [])
    assert (values["archived_at"], values["resolve_id"], values["author_id"]) == (None,) * 3
    assert held["rows"] == [values]
    thread = api.get(f"/tasks/{tasks[0]['id']}", params={"with": "threads"}).json()["data"]
    assert [t["content"] for t in thread["threads"]["data"]] == ["Documents requested"]


def test_a_change_to_an_inserted_row_is_an_update_of_it(world: World, api: Api) -> None:
    _, tasks = make_run(api, steps=1)
    held = run_async(insert_comment(world, tasks[0]["id"], edit_to="Documents received"))
    assert [(row["id"], row["content"]) for row in held["rows"]] == [
        (held["values"]["id"], "Documents received")
    ]


def test_a_value_only_the_database_knows_is_refused() -> None:
    with pytest.raises(TypeError, match="assigned by the database"):
        fill_defaults(User(email="ada@example.com", first_name="Ada"))


async def write_process(world: World, run_id: str) -> dict[str, Any]:
    """Write a process's name and status with `write`, then change its summary through the
    unit of work; return what the object held after the write, and the stored row."""
    async with unit_of_work(world.settings) as session:
        repo = ProcessRepository(session, world.org.id)
        process = await repo.get_or_raise(run_id)
        before = process.updated_at
        await repo.write(process, name="Vendor review (renamed)", status="problem")
        held = {
            "dirty": process in session.dirty,
            "moved": process.updated_at > before,
            "values": (process.name, process.status, process.updated_at),
        }
        process.summary = "Changed through the unit of work"
    async with unit_of_work(world.settings) as session:
        stored = await ProcessRepository(session, world.org.id).get_or_raise(run_id)
        held["stored"] = (stored.name, stored.status, stored.summary)
    return held


def test_write_sets_the_row_and_the_object_alike_and_a_later_flush_keeps_it(
    world: World, api: Api
) -> None:
    run, _ = make_run(api, steps=1)
    held = run_async(write_process(world, run["id"]))
    assert not held["dirty"]
    assert held["moved"]
    assert held["values"][:2] == ("Vendor review (renamed)", "problem")
    assert held["stored"] == (
        "Vendor review (renamed)",
        "problem",
        "Changed through the unit of work",
    )
