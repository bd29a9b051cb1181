"""Route dispatch by path shape: each request is matched against the few API routes that
can match its path, not all of them.

FastAPI matches a request by trying every route in order, and an included router is matched
twice (once to find it, once to handle it), each try going through its per-inclusion
bookkeeping. With ~130 API operations that was a fifth of a simple GET's time
(docs/PERFORMANCE.md). `RouteIndex` sits where the app's router starts. It groups the API
routes by the number of segments of their path and by the segment after `{org}` (`runs`,
`checklists`, ...), keeping their order, so the first route that matches in a group is the
first FastAPI would have found. What the index cannot serve in full (a 404, a 405, the
admin pages, the probes) goes on to FastAPI's router unchanged.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from fastapi.routing import APIRoute
from starlette.routing import Router, compile_path
from starlette.types import Receive, Scope, Send

ROUTE_TEMPLATE = "procession.route_template"
"""Scope key: the full path template of the route that served the request
(`/api/organizations/{org}/runs`), or of the first one whose path matched, for metrics."""

ALLOWED_METHODS = "procession.allowed_methods"
"""Scope key: the methods of the first route template matching the request's path, for a
405's `Allow`."""

KEY_SEGMENT = 4  # "", "api", "organizations", "{org}", -> "runs"


def path_shape(path: str) -> tuple[int, str | None]:
    """(number of segments, the segment at `KEY_SEGMENT` if the path has one)."""
    segments = path.split("/")
    return len(segments), segments[KEY_SEGMENT] if len(segments) > KEY_SEGMENT else None


@dataclass
class IndexedRoute:
    template: str
    route: APIRoute

    def __post_init__(self) -> None:
        # A `{name:path}` parameter would match across segments; the API has none.
        assert ":path}" not in self.template, f"{self.template} cannot be indexed"
        self.count, self.key = path_shape(self.template)
        self.key_is_parameter = self.key is not None and "{" in self.key
        self.regex, _, self.convertors = compile_path(self.template)

    def fits(self, count: int, key: str | None) -> bool:
        """Whether a path of `count` segments with `key` at `KEY_SEGMENT` may match."""
        return self.count == count and (self.key == key or self.key_is_parameter)


class RouteIndex:
    """The ASGI app in front of `router`: serves the API routes it matches in full, hands
    everything else to `router`. `routes` are (full path template, route) in FastAPI's
    order."""

    def __init__(self, router: Router, routes: Iterable[tuple[str, APIRoute]]) -> None:
        self.router = router
        self.fallback = router.middleware_stack
        indexed = [IndexedRoute(template, route) for template, route in routes]
        named = {(r.count, r.key) for r in indexed if not r.key_is_parameter}
        self.by_shape = {shape: [r for r in indexed if r.fits(*shape)] for shape in named}
        # A path whose key segment no route names literally: only parameters can match it.
        counts = {r.count for r in indexed}
        self.by_count = {
            n: [r for r in indexed if r.count == n and r.key_is_parameter] for n in counts
        }

    def candidates(self, path: str) -> list[IndexedRoute]:
        count, key = path_shape(path)
        found = self.by_shape.get((count, key))
        return found if found is not None else self.by_count.get(count, [])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope.setdefault("router", self.router)
            path, method = scope["path"], scope["method"]
            allowed: set[str] = set()
            for candidate in self.candidates(path):
                match = candidate.regex.match(path)
                if match is None:
                    continue
                route = candidate.route
                first = scope.setdefault(ROUTE_TEMPLATE, candidate.template)
                if route.methods and method not in route.methods:
                    # Another route may serve this method; if none does, a 405 naming the
                    # methods of the first template that matched (a literal `/checklists/tags`
                    # does not advertise what `/checklists/{template_id}` serves).
                    if candidate.template == first:
                        allowed |= route.methods
                    continue
                convertors = candidate.convertors
                params = {k: convertors[k].convert(v) for k, v in match.groupdict().items()}
                scope[ROUTE_TEMPLATE] = candidate.template
                scope.update(endpoint=route.endpoint, route=route, path_params=params)
                await route.handle(scope, receive, send)
                return
            scope[ALLOWED_METHODS] = allowed
        await self.fallback(scope, receive, send)
