"""How late escalations fire: `python bench/escalation_lag.py [--burst N] [--steady N]`.

Builds a database of its own with one account (plan pro) whose escalation fires a
`set_priority` action one minute after a ticket is created without a reply (first_response,
calendar time), and runs W `tickiti-workflow worker` processes as the Procfile does:

  steady   N tickets (2,000 by default) whose targets fall due one after another over 60 s:
           the lag of an ordinary day, from each due instant to its committed firing.
  burst    N tickets (50,000 by default) all due at the same instant, as when a queue full of
           tickets opens at 09:00: how long until every one has fired, and the lag of each.

Tickets are inserted with plain SQL the way other services insert them, with `created_at` set
so that they fall due a little after the workers have armed them. The lag of a firing is
`fired_at - due_at` (both the database clock). Drops the database at the end.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tickiti_workflow import db  # noqa: E402
from tickiti_workflow.devserver import with_database  # noqa: E402

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def seed_account(conn) -> tuple[int, int]:
    account = conn.execute(
        "INSERT INTO accounts (name, plan_code) VALUES ('Lag', 'pro') RETURNING id"
    ).fetchone()[0]
    inbox = conn.execute(
        "SELECT id FROM queues WHERE account_id = %s AND is_builtin", (account,)
    ).fetchone()[0]
    conn.execute(
        "INSERT INTO escalations (account_id, name, position, target_metric, target_minutes,"
        " actions) VALUES (%s, 'First reply within a minute', 1, 'first_response', 1,"
        ' \'[{"type": "set_priority", "priority": "high"}]\')',
        (account,),
    )
    return account, inbox


def insert_due(conn, account: int, inbox: int, count: int, first_due_in: float, spread: float):
    """``count`` tickets due from ``first_due_in`` seconds from now, over ``spread`` seconds."""
    conn.execute(
        "INSERT INTO tickets (account_id, queue_id, status, created_at)"
        " SELECT %s, %s, 'open', now() - interval '1 minute'"
        " + make_interval(secs => %s + %s * g / greatest(%s, 1))"
        " FROM generate_series(0, %s - 1) g",
        (account, inbox, first_due_in, spread, count, count),
    )


def lags(conn, account: int) -> list[float]:
    rows = conn.execute(
        "SELECT extract(epoch FROM fired_at - due_at) FROM escalation_firings"
        " WHERE account_id = %s ORDER BY 1",
        (account,),
    ).fetchall()
    return [r[0] for r in rows]


def summary(values: list[float], expected: int, seconds: float) -> dict:
    values = sorted(values)

    def pct(p: float) -> float | None:
        return round(values[min(len(values) - 1, int(len(values) * p))], 3) if values else None

    return {
        "fired": len(values),
        "expected": expected,
        "p50_s": pct(0.50),
        "p99_s": pct(0.99),
        "max_s": round(values[-1], 3) if values else None,
        "all_fired_after_s": round(seconds, 1),
    }


def scenario(admin_url: str, count: int, spread: float, workers: int, lead: float) -> dict:
    name = f"tickiti_bench_lag_{os.getpid()}_{count}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(admin_url, name)
    procs: list[subprocess.Popen] = []
    try:
        db.migrate(url)
        env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING", "WORKER_POLL_MS": "100"}
        with psycopg.connect(url, autocommit=True) as conn:
            account, inbox = seed_account(conn)
            procs = [
                subprocess.Popen(
                    [sys.executable, "-m", "tickiti_workflow.cli", "worker"], cwd=ROOT, env=env
                )
                for _ in range(workers)
            ]
            insert_due(conn, account, inbox, count, lead, spread)
            due_end = time.monotonic() + lead + spread
            deadline = due_end + 600
            while time.monotonic() < deadline:
                fired = conn.execute(  # type: ignore[index]
                    "SELECT count(*) FROM escalation_firings WHERE account_id = %s", (account,)
                ).fetchone()[0]
                if fired >= count:
                    break
                time.sleep(0.5)
            all_fired_after = time.monotonic() - due_end
            return summary(lags(conn, account), count, all_fired_after)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(admin_url: str, steady: int, burst: int, workers: int) -> dict:
    result: dict = {"workers": workers}
    if steady:
        print(f"escalation lag: {steady:,} tickets due over 60 s", file=sys.stderr)
        result["steady"] = scenario(admin_url, steady, 60.0, workers, lead=20.0)
    if burst:
        print(f"escalation lag: {burst:,} tickets due at one instant", file=sys.stderr)
        result["burst"] = scenario(admin_url, burst, 0.0, workers, lead=max(20.0, burst / 1000))
    return result


def markdown(r: dict) -> str:
    lines = [
        f"| scenario ({r['workers']} worker processes) | fired | lag p50 | lag p99 | lag max "
        "| all fired after the last due instant |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for key, label in (("steady", "due one after another over 60 s"), ("burst", "all due at once")):
        if key in r:
            s = r[key]
            lines.append(
                f"| {s['expected']:,} tickets {label} | {s['fired']:,} | {s['p50_s']} s "
                f"| {s['p99_s']} s | {s['max_s']} s | {s['all_fired_after_s']} s |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("BENCH_ADMIN_URL", DEFAULT_ADMIN_URL))
    parser.add_argument("--steady", type=int, default=2_000)
    parser.add_argument("--burst", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(markdown(run(args.url, args.steady, args.burst, args.workers)))


if __name__ == "__main__":
    main()
