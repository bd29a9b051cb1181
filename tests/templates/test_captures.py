"""Step form fields (captures) over HTTP (reference 3.4, 4.6): add, update, delete.
Authentication, tenancy and role errors of these routes are in test_router."""

from typing import Any, get_args

import pytest

from procession.templates.schemas import FieldType
from tests.conftest import Api, World
from tests.databases import snapshot
from tests.factories import ok
from tests.templates.helpers import (
    CAPTURE_FLAGS,
    HEX32,
    MISSING,
    Tree,
    assert_error,
    assert_field_error,
    assert_flags,
    assert_timestamps,
    build_tree,
    named,
)

FIELD_TYPES = list(get_args(FieldType))
CHOICE_TYPES = ["dropdown", "multiselect", "radio"]


@pytest.fixture
def tree(api: Api) -> Tree:
    return build_tree(api)


def captures_path(tree: Tree) -> str:
    return f"/checklists/{tree.template}/steps/{tree.step}/captures"


def capture_path(tree: Tree, capture_id: str | None = None) -> str:
    return f"{captures_path(tree)}/{capture_id or tree.capture}"


def captures_of(api: Api, tree: Tree) -> list[dict[str, Any]]:
    step = ok(api.get(f"/checklists/{tree.template}/steps/{tree.step}"))["data"]
    captures: list[dict[str, Any]] = step["captures"]
    return captures


def add(api: Api, tree: Tree, **fields: Any) -> dict[str, Any]:
    body = {"field_type": "text", "label": "Question", **fields}
    capture: dict[str, Any] = ok(api.post(captures_path(tree), body), 201)["data"]
    return capture


# ---------------------------------------------------------------- add


def test_schema_allows_every_documented_field_type() -> None:
    documented = "text textarea dropdown multiselect radio date file table email url number"
    assert set(documented.split()) | {"assignees"} <= set(FIELD_TYPES)


@pytest.mark.parametrize("field_type", FIELD_TYPES)
def test_add_capture_of_every_field_type_answers_201(api: Api, tree: Tree, field_type: str) -> None:
    capture = add(api, tree, field_type=field_type, label=f"A {field_type}")
    assert HEX32.match(capture["id"])
    assert (capture["field_type"], capture["label"], capture["step_id"]) == (
        field_type,
        f"A {field_type}",
        tree.step,
    )
    assert (capture["position"], capture["guidance"]) == (2, None)
    assert (capture["options"], capture["columns"]) == ([], [])
    assert (capture["default_value"], capture["archived_at"]) == (None, None)
    assert (capture["field_validation"], capture["settings"]) == ([], {})
    assert_flags(capture, CAPTURE_FLAGS)
    assert capture["required"] is True
    assert_timestamps(capture, "created_at", "last_updated")
    assert captures_of(api, tree)[-1] == capture


@pytest.mark.parametrize("field_type", CHOICE_TYPES)
def test_add_capture_gives_options_integer_ids(api: Api, tree: Tree, field_type: str) -> None:
    options = [{"text": "Small"}, {"text": "Large", "value": "L", "selected": True}]
    capture = add(api, tree, field_type=field_type, options=options)
    assert capture["options"] == [
        {"id": 1, "text": "Small"},
        {"id": 2, "text": "Large", "value": "L", "selected": True},
    ]


def test_add_capture_keeps_sent_option_ids_and_numbers_the_rest_uniquely(
    api: Api, tree: Tree
) -> None:
    options = [{"id": 2, "text": "b"}, {"text": "a"}, {"text": "c"}, {"id": 7, "text": "g"}]
    capture = add(api, tree, field_type="dropdown", options=options)
    assert [(o["id"], o["text"]) for o in capture["options"]] == [
        (2, "b"),
        (1, "a"),
        (3, "c"),
        (7, "g"),
    ]


def test_add_capture_gives_table_columns_unique_integer_ids(api: Api, tree: Tree) -> None:
    plain = add(api, tree, field_type="table", columns=[{"label": "Item"}, {"label": "Qty"}])
    assert plain["columns"] == [{"id": 1, "label": "Item"}, {"id": 2, "label": "Qty"}]
    columns = [{"id": 2, "label": "Qty"}, {"label": "Note"}]
    mixed = add(api, tree, field_type="table", columns=columns)
    ids = [c["id"] for c in mixed["columns"]]
    assert ids[0] == 2
    assert all(isinstance(i, int) for i in ids)
    assert len(set(ids)) == 2


