"""Serve every API route at the root too (Tallyfy's SDK calls `/organizations/...`, its docs
`/api/organizations/...`): requests without the prefix are routed as if they had it, so the
routes are registered, matched and documented once."""

from starlette.types import ASGIApp, Receive, Scope, Send

PREFIX = "/api"


class ApiPrefix:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(PREFIX + "/"):
            scope = {**scope, "path": PREFIX + scope["path"]}
            if scope.get("raw_path"):
                scope["raw_path"] = PREFIX.encode() + scope["raw_path"]
        await self.app(scope, receive, send)
