"""The four archivable resources, described once so every lifecycle test runs on each."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.conftest import Api, World
from tests.factories import make_oneoff, make_run, make_template, ok


@dataclass(frozen=True)
class Resource:
    name: str
    base: str  # collection path; objects live at f"{base}/{id}"
    restore_suffix: str  # `/activate` for runs, `/restore` for the others
    archive_status: int  # 200, or 204 for one-off tasks
    purge_status: int  # 200 for runs and templates, 204 for tasks and tags
    archived_field: str  # `archived_at`, or `deleted_at` for tags
    create: Callable[[World], dict[str, Any]]

    def path(self, object_id: str) -> str:
        return f"{self.base}/{object_id}"

    def archive(self, api: Api, object_id: str) -> Any:
        return api.delete(self.path(object_id))

    def restore(self, api: Api, object_id: str) -> Any:
        return api.put(self.path(object_id) + self.restore_suffix)

    def purge(self, api: Api, object_id: str, **params: Any) -> Any:
        return api.delete(self.path(object_id) + "/delete", params=params)

    def read(self, api: Api, object_id: str) -> dict[str, Any]:
        return ok(api.get(self.path(object_id)))["data"]

    def listed_ids(self, api: Api, archived: str | None = None) -> set[str]:
        params = {"per_page": 100, **({"archived": archived} if archived else {})}
        return {item["id"] for item in ok(api.get(self.base, params=params))["data"]}


def create_run(world: World) -> dict[str, Any]:
    return make_run(world.admin, steps=2)[0]


def create_template(world: World) -> dict[str, Any]:
    return make_template(world.admin, steps=2)


def create_task(world: World) -> dict[str, Any]:
    return make_oneoff(world.admin, owner=world.org.standard.user_id)


def create_tag(world: World) -> dict[str, Any]:
    return ok(world.admin.post("/tags", {"title": "quarterly", "color": "#112233"}), 201)["data"]


RESOURCES = [
    Resource("run", "/runs", "/activate", 200, 200, "archived_at", create_run),
    Resource("template", "/checklists", "/restore", 200, 200, "archived_at", create_template),
    Resource("task", "/tasks", "/restore", 204, 204, "archived_at", create_task),
    Resource("tag", "/tags", "/restore", 200, 204, "deleted_at", create_tag),
]
