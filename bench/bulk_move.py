"""A bulk move in the worker while other services keep writing tickets:
`python bench/bulk_move.py [--tickets N] [--quick]` (also run by bench/run.py).

Builds a database of its own with one account whose queue holds N tickets (1,000,000 by
default), queues the job the API would queue for `queues/move` of that queue, and runs one
`tickiti-workflow worker` process as the Procfile does (default chunk size). Meanwhile 8 writer
threads do what other services do all day, each in its own autocommit transactions:

  insert     INSERT INTO tickets into the queue being drained
  update     a status change of a random ticket of that queue (it may be in the chunk being moved)
  reply      a status change of a ticket in another queue

It reports the move's rate (tickets per second, each with its history row and count change),
the time to move every ticket, and the writers' latencies during the move: their median, p99
and the longest wait any writer saw. Drops the database at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tickiti_workflow import db  # noqa: E402
from tickiti_workflow.devserver import with_database  # noqa: E402

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
WRITERS = 8


def seed(url: str, tickets: int) -> dict:
    with psycopg.connect(url, autocommit=True) as conn:
        account = conn.execute(  # type: ignore[index]
            "INSERT INTO accounts (name, plan_code) VALUES ('Bulk', 'pro') RETURNING id"
        ).fetchone()[0]
        user = conn.execute(  # type: ignore[index]
            "INSERT INTO users (account_id, email, role) VALUES (%s, 'ops@bulk.test', 'admin')"
            " RETURNING id",
            (account,),
        ).fetchone()[0]
        source = conn.execute(  # type: ignore[index]
            "SELECT id FROM queues WHERE account_id = %s AND is_builtin", (account,)
        ).fetchone()[0]
        target, other = (
            conn.execute(  # type: ignore[index]
                "INSERT INTO queues (account_id, name) VALUES (%s, %s) RETURNING id",
                (account, name),
            ).fetchone()[0]
            for name in ("Target", "Other")
        )
        for start in range(0, tickets, 100_000):
            n = min(100_000, tickets - start)
            conn.execute(
                "INSERT INTO tickets (account_id, queue_id, status, subject)"
                " SELECT %s, %s, CASE WHEN g %% 5 = 0 THEN 'solved' ELSE 'open' END, 'seed'"
                " FROM generate_series(1, %s) g",
                (account, source, n),
            )
        conn.execute(
            "INSERT INTO tickets (account_id, queue_id, status) SELECT %s, %s, 'open'"
            " FROM generate_series(1, 1000)",
            (account, other),
        )
        conn.execute("SELECT fold_ticket_count_changes(2000000000)")
        conn.execute("VACUUM ANALYZE tickets")
        conn.execute("VACUUM ANALYZE ticket_count_changes")
    return {"account": account, "user": user, "source": source, "target": target, "other": other}


def writer(url: str, ids: dict, stop: threading.Event, latencies: list[float], seed_: int):
    rng = random.Random(seed_)
    account, source, other = ids["account"], ids["source"], ids["other"]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET lock_timeout = '30s'")
        top = conn.execute("SELECT max(id) FROM tickets").fetchone()[0]  # type: ignore[index]
        others = [r[0] for r in conn.execute(
            "SELECT id FROM tickets WHERE account_id = %s AND queue_id = %s", (account, other)
        )]  # fmt: skip
        while not stop.is_set():
            kind = rng.choice(("insert", "update", "reply"))
            began = time.perf_counter()
            if kind == "insert":
                conn.execute(
                    "INSERT INTO tickets (account_id, queue_id, status) VALUES (%s, %s, 'new')",
                    (account, source),
                )
            elif kind == "update":
                conn.execute(
                    "UPDATE tickets SET status = CASE status WHEN 'open' THEN 'pending'"
                    " ELSE 'open' END WHERE account_id = %s AND id = %s",
                    (account, rng.randint(1, top)),
                )
            else:
                conn.execute(
                    "UPDATE tickets SET status = CASE status WHEN 'open' THEN 'solved'"
                    " ELSE 'open' END WHERE account_id = %s AND id = %s",
                    (account, rng.choice(others)),
                )
            latencies.append(time.perf_counter() - began)


def run(admin_url: str, tickets: int, keep: bool = False) -> dict:
    name = f"tickiti_bench_bulk_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(admin_url, name)
    try:
        db.migrate(url)
        print(f"bulk move: seeding {tickets:,} tickets", file=sys.stderr)
        ids = seed(url, tickets)
        with psycopg.connect(url, autocommit=True) as conn:
            job = conn.execute(  # type: ignore[index]
                "INSERT INTO jobs (account_id, kind, source_id, target_id,"
                " actor_user_id, total) VALUES (%s, 'queue.move_tickets', %s, %s, %s, %s)"
                " RETURNING id",
                (ids["account"], ids["source"], ids["target"], ids["user"], tickets),
            ).fetchone()[0]
        stop = threading.Event()
        latencies: list[float] = []
        threads = [
            threading.Thread(target=writer, args=(url, ids, stop, latencies, i))
            for i in range(WRITERS)
        ]
        for t in threads:
            t.start()
        env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING", "WORKER_POLL_MS": "50"}
        began = time.monotonic()
        worker = subprocess.Popen(
            [sys.executable, "-m", "tickiti_workflow.cli", "worker"], cwd=ROOT, env=env
        )
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                while True:
                    status, done = conn.execute(  # type: ignore[misc]
                        "SELECT status, done FROM jobs WHERE id = %s", (job,)
                    ).fetchone()
                    if status in ("succeeded", "failed"):
                        break
                    time.sleep(0.2)
            elapsed = time.monotonic() - began
        finally:
            stop.set()
            for t in threads:
                t.join()
            worker.terminate()
            worker.wait(30)
        with psycopg.connect(url, autocommit=True) as conn:
            history = conn.execute(  # type: ignore[index]
                "SELECT count(*) FROM ticket_events WHERE account_id = %s", (ids["account"],)
            ).fetchone()[0]
        latencies.sort()
        result = {
            "tickets": tickets,
            "status": status,
            "moved": done,
            "history_rows": history,
            "seconds": round(elapsed, 1),
            "tickets_per_second": round(done / elapsed),
            "writer_transactions": len(latencies),
            "writer_median_ms": round(statistics.median(latencies) * 1000, 2),
            "writer_p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 1),
            "writer_max_ms": round(latencies[-1] * 1000, 1),
        }
        return result
    finally:
        if not keep:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def markdown(r: dict) -> str:
    return "\n".join(
        [
            f"| tickets moved (with history) | {r['moved']:,} of {r['tickets']:,}"
            f" ({r['status']}) |",
            "|---|---|",
            f"| time to move them all | {r['seconds']} s |",
            f"| background move rate | {r['tickets_per_second']:,} tickets/s |",
            f"| history rows written | {r['history_rows']:,} |",
            f"| writer transactions meanwhile ({WRITERS} writers) | {r['writer_transactions']:,} |",
            f"| writer latency: median / p99 / longest | {r['writer_median_ms']} ms / "
            f"{r['writer_p99_ms']} ms / {r['writer_max_ms']} ms |",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("BENCH_ADMIN_URL", DEFAULT_ADMIN_URL))
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 tickets")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    result = run(args.url, 100_000 if args.quick else args.tickets, keep=args.keep)
    print(markdown(result))


if __name__ == "__main__":
    main()
