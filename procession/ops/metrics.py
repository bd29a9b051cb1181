"""Prometheus metrics: requests counted and timed per route template, served at `/metrics`.

Labelled from the template the route index recorded (`api/dispatch.py`) or the route
Starlette selected, so naming a request's handler costs a dictionary read; matching the
routes again to name it cost a tenth of a simple GET's time. The series keep the names
prometheus-fastapi-instrumentator gave them: `http_requests_total{handler,method,status}`
(status grouped as `2xx`...) and `http_request_duration_seconds{handler,method}`.
"""

from fastapi import FastAPI, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from starlette.types import Scope

from procession.api.dispatch import ROUTE_TEMPLATE

UNTRACKED = frozenset({"/metrics", "/healthz", "/readyz"})
UNMATCHED = "none"  # the handler label of requests no route served (404s)


def handler_of(scope: Scope) -> str:
    """The route template that served the request, once the app has run."""
    if template := scope.get(ROUTE_TEMPLATE):
        return str(template)
    route = scope.get("route")
    path = getattr(route, "path", None)
    return scope.get("root_path", "") + path if path else UNMATCHED


class RequestMetrics:
    """Counts and times every HTTP request except the probes and `/metrics` itself; fed by
    `RequestLog`, which times every request already."""

    def __init__(self, requests: Counter, duration: Histogram) -> None:
        self.requests = requests
        self.duration = duration

    def observe(self, scope: Scope, path: str, status: int, seconds: float) -> None:
        if path in UNTRACKED:
            return
        handler, method = handler_of(scope), scope["method"]
        self.requests.labels(handler, method, f"{status // 100}xx").inc()
        self.duration.labels(handler, method).observe(seconds)


def install_metrics(app: FastAPI) -> RequestMetrics:
    """Add the `/metrics` route and return what records requests into it, with a registry of
    this app's own (apps built in one process, as in tests, never share or hide counters)."""
    registry = CollectorRegistry(auto_describe=True)
    ProcessCollector(registry=registry)
    requests = Counter(
        "http_requests_total",
        "Requests answered, by handler, method and status class.",
        ["handler", "method", "status"],
        registry=registry,
    )
    duration = Histogram(
        "http_request_duration_seconds",
        "Time to answer, by handler and method.",
        ["handler", "method"],
        registry=registry,
    )

    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    app.add_api_route("/metrics", metrics, include_in_schema=False)
    return RequestMetrics(requests, duration)
