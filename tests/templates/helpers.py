"""Shared by the template test modules: wire-format checks, the template route table and a
builder for a template with one step and one form field."""

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import Api
from tests.factories import ok

HEX32 = re.compile(r"^[0-9a-f]{32}$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
MISSING = "0123456789abcdef0123456789abcdef"

TEMPLATE_FLAGS = (
    "starred",
    "is_public",
    "is_featured",
    "is_public_kickoff",
    "dual_version_enabled",
    "is_published_state",
    "auto_naming",
    "folderize_process",
    "tag_process",
    "allow_launcher_change_name",
    "is_pinned",
    "folder_changeable_by_launcher",
    "can_add_oot",
)
STEP_FLAGS = (
    "allow_guest_owners",
    "skip_start_process",
    "can_complete_only_assignees",
    "everyone_must_complete",
    "prevent_guest_comment",
    "is_soft_start_date",
    "role_changes_every_time",
    "assign_run_starter",
    "top_secret",
    "send_chromeless",
)
CAPTURE_FLAGS = ("required", "default_value_enabled", "collect_time", "use_wysiwyg_editor")


def assert_timestamps(body: dict[str, Any], *keys: str) -> None:
    for key in keys:
        assert TIMESTAMP.match(body[key]), (key, body[key])


def assert_flags(body: dict[str, Any], flags: tuple[str, ...]) -> None:
    """Every flag is emitted as a real boolean (the SDK takes an absent one for `true`)."""
    for flag in flags:
        assert isinstance(body.get(flag), bool), (flag, body.get(flag))


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """Tallyfy's error shape (reference 1.9): JSON with `error: true` and a message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["error"] is True
    assert isinstance(body["message"], str)
    assert body["message"]
    if code is not None:
        assert body["code"] == code, body
    return body


def assert_field_error(response: Any, field: str) -> dict[str, Any]:
    """A 422 naming `field` in `errors`, each problem a non-empty string."""
    body = assert_error(response, 422)
    assert isinstance(body["code"], str)
    assert field in body["errors"], body
    problems = body["errors"][field]
    assert problems
    assert all(isinstance(p, str) and p for p in problems), problems
    return body


# ---------------------------------------------------------------- the tree under test


@dataclass(frozen=True)
class Tree:
    """A template with one step carrying one form field: the ids every route needs."""

    template: str
    step: str
    capture: str

    def ids(self) -> dict[str, str]:
        return {"template": self.template, "step": self.step, "capture": self.capture}


def build_tree(api: Api, title: str = "Onboarding") -> Tree:
    template = ok(api.post("/checklists", {"title": title}), 201)["data"]
    steps = f"/checklists/{template['id']}/steps"
    step = ok(api.post(steps, {"title": "Step 1"}), 201)["data"]
    capture = ok(
        api.post(f"{steps}/{step['id']}/captures", {"field_type": "text", "label": "Answer"}), 201
    )["data"]
    return Tree(template["id"], step["id"], capture["id"])


# ---------------------------------------------------------------- the route table


@dataclass(frozen=True)
class Endpoint:
    """One template route with a valid body, so that validation never answers first."""

    method: str
    path: str
    body: dict[str, Any] | None = None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def writes(self) -> bool:
        return self.method != "GET"

    @property
    def placeholders(self) -> list[str]:
        return re.findall(r"\{(\w+)\}", self.path)

    def call(self, api: Api, ids: dict[str, str], **kwargs: Any) -> Any:
        return api.request(self.method, self.path.format(**ids), json=self.body, **kwargs)


TEMPLATE = "/checklists/{template}"
STEP = TEMPLATE + "/steps/{step}"
CAPTURE = STEP + "/captures/{capture}"

ENDPOINTS = [
    Endpoint("GET", "/checklists"),
    Endpoint("POST", "/checklists", {"title": "New"}),
    Endpoint("GET", TEMPLATE),
    Endpoint("PUT", TEMPLATE, {"title": "Renamed"}),
    Endpoint("DELETE", TEMPLATE),
    Endpoint("PUT", TEMPLATE + "/restore"),
    Endpoint("DELETE", TEMPLATE + "/delete"),
    Endpoint("GET", TEMPLATE + "/steps"),
    Endpoint("POST", TEMPLATE + "/steps", {"title": "More"}),
    Endpoint("GET", STEP),
    Endpoint("PUT", STEP, {"title": "Renamed"}),
    Endpoint("PUT", STEP + "/reorder", {"position": 1}),
    Endpoint("DELETE", STEP),
    Endpoint("POST", STEP + "/captures", {"field_type": "text", "label": "More"}),
    Endpoint("PUT", CAPTURE, {"label": "Renamed"}),
    Endpoint("DELETE", CAPTURE),
]
ADDRESSED = [e for e in ENDPOINTS if e.placeholders]
WRITES = [e for e in ENDPOINTS if e.writes]
READS = [e for e in ENDPOINTS if not e.writes]
PURGE = Endpoint("DELETE", TEMPLATE + "/delete")
LIFECYCLE = [Endpoint("DELETE", TEMPLATE), Endpoint("PUT", TEMPLATE + "/restore"), PURGE]
# Writes that change a template's content: refused with 422 while it is archived.
EDITS = [e for e in WRITES if e.placeholders and e not in LIFECYCLE]


def named(rows: list[tuple[dict[str, Any], str]]) -> list[Any]:
    """`(body, field)` validation cases, each test id naming the field and the body."""
    return [
        pytest.param(body, field, id=f"{field}={json.dumps(body)[:40]}") for body, field in rows
    ]
