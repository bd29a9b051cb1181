"""Serve every API route at the root too (Tallyfy's SDK calls `/organizations/...`, its docs
`/api/organizations/...`): requests without the prefix are routed as if they had it, so the
routes are registered, matched and documented once. The admin pages and the
operations probes keep their paths."""

from starlette.types import ASGIApp, Receive, Scope, Send

PREFIX = "/api"
ADMIN = "/admin"
ROOT_PATHS = frozenset({ADMIN, "/healthz", "/readyz", "/metrics"})


def needs_prefix(path: str) -> bool:
    return not (path.startswith((PREFIX + "/", ADMIN + "/")) or path in ROOT_PATHS)


class ApiPrefix:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and needs_prefix(scope["path"]):
            # In place, so the middleware outside sees the route the request reached.
            scope["path"] = PREFIX + scope["path"]
            if scope.get("raw_path"):
                scope["raw_path"] = PREFIX.encode() + scope["raw_path"]
        await self.app(scope, receive, send)
