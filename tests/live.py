"""A real server for tests that talk HTTP over loopback (the SDK, the seed samples)."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx2 as httpx

from procession.config import Settings


def live_client(base_url: str, **options: Any) -> httpx.Client:
    """An httpx client for a live server (`options` are httpx's). It drops a connection idle
    for a second, well before uvicorn's 5-second keep-alive ends. With the same 5 seconds on
    both sides, a burst of requests sometimes reused a connection the server was closing at
    that moment, and the request was reset."""
    return httpx.Client(base_url=base_url, limits=httpx.Limits(keepalive_expiry=1), **options)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_ready(server: subprocess.Popen[bytes], base: str) -> None:
    """Return once the server at `base` answers `/readyz`; RuntimeError if it exits or takes
    more than 30 seconds."""
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)


@contextmanager
def live_server(
    settings: Settings, *, workers: int = 1, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Run `procession serve` on a free loopback port against `settings`' database until the
    block ends (`env` adds settings); yields the base URL (without `/api`)."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "PROCESSION_FILES_DIR": str(settings.files_dir),
        "PROCESSION_LOG_LEVEL": "warning",
        **(env or {}),
    }
    command = [sys.executable, "-m", "procession.cli", "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    server = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(server, base)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
