"""Ids: Tallyfy's shape, made in time order so that inserts land together in each index."""

import re
import time

from procession.db.base import new_id
from tests.conftest import Api
from tests.factories import launch, make_template, tasks_of


def test_ids_are_32_hex_characters_in_the_order_they_were_made() -> None:
    made = []
    for _ in range(5):
        made.append(new_id())
        time.sleep(0.002)
    assert all(re.fullmatch(r"[0-9a-f]{32}", id_) for id_ in made)
    assert made == sorted(made)
    assert len(set(made)) == len(made)


def test_a_launch_numbers_its_tasks_in_time_order(api: Api) -> None:
    """The rows one request inserts share their ids' leading time, so they sit together at
    the end of the id index rather than on a scattered page each."""
    template = make_template(api, steps=5)
    run = launch(api, template["id"])
    ids = [run["id"], *(task["id"] for task in tasks_of(api, run["id"]))]
    made_at_ms = [int(id_[:12], 16) for id_ in ids]  # a UUIDv7 begins with its Unix time in ms
    assert max(made_at_ms) - min(made_at_ms) < 5_000
    assert abs(min(made_at_ms) - time.time() * 1000) < 60_000
