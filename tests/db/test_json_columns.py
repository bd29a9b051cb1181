"""JSON columns keep every value they are given (orjson where it agrees with `json`)."""

from typing import Any

from sqlalchemy import Column, Integer, MetaData, Table, select, text

from procession.config import Settings
from procession.db.session import Database
from procession.db.types import JsonType
from tests.conftest import run_async

notes = Table(
    "json_notes", MetaData(), Column("id", Integer, primary_key=True), Column("doc", JsonType)
)

STORED: list[Any] = [
    {"big": 2**70, "negative": -(2**64), "exact": 2**63 - 1},  # beyond 64 bits: json writes it
    {1: "an int key", "text": "Grüße, 東京 \u2028", "nested": [1.5, None, True, {"a": []}]},
    [12345678901234567890123, "12345678901234567890123"],  # a long number read back exactly
    "plain",
    0.1,
    5000,  # SQLite's column affinity stores a number, and hands back an int
]


async def round_trip(settings: Settings) -> tuple[list[Any], Any]:
    database = Database(settings)
    try:
        async with database.transaction() as session:
            await (await session.connection()).run_sync(notes.create)
            await session.execute(
                notes.insert(), [{"id": i, "doc": doc} for i, doc in enumerate(STORED)]
            )
            if (
                settings.is_sqlite
            ):  # `json` wrote NaN into rows before orjson; PostgreSQL refuses it
                await session.execute(text("INSERT INTO json_notes VALUES (99, '[NaN, 1]')"))
        async with database.transaction(writes=False) as session:
            found = list((await session.scalars(select(notes.c.doc).order_by(notes.c.id))).all())
        return found[: len(STORED)], found[len(STORED) :]
    finally:
        await database.dispose()


def test_values_come_back_as_stored(settings: Settings) -> None:
    found, old_rows = run_async(round_trip(settings))
    assert found[0] == STORED[0]
    assert isinstance(found[0]["big"], int)
    assert found[1] == {"1": "an int key", **{k: v for k, v in STORED[1].items() if k != 1}}
    assert found[2] == STORED[2]
    assert isinstance(found[2][0], int)
    assert found[3:] == STORED[3:]
    if settings.is_sqlite:
        assert len(old_rows) == 1
        nan, one = old_rows[0]
        assert nan != nan
        assert one == 1
