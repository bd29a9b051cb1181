"""The benchmark suite: `make bench` (about 15 minutes) or `make bench-quick` (under a
minute and a half: a tenth of the data, one worker, 1-second measurements). Seeds a large
organization, measures every core operation over HTTP against its floor, list latency as
archived history grows, and archive/restore/purge at the database level against raw
set-based SQL. Prints the tables and writes bench/results/latest.json.

    .venv/bin/python -m bench [--quick] [--database-url postgresql://...]
"""

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bench.lifecycle as lifecycle
from bench import http
from bench.seed import Scale, Seeded, add_archived_history, seed

RESULTS = Path(__file__).parent / "results"


@dataclass(frozen=True)
class Plan:
    """How much a run seeds and measures."""

    scale: Scale
    seconds: int
    """Each wrk measurement's length, after a warm-up (`http.WARM_UP`); wrk counts whole
    seconds."""
    workers: tuple[int, ...]
    """The worker counts Procession, the floor and the ceiling are served with."""
    cascade_rows: tuple[int, int]
    """Tasks and comments of the process the database-level cascades archive and purge."""


FULL = Plan(Scale(), 10, (1, 2), (10_000, 100_000))
QUICK = Plan(Scale.quick(), 1, (1,), (1_000, 10_000))
"""A check, in under a minute and a half, that everything runs and is in proportion; its
figures are noisier."""


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "cpu": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def print_http(results: list[http.Result], workers: tuple[int, ...]) -> None:
    print(f"\nHTTP, wrk -t1 -c{http.CONCURRENCY} over loopback; req/s and p50/p95/p99 ms")
    print("ratio: Procession / floor; ceiling: FastAPI + sqlite3, its req/s and its ratio to")
    print("the floor; own: Procession / ceiling (what Procession's layers keep of the framework's)")
    header = f"{'operation':28}"
    for w in workers:
        header += f"{f'procession {w}w':>28}{f'floor {w}w':>10}{'ratio':>7}"
        header += f"{f'ceiling {w}w':>12}{'ratio':>7}{'own':>6}"
    print(header)
    for result in results:
        line = f"{result.operation:28}"
        for w in workers:
            mine = result.figures.get(f"procession {w}w")
            floor, ceiling = result.figures.get(f"floor {w}w"), result.figures.get(f"ceiling {w}w")
            if mine is None:
                line += " " * 70
                continue
            line += f"{mine.throughput:>8.0f} {mine.p50:>5.1f}/{mine.p95:>5.1f}/{mine.p99:>6.1f}"
            if floor and ceiling:
                line += f"{floor.throughput:>10.0f}{mine.throughput / floor.throughput:>7.2f}"
                line += f"{ceiling.throughput:>12.0f}{ceiling.throughput / floor.throughput:>7.2f}"
                line += f"{mine.throughput / ceiling.throughput:>6.2f}"
            else:
                line += " " * 42
        late = sum(f.timeouts for f in result.figures.values())
        print(line + (f"  ({late} requests timed out after 10 s)" if late else ""))


def history(seeded: Seeded, plan: Plan, workdir: Path) -> list[dict[str, Any]]:
    """List latency with 1x, 10x and 100x the seeded archived history."""
    scale, seconds = plan.scale, plan.seconds
    base = scale.processes // 4
    op = http.Operation("list runs, first page", [("GET", "/runs", None)])
    env = {"DATABASE_URL": seeded.database_url, **http.SERVER_ENV}
    figures = []
    archived = base
    for times in (1, 10, 100):
        if times > 1:
            extra = base * times - archived
            add_archived_history(seeded, extra, first_number=10 * scale.processes + archived)
            archived += extra
        with http.served(http.PROCESSION, 1, env) as port:
            http.wrk(port, seeded, op, http.WARM_UP, workdir)
            found = http.wrk(port, seeded, op, seconds, workdir)
        figures.append({"archived": archived, **asdict(found)})
        print(
            f"list runs with {archived:>8} archived: {found.throughput:>6.0f} req/s, "
            f"p50 {found.p50:.1f} ms, p99 {found.p99:.1f} ms"
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    plan = QUICK if args.quick else FULL
    workdir = Path(tempfile.mkdtemp(prefix="procession-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    try:
        started = time.perf_counter()
        seeded = seed(url, workdir, plan.scale)
        seeding = time.perf_counter() - started
        print(
            f"seeded in {seeding:.0f} s: " + ", ".join(f"{n} {t}" for t, n in seeded.rows.items())
        )
        results = http.run(seeded, workdir, plan.seconds, plan.workers)
        print_http(results, plan.workers)
        print()
        growth = history(seeded, plan, workdir)
        print()
        cascades = lifecycle.run(args.database_url, *plan.cascade_rows)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "engine": url.split(":", 1)[0],
        "quick": args.quick,
        "seconds_per_measurement": plan.seconds,
        "workers": list(plan.workers),
        "seeded_rows": seeded.rows,
        "seeding_seconds": round(seeding, 1),
        "http": [asdict(r) for r in results],
        "archived_history": growth,
        "lifecycle": cascades,
    }
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten: {RESULTS / 'latest.json'}")


if __name__ == "__main__":
    main()
