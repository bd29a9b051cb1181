"""Several workers share one listening socket (procession/ops/serving.py): the connections
it accepts must get TCP_NODELAY, or every answer waits out the client's delayed ACK."""

import asyncio
import socket

import pytest
import uvicorn

from procession.ops.serving import TcpSocketConfig


async def nodelay_of_accepted(listening: socket.socket) -> int:
    """TCP_NODELAY of a connection asyncio accepts from `listening`, as a worker's loop does."""
    seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def accept(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = writer.get_extra_info("socket")
        seen.set_result(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(accept, sock=listening)
    async with server:
        _, writer = await asyncio.open_connection(*listening.getsockname()[:2])
        value = await asyncio.wait_for(seen, 5)
        writer.close()
    return value


@pytest.mark.parametrize(
    ("config_class", "nodelay"), [(TcpSocketConfig, True), (uvicorn.Config, False)]
)
def test_shared_worker_socket_gives_connections_tcp_nodelay(
    config_class: type[uvicorn.Config], nodelay: bool
) -> None:
    """uvicorn's own multi-worker socket (the control) loses TCP_NODELAY; ours keeps it."""
    config = config_class("procession.main:create_app", host="127.0.0.1", port=0, workers=2)
    listening = config.bind_socket()
    with listening:
        assert bool(asyncio.run(nodelay_of_accepted(listening))) is nodelay
