"""The route index (`api/dispatch.py`) serves each request with the route FastAPI's own
matching would pick, and a 405 names every method served at its path."""

import re

from fastapi.routing import APIRoute, iter_route_contexts

from procession.api.dispatch import IndexedRoute, RouteIndex
from procession.api.router import api_routes
from procession.main import create_app
from tests.conftest import World

ODD_PATHS = [
    "/api/organizations/o/runs/",
    "/api/organizations/o/nothing-here",
    "/api/organizations/o/nothing/here/at/all",
    "/api/organizations",
    "/api",
    "/",
]


def sample_path(template: str) -> str:
    """The template with every parameter filled in (`7` for integers)."""
    return re.sub(r"\{(\w+)(:int)?\}", lambda m: "7" if m.group(2) else f"a-{m.group(1)}", template)


def first_match(routes: list[IndexedRoute], path: str, method: str) -> APIRoute | None:
    return next(
        (r.route for r in routes if r.regex.match(path) and method in (r.route.methods or ())),
        None,
    )


def test_the_api_routes_are_listed_in_the_order_fastapi_matches_them() -> None:
    app = create_app()
    served = [
        context.path
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute) and context.path.startswith("/api/")
    ]
    assert served == [template for template, _ in api_routes()]


def test_the_index_picks_the_first_route_in_order_for_every_path_and_method() -> None:
    app = create_app()
    index = RouteIndex(app.router, api_routes())
    ordered = [IndexedRoute(template, route) for template, route in api_routes()]
    checked = 0
    for path in [sample_path(r.template) for r in ordered] + ODD_PATHS:
        for method in ("GET", "POST", "PUT", "DELETE", "PATCH"):
            expected = first_match(ordered, path, method)
            assert first_match(index.candidates(path), path, method) is expected, (method, path)
            checked += expected is not None
    assert checked >= len(ordered)


def test_a_wrong_method_is_405_naming_every_method_served_there(world: World) -> None:
    refused = world.admin.request("PATCH", "/runs")
    assert refused.status_code == 405
    assert refused.headers["Allow"] == "GET, POST"
    assert refused.json()["code"] == "METHOD_NOT_ALLOWED"


def test_a_literal_path_does_not_advertise_its_parametrised_siblings_methods(
    world: World,
) -> None:
    # `/checklists/tags` is also `/checklists/{template_id}` with GET, PUT and DELETE.
    refused = world.admin.request("PATCH", "/checklists/tags")
    assert refused.status_code == 405
    assert refused.headers["Allow"] == "POST"


def test_a_parameter_in_the_key_segment_is_a_candidate_for_every_name() -> None:
    async def endpoint() -> None: ...

    named = APIRoute("/organizations/{org}/runs", endpoint, methods=["GET"])
    any_kind = APIRoute("/organizations/{org}/{kind}", endpoint, methods=["GET", "POST"])
    routes = [("/api" + r.path, r) for r in (named, any_kind)]
    index = RouteIndex(create_app().router, routes)
    runs = "/api/organizations/o/runs"
    assert first_match(index.candidates(runs), runs, "GET") is named
    assert first_match(index.candidates(runs), runs, "POST") is any_kind
    other = "/api/organizations/o/anything"
    assert first_match(index.candidates(other), other, "GET") is any_kind
