"""Webhook fixtures: a real receiver on loopback that verifies Standard Webhooks signatures,
settings that keep delivery in the test's hands, and a way to run the delivery worker."""

import json
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from standardwebhooks import Webhook, WebhookVerificationError

from procession.config import Settings
from procession.db.session import Database
from procession.webhooks import delivery
from procession.webhooks.models import WebhookDelivery
from procession.webhooks.service import new_secret
from tests.conftest import Api, run_async
from tests.databases import DatabaseFactory, sync_engine
from tests.factories import ok
from tests.live import free_port


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: str
    verified: bool

    @property
    def payload(self) -> Any:
        return json.loads(self.body)

    @property
    def event_type(self) -> str:
        event_type: str = self.payload["type"]
        return event_type


class ReceiverServer(ThreadingHTTPServer):
    request_queue_size = 128  # a worker's whole batch connects at once
    daemon_threads = True


class Receiver:
    """An HTTP server on a loopback port that checks every request's signature with `secret`,
    records it, and answers with the next status in `statuses` (200 once they run out).

    While `gate` is cleared, requests are recorded and then wait for it before answering
    (a receiver that is slow, or a request in flight when the sender dies)."""

    def __init__(self) -> None:
        self.secret = new_secret()
        self.port = free_port()  # chosen now, so an endpoint can name it before `start`
        self.received: list[Received] = []
        self.statuses: deque[int] = deque()
        self.gate = threading.Event()
        self.gate.set()
        self.arrived = threading.Condition()
        self.server: ReceiverServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                headers = dict(self.headers.items())
                try:
                    Webhook(receiver.secret).verify(body, headers)
                    verified = True
                except WebhookVerificationError:
                    verified = False
                with receiver.arrived:
                    receiver.received.append(Received(headers, body, verified))
                    status = receiver.statuses.popleft() if receiver.statuses else 200
                    receiver.arrived.notify_all()
                receiver.gate.wait(30)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender went away meanwhile: what this test may be about

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self.server = ReceiverServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.gate.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def wait_for(self, count: int, timeout: float = 20) -> list[Received]:
        """Block until at least `count` requests arrived; all of them."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.received) >= count, timeout):
                raise AssertionError(f"{len(self.received)} of {count} webhooks arrived")
            return list(self.received)

    def types(self) -> list[str]:
        return [request.event_type for request in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def settings(databases: DatabaseFactory) -> Iterator[Settings]:
    """No background jobs (tests run the worker themselves), three attempts, no waits
    between them unless a test asks for some."""
    fresh = databases.fresh().model_copy(
        update={
            "background_jobs": False,
            "webhook_max_attempts": 3,
            "webhook_retry_base_seconds": 0.0,
            "webhook_timeout_seconds": 5.0,
        }
    )
    yield fresh
    databases.drop(fresh)


def register(api: Api, receiver: Receiver, *event_types: str, **fields: Any) -> dict[str, Any]:
    body = {"url": receiver.url, "secret": receiver.secret, "event_types": list(event_types)}
    return ok(api.post("/webhooks", {**body, **fields}), 201)["data"]


def drain(settings: Settings) -> int:
    """Run delivery rounds until one finds nothing due; how many attempts were made."""

    async def rounds() -> int:
        database = Database(settings)
        try:
            total = 0
            while attempted := await delivery.work(database, settings):
                total += attempted
            return total
        finally:
            await database.dispose()

    return run_async(rounds())


def deliveries(settings: Settings) -> list[WebhookDelivery]:
    """Every outbox row, oldest first (read through the ORM: aware UTC datetimes on both
    engines)."""
    engine = sync_engine(settings)
    try:
        with Session(engine) as session:
            stmt = select(WebhookDelivery).order_by(WebhookDelivery.created_at, WebhookDelivery.id)
            return list(session.scalars(stmt))
    finally:
        engine.dispose()


def make_due(settings: Settings) -> None:
    """Let every pending delivery's wait (or lease) run out now, as if time had passed."""
    engine = sync_engine(settings)
    try:
        with engine.begin() as db:
            db.execute(
                text(
                    "UPDATE webhook_deliveries SET next_attempt_at = :past WHERE status = 'pending'"
                ),
                {"past": datetime(2000, 1, 1)},
            )
    finally:
        engine.dispose()
