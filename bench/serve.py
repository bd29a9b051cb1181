"""Serve an ASGI app on loopback as `procession serve` does (procession/ops/serving.py), for
bench/http.py: `python -m bench.serve APP PORT WORKERS [--factory]`."""

import sys

from procession.ops.serving import serve


def main() -> None:
    app, port, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    factory = "--factory" in sys.argv[4:]
    serve(
        app,
        host="127.0.0.1",
        port=port,
        workers=workers,
        factory=factory,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