def test_add_capture_stores_every_setting_it_is_sent(api: Api, tree: Tree) -> None:
    sent = {
        "field_type": "textarea",
        "label": "Notes",
        "guidance": "Be brief",
        "required": False,
        "alias": "notes",
        "default_value": "n/a",
        "default_value_enabled": True,
        "collect_time": True,
        "use_wysiwyg_editor": True,
        "field_validation": ["max:200"],
        "prefix": "<",
        "suffix": ">",
        "settings": {"rows": 4},
    }
    capture = add(api, tree, **sent)
    assert {key: capture[key] for key in sent} == sent


def test_add_capture_appends_or_takes_the_position_sent(api: Api, tree: Tree) -> None:
    second = add(api, tree, label="Second")
    first = add(api, tree, label="First", position=1)
    assert (second["position"], first["position"]) == (2, 1)
    labels = [c["label"] for c in captures_of(api, tree)]
    assert labels.index("First") < labels.index("Second")


def test_add_capture_ignores_unknown_and_read_only_keys(api: Api, tree: Tree) -> None:
    other = build_tree(api, title="Other")
    sent = {"id": MISSING, "step_id": other.step, "created_at": "x", "list": [], "bogus": 1}
    capture = add(api, tree, **sent)
    assert capture["id"] != MISSING
    assert capture["step_id"] == tree.step
    assert "bogus" not in capture


@pytest.mark.parametrize(
    ("body", "field"),
    named(
        [
            ({"label": "x"}, "field_type"),
            ({"field_type": "text"}, "label"),
            ({"field_type": "hologram", "label": "x"}, "field_type"),
            ({"field_type": None, "label": "x"}, "field_type"),
            ({"field_type": "text", "label": None}, "label"),
            ({"field_type": "text", "label": ""}, "label"),
            ({"field_type": "text", "label": "x" * 601}, "label"),
            ({"field_type": "text", "label": 3}, "label"),
            ({"field_type": "text", "label": "x", "required": "maybe"}, "required"),
            ({"field_type": "text", "label": "x", "position": 0}, "position"),
            ({"field_type": "dropdown", "label": "x", "options": ["a"]}, "options.0"),
            (
                {"field_type": "dropdown", "label": "x", "options": [{"id": "one", "text": "a"}]},
                "options.0.id",
            ),
            ({"field_type": "dropdown", "label": "x", "options": [{"value": 1}]}, "options.0.text"),
            ({"field_type": "table", "label": "x", "columns": [{}]}, "columns.0.label"),
            ({"field_type": "text", "label": "x", "field_validation": "max:3"}, "field_validation"),
        ]
    ),
)
def test_add_capture_answers_422_naming_the_bad_field(
    world: World, api: Api, tree: Tree, body: dict[str, Any], field: str
) -> None:
    before = snapshot(world.settings)
    assert_field_error(api.post(captures_path(tree), body), field)
    assert snapshot(world.settings) == before


# ---------------------------------------------------------------- update


def test_update_capture_changes_only_what_is_sent(api: Api, tree: Tree) -> None:
    before = add(api, tree, label="Size", guidance="Pick one", required=False, alias="size")
    after = ok(api.put(capture_path(tree, before["id"]), {"label": "Shirt size"}))["data"]
    assert after["label"] == "Shirt size"
    ignored = ("label", "last_updated")
    assert {k: v for k, v in after.items() if k not in ignored} == {
        k: v for k, v in before.items() if k not in ignored
    }
    assert_timestamps(after, "last_updated")
    assert captures_of(api, tree)[-1] == after


def test_update_capture_clears_guidance_with_null(api: Api, tree: Tree) -> None:
    capture = add(api, tree, guidance="Help")
    body = ok(api.put(capture_path(tree, capture["id"]), {"guidance": None}))["data"]
    assert (body["guidance"], body["label"]) == (None, "Question")


