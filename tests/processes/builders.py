"""Builders and assertions shared by the router tests of runs, tasks, comments and tags."""

from typing import Any

import httpx2 as httpx

from tests.conftest import Api, World
from tests.databases import row_counts
from tests.factories import add_capture, make_template, ok, steps_of

MISSING_ID = "f" * 32
"""A well-formed id that no object has."""


def bad_token(world: World) -> Api:
    """This organization's URLs, with a bearer token nobody was issued."""
    return Api(world.client, world.org.id, "pcs_not-a-token-anyone-was-given")


def error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """Tallyfy's error body (`error`, `message`, `code`), after asserting the status."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["error"] is True
    assert isinstance(body["message"], str)
    assert body["message"]
    assert isinstance(body["code"], str)
    if code is not None:
        assert body["code"] == code, body
    return body


def unauthenticated(response: httpx.Response) -> None:
    error(response, 401, "UNAUTHENTICATED")


def not_found(response: httpx.Response) -> None:
    error(response, 404, "RESOURCE_NOT_FOUND")


def forbidden(response: httpx.Response) -> None:
    error(response, 403, "FORBIDDEN")


def invalid(
    response: httpx.Response, *fields: str, code: str | None = None
) -> dict[str, list[str]]:
    """A 422 in Tallyfy's shape (with its `errors` map); every field in `fields` has at least
    one message."""
    body = error(response, 422, code)
    errors: dict[str, list[str]] = body["errors"]
    assert isinstance(errors, dict)
    assert errors, body
    for messages in errors.values():
        assert messages
        assert all(isinstance(message, str) and message for message in messages)
    for field in fields:
        assert field in errors, errors
    return errors


def counts(world: World, *tables: str) -> dict[str, int]:
    return row_counts(world.settings, tables)


def make_tag(api: Api, title: str = "urgent", color: str | None = "#ff0000") -> dict[str, Any]:
    return ok(api.post("/tags", {"title": title, "color": color}), 201)["data"]


def tag_with(api: Api, tag_id: str, subject_type: str, subject_id: str) -> dict[str, Any]:
    """Attach a tag through `POST /checklists/tags`; the tag association."""
    body = {"tag_id": tag_id, "subject_type": subject_type, "subject_id": subject_id}
    return ok(api.post("/checklists/tags", body))["data"]


def kickoff_template(api: Api, *fields: dict[str, Any], steps: int = 1) -> dict[str, Any]:
    """A template with kick-off (prerun) fields; the template read back with them."""
    template = make_template(api, title="With kick-off", steps=steps, prerun=list(fields))
    return ok(api.get(f"/checklists/{template['id']}"))["data"]


def form_template(api: Api, *captures: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    """A one-step template whose step carries `captures`; the template and the captures."""
    template = make_template(api, title="With a form", steps=1)
    step = steps_of(api, template["id"])[0]
    made = [add_capture(api, template["id"], step["id"], **capture) for capture in captures]
    return template, made
