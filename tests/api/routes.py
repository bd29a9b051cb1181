"""The app's own route table (from its OpenAPI document), with a valid body for every route
that takes one, for tests that must cover every endpoint without anyone remembering."""

import re
from typing import Any

from procession.main import create_app
from tests.conftest import Api

PATHS = create_app().openapi()["paths"]
ROUTES = [
    (method.upper(), path.removeprefix("/api"))
    for path, operations in PATHS.items()
    for method in operations
]
ORG_ROUTES = [r for r in ROUTES if r[1].startswith("/organizations/{org}")]
ID_ROUTES = [r for r in ORG_ROUTES if re.search(r"\{(?!org\})", r[1])]

# A valid body for every route that takes one, so validation never answers before the
# ownership check does. `{name}` placeholders are this organization's ids.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/tags"): {"title": "new"},
    ("PUT", "/tags/{tag_id}"): {"title": "renamed"},
    ("POST", "/checklists/tags"): {
        "tag_id": "{tag_id}",
        "subject_type": "Run",
        "subject_id": "{process_id}",
    },
    ("POST", "/checklists"): {"title": "new"},
    ("PUT", "/checklists/{template_id}"): {"title": "renamed"},
    ("POST", "/checklists/{template_id}/steps"): {"title": "new"},
    ("PUT", "/checklists/{template_id}/steps/{step_id}"): {"title": "renamed"},
    ("PUT", "/checklists/{template_id}/steps/{step_id}/reorder"): {"position": 1},
    ("POST", "/checklists/{template_id}/steps/{step_id}/captures"): {
        "field_type": "text",
        "label": "new",
    },
    ("PUT", "/checklists/{template_id}/steps/{step_id}/captures/{capture_id}"): {"label": "x"},
    ("POST", "/checklists/{template_id}/clone"): {"tenant": "{org}"},
    ("POST", "/checklists/{template_id}/steps/{step_id}/clone"): {},
    ("PUT", "/checklists/{template_id}/steps/{step_id}/captures"): {
        "capture_id": "{capture_id}",
        "position": 1,
    },
    ("PUT", "/checklists/{template_id}/steps/{step_id}/captures/{capture_id}/move-out"): {
        "target_step_id": "{step_id}",
        "position": 1,
    },
    ("POST", "/checklists/{template_id}/automated-actions"): {
        "conditions": [
            {
                "conditionable_id": "{step_id}",
                "conditionable_type": "Step",
                "operation": "completed",
            }
        ],
        "then_actions": [
            {"action_type": "visibility", "action_verb": "hide", "target_step_id": "{step_id}"}
        ],
    },
    ("PUT", "/checklists/{template_id}/automated-actions/{rule_id}"): {"automated_alias": "x"},
    ("POST", "/runs"): {"checklist_id": "{template_id}"},
    ("PUT", "/runs/{process_id}"): {"name": "renamed"},
    ("PUT", "/runs/{process_id}/tasks/{task_id}"): {"title": "renamed"},
    ("POST", "/runs/{process_id}/completed-tasks"): {"task_id": "{task_id}"},
    ("POST", "/tasks"): {
        "title": "new",
        "owners": {"users": ["{user_id}"]},
        "deadline": "2030-01-01",
    },
    ("PUT", "/tasks/{task_id}"): {"title": "renamed"},
    ("POST", "/completed-tasks"): {"task_id": "{oneoff_id}"},
    ("POST", "/tasks/{task_id}/comment"): {"content": "hello"},
    ("PUT", "/tasks/{task_id}/comment/{comment_id}"): {"content": "edited"},
    ("POST", "/tasks/{task_id}/problem"): {"content": "blocked"},
    ("POST", "/tasks/{task_id}/resolved-threads"): {"thread_id": "{comment_id}"},
    ("PUT", "/retention"): {"purge_archived_after_days": 30},
    ("POST", "/bulk/archive"): {"type": "process", "ids": ["{process_id}"]},
    ("POST", "/bulk/restore"): {"type": "process", "ids": ["{process_id}"]},
    ("POST", "/bulk/delete"): {"type": "process", "ids": ["{process_id}"]},
    ("PUT", "/runs/{process_id}/legal-hold"): {"reason": "case"},
    ("PUT", "/checklists/{template_id}/legal-hold"): {"reason": "case"},
    ("POST", "/webhooks"): {"url": "https://example.com/hooks", "event_types": ["tag.archived"]},
    ("PUT", "/webhooks/{webhook_id}"): {"description": "renamed"},
    ("POST", "/groups"): {"name": "new group", "members": ["{user_id}"]},
    ("PUT", "/groups/{group_id}"): {"name": "renamed group", "members": ["{user_id}"]},
    ("POST", "/folders"): {"name": "new folder"},
    ("PUT", "/folders/{folder_id}"): {"name": "renamed folder"},
    ("POST", "/folders/add-object"): {
        "folder_id": "{folder_id}",
        "subject_id": "{process_id}",
        "subject_type": "Run",
    },
    # Uploads are multipart (the file in `name`); `request` sends these fields as JSON, which
    # an upload answers with 400 once the caller is known (after 401, 404 and 403).
    ("POST", "/assets"): {
        "uploaded_from": "ko_field",
        "subject_type": "Checklist",
        "subject_id": "{template_id}",
    },
    ("POST", "/file"): {
        "uploaded_from": "ko_field",
        "subject_type": "Checklist",
        "subject_id": "{template_id}",
    },
    ("POST", "/users/invite"): {
        "email": "new.member@example.com",
        "first_name": "New",
        "last_name": "Member",
        "role": "light",
        "message": "Welcome",
    },
    ("PUT", "/users/{user_id}/role"): {"role": "light"},
    ("POST", "/guests"): {"email": "new.guest@example.com", "first_name": "New"},
    ("PUT", "/guests/{guest_email}"): {"company_name": "Acme"},
}


def fill(value: Any, ids: dict[str, Any]) -> Any:
    """`value` with its `{name}` placeholders replaced by ids (a lone placeholder keeps the
    id's type, so user ids stay integers)."""
    if isinstance(value, str):
        whole = re.fullmatch(r"\{(\w+)\}", value)
        if whole:
            return ids[whole.group(1)]
        return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), value)
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    return value


def request(api: Api, method: str, path: str, ids: dict[str, Any]) -> Any:
    relative = fill(path.removeprefix("/organizations/{org}"), ids)
    body = BODIES.get((method, path.removeprefix("/organizations/{org}")))
    return api.request(method, relative, json=fill(body, ids) if body else None)
