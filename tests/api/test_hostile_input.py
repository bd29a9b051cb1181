"""Bad input gets a clear 4xx in Tallyfy's error shape, never a 500, and stores nothing."""

import pytest

from tests.conftest import World
from tests.databases import snapshot

JSON = "application/json"


def post_raw(world: World, body: bytes, content_type: str = "application/json"):  # type: ignore[no-untyped-def]
    return world.client.post(
        world.admin.url("/checklists"),
        content=body,
        headers={**world.admin.headers, "content-type": content_type},
    )


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b"[" * 600_000 + b"]" * 600_000, JSON, 413, "PAYLOAD_TOO_LARGE"),
        (
            b'{"title":' + b"[" * 50_000 + b"]" * 50_000 + b"}",
            "application/json",
            400,
            "BAD_REQUEST",
        ),
        (b'{"title": "\xff\xfe broken"}', "application/json", 400, "BAD_REQUEST"),
        (b'{"title": "unfinished', "application/json", 400, "BAD_REQUEST"),
        (b'{"title": "a\\u0000b"}', "application/json", 422, "VALIDATION_ERROR"),
        (b'{"title": "x"}', "text/plain", 422, "VALIDATION_ERROR"),
        (b"title=x", "application/x-www-form-urlencoded", 422, "VALIDATION_ERROR"),
        (b'{"title": "' + b"a" * 2_000_000 + b'"}', "application/json", 413, "PAYLOAD_TOO_LARGE"),
    ],
    ids=["deep-and-huge", "deep", "bad-utf8", "truncated", "nul", "text-plain", "form", "huge"],
)
def test_bodies_the_api_cannot_use(
    world: World, body: bytes, content_type: str, status: int, code: str
) -> None:
    before = snapshot(world.settings, skip=())
    response = post_raw(world, body, content_type)
    assert response.status_code == status, response.text[:300]
    assert response.json()["error"] is True
    assert response.json()["code"] == code
    assert snapshot(world.settings, skip=()) == before


def test_an_escaped_backslash_before_u0000_is_just_text(world: World) -> None:
    response = post_raw(world, b'{"title": "C:\\\\u0000 folder"}')
    assert response.status_code == 201, response.text
    assert response.json()["data"]["title"] == "C:\\u0000 folder"


def test_the_body_limit_is_a_setting(world: World) -> None:
    from fastapi.testclient import TestClient

    from procession.main import create_app

    small = world.settings.model_copy(update={"max_body_bytes": 100})
    with TestClient(create_app(small)) as client:
        api_url, headers = world.admin.url("/checklists"), world.admin.headers
        ok = client.post(api_url, json={"title": "short"}, headers=headers)
        big = client.post(api_url, json={"title": "x", "summary": "y" * 200}, headers=headers)
    assert ok.status_code == 201
    assert big.status_code == 413


@pytest.mark.parametrize(
    "text",
    ["'; DROP TABLE processes; --", "<script>alert('x')</script>", 'Robert"); --', "🙂 ünïcödé"],
)
def test_sql_and_script_looking_text_is_stored_verbatim(world: World, text: str) -> None:
    created = world.admin.post("/checklists", {"title": text, "summary": text})
    assert created.status_code == 201
    read = world.admin.get(f"/checklists/{created.json()['data']['id']}").json()["data"]
    assert (read["title"], read["summary"]) == (text, text)
    assert (
        world.admin.get("/checklists", params={"q": text}).json()["meta"]["pagination"]["total"]
        == 1
    )


@pytest.mark.parametrize(
    "path",
    [
        "/runs/%00",
        "/runs/" + "9" * 5000,
        "/runs/..%2F..%2Fetc%2Fpasswd",
        "/checklists/' OR 1=1 --",
        "/users/-1",
        "/users/99999999999999999999999",
        "/tags/%F0%9F%99%82",
    ],
)
def test_ids_of_the_wrong_shape_are_not_found(world: World, path: str) -> None:
    response = world.admin.get(path)
    assert response.status_code in (404, 422), response.text
    assert response.json()["error"] is True


def test_huge_page_sizes_are_capped(world: World) -> None:
    for params in ({"per_page": 10**30}, {"per_page": -5}, {"page": 10**30}, {"page": "x"}):
        response = world.admin.get("/runs", params=params)
        assert response.status_code in (200, 422), response.text
    capped = world.admin.get("/runs", params={"per_page": 10**6}).json()
    assert capped["meta"]["pagination"]["per_page"] == 100


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/runs", {"checklist_id": "x", "owner_id": 10**20}),
        ("/checklists", {"title": "t", "owner_id": 2**40}),
        ("/tags", {"title": "t" * 10, "color": "#000000", "id": 10**30}),
    ],
)
def test_numbers_too_large_for_the_database_are_refused(
    world: World, path: str, body: dict[str, object]
) -> None:
    before = snapshot(world.settings, skip=())
    response = world.admin.post(path, body)
    assert response.status_code in (201, 422), response.text
    if response.status_code == 422:
        assert snapshot(world.settings, skip=()) == before


def test_a_locked_sqlite_database_is_503_with_retry_after(world: World) -> None:
    """Another process holds SQLite's write lock past the busy timeout: the write is refused
    with 503 and Retry-After (not 500), and nothing of it is stored."""
    if not world.settings.is_sqlite:
        pytest.skip("SQLite's file lock; PostgreSQL locks rows and waits")
    import sqlite3

    path = world.settings.database_url.removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        refused = world.admin.post("/tags", {"title": "waits"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "1"
    assert refused.json()["code"] == "SERVICE_UNAVAILABLE"
    assert world.admin.get("/tags").json()["data"] == []
    assert world.admin.post("/tags", {"title": "waits"}).status_code == 201


def test_a_non_ascii_tag_title_taken_twice_is_422_not_a_conflict(world: World) -> None:
    """Found by the fuzzer: SQLite lowers only ASCII, so the duplicate check must let the
    database lower both sides."""
    assert world.admin.post("/tags", {"title": "Ó£"}).status_code == 201
    again = world.admin.post("/tags", {"title": "Ó£"})
    assert again.status_code == 422
    assert again.json()["errors"]["title"]