def test_update_capture_ignores_unknown_and_read_only_keys(api: Api, tree: Tree) -> None:
    other = build_tree(api, title="Other")
    sent = {
        "id": MISSING,
        "step_id": other.step,
        "checklist_id": other.template,
        "created_at": "2000-01-01T00:00:00.000Z",
        "last_updated": "nonsense",
        "archived_at": "2000-01-01T00:00:00.000Z",
        "replaced_default_value": "x",
        "bogus": {"nested": True},
        "required": False,
    }
    read = captures_of(api, tree)[0]
    body = ok(api.put(capture_path(tree), sent))["data"]
    assert (body["id"], body["step_id"], body["required"]) == (tree.capture, tree.step, False)
    assert (body["created_at"], body["archived_at"]) == (read["created_at"], None)
    assert "bogus" not in body
    assert captures_of(api, other)[0]["id"] == other.capture


def test_update_capture_accepts_a_whole_echoed_read(api: Api, tree: Tree) -> None:
    """What the SDK's `update_dropdown_options` sends: the capture it read, options edited."""
    capture = add(api, tree, field_type="dropdown", options=[{"text": "a"}, {"text": "b"}])
    echoed = {k: v for k, v in capture.items() if k != "id"}
    echoed["options"] = [capture["options"][1], {"text": "c"}]
    body = ok(api.put(capture_path(tree, capture["id"]), echoed))["data"]
    assert [o["text"] for o in body["options"]] == ["b", "c"]
    ids = [o["id"] for o in body["options"]]
    assert ids[0] == 2
    assert all(isinstance(i, int) for i in ids)
    assert len(set(ids)) == 2
    assert body["id"] == capture["id"]


def test_update_capture_renumbers_table_columns_uniquely(api: Api, tree: Tree) -> None:
    columns = [{"label": "Item"}, {"label": "Qty"}]
    capture = add(api, tree, field_type="table", columns=columns)
    kept = [capture["columns"][1], {"label": "Note"}]
    body = ok(api.put(capture_path(tree, capture["id"]), {"columns": kept}))["data"]
    assert [c["label"] for c in body["columns"]] == ["Qty", "Note"]
    ids = [c["id"] for c in body["columns"]]
    assert ids[0] == 2
    assert len(set(ids)) == 2


def test_update_capture_changes_its_type(api: Api, tree: Tree) -> None:
    body = ok(api.put(capture_path(tree), {"field_type": "textarea", "position": 3}))["data"]
    assert (body["field_type"], body["position"]) == ("textarea", 3)


@pytest.mark.parametrize(
    ("body", "field"),
    named(
        [
            ({"field_type": "hologram"}, "field_type"),
            ({"field_type": None}, "field_type"),
            ({"label": None}, "label"),
            ({"label": ""}, "label"),
            ({"label": "x" * 601}, "label"),
            ({"required": None}, "required"),
            ({"options": None}, "options"),
            ({"options": ["a"]}, "options.0"),
            ({"columns": None}, "columns"),
            ({"position": 0}, "position"),
        ]
    ),
)
def test_update_capture_answers_422_naming_the_bad_field(
    world: World, api: Api, tree: Tree, body: dict[str, Any], field: str
) -> None:
    before = snapshot(world.settings)
    assert_field_error(api.put(capture_path(tree), body), field)
    assert snapshot(world.settings) == before


# ---------------------------------------------------------------- delete and read


def test_delete_capture_answers_204_with_no_body(api: Api, tree: Tree) -> None:
    kept = add(api, tree, label="Kept")
    response = api.delete(capture_path(tree))
    assert response.status_code == 204
    assert response.content == b""
    assert [c["id"] for c in captures_of(api, tree)] == [kept["id"]]
    assert_error(api.delete(capture_path(tree)), 404, "RESOURCE_NOT_FOUND")
    assert_error(api.put(capture_path(tree), {"label": "x"}), 404, "RESOURCE_NOT_FOUND")


def test_capture_cannot_be_read_on_its_own(api: Api, tree: Tree) -> None:
    assert_error(api.get(capture_path(tree)), 405, "METHOD_NOT_ALLOWED")
