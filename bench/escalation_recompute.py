"""How long a configuration change takes to reach every clock of a 1M-ticket account:
`python bench/escalation_recompute.py [--tickets N] [--workers W] [--mixed] [--writers]`.

Builds a database of its own with one account (plan pro) holding N open tickets (1,000,000 by
default) created over the last three days, every one with a running first-response and
resolution clock (with --mixed, tickets as a helpdesk has them instead: mostly solved, with
status changes, pauses and messages; see `seed`), and runs W `tickiti-workflow worker`
processes as the Procfile does. Then
times three background recomputes, each from the write that requests it (committed with plain
SQL, as the API's own write does) until every ticket of the account is decided again:

  arm      the escalations are created: every ticket's clocks are worked out and armed
  target   an escalation's target changes (7 days to 5 days; nothing falls due)
  hours    the business hours change (the resolution target counts in them)

For each it reports the total time, the progress (tickets queued and decided) every few
seconds, and when the oldest 1% of the tickets had been decided (the recompute goes oldest
ticket first, and the oldest ticket is the first due). Side by side, on the same data and
workers, it then times the full ticket-by-ticket decision of every ticket (all of them marked
for the worker, which is what a recompute did before batches were decided set-based;
--no-compare skips it). With --writers, 8 connections then change tickets of the account, alone
for 10 s and then through one more recompute, and it reports their latency. Drops the database
at the end.
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
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tickiti_workflow import db  # noqa: E402

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PROGRESS_EVERY_S = 5.0


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


# The mixed account's tickets, by id % 10: a life of status changes (offset from creation,
# status) and public messages (offset, kind). Only what lies in the past is written.
LIVES = {
    "solved": [("0", "new"), ("10 min", "open"), ("1 hour", "pending"), ("20 hours", "solved")],
    "waiting": [("0", "new"), ("10 min", "open"), ("2 hours", "pending")],
    "open": [("0", "new"), ("10 min", "open"), ("1 hour", "pending"), ("5 hours", "open")],
}
MESSAGES = [
    ("0", "customer_message", "true"),
    ("30 min", "agent_reply", "mod(t.id, 10) <> 9"),
    ("3 hours", "customer_message", "mod(t.id, 10) = 8"),
]


def seed(conn, tickets: int, mixed: bool = False) -> int:
    """The account and its tickets, their capture rows already taken into the status history.

    Plain: every ticket open since its creation, no message. Mixed: 60% solved, 10% waiting
    on the customer, 30% open, each with its status changes (open ones paused for a while),
    a customer message at creation, an agent reply half an hour later (all but 10%), and a
    follow-up customer message for 10%.
    """
    account = conn.execute(
        "INSERT INTO accounts (name, plan_code) VALUES ('Recompute', 'pro') RETURNING id"
    ).fetchone()[0]
    inbox = conn.execute(
        "SELECT id FROM queues WHERE account_id = %s AND is_builtin", (account,)
    ).fetchone()[0]
    conn.execute(
        "INSERT INTO tickets (account_id, queue_id, status, created_at)"
        " SELECT %s, %s, 'open', now() - make_interval(secs => 259200.0 * (%s - g) / %s)"
        " FROM generate_series(1, %s) g",
        (account, inbox, tickets, tickets, tickets),
    )
    if mixed:
        lives = ", ".join(
            f"('{life}', interval '{after}', '{status}')"
            for life, steps in LIVES.items()
            for after, status in steps
        )
        conn.execute(
            "CREATE TEMP TABLE lives AS"
            " SELECT t.id, t.created_at + s.after AS at, s.status FROM tickets t"
            f" JOIN (VALUES {lives}) s (life, after, status)"
            " ON s.life = CASE WHEN mod(t.id, 10) < 6 THEN 'solved'"
            "                  WHEN mod(t.id, 10) = 6 THEN 'waiting' ELSE 'open' END"
            " WHERE t.account_id = %s AND t.created_at + s.after < now()",
            (account,),
        )
        conn.execute(
            "UPDATE tickets t SET status = l.status"
            " FROM (SELECT DISTINCT ON (id) id, status FROM lives ORDER BY id, at DESC) l"
            " WHERE t.account_id = %s AND t.id = l.id AND t.status <> l.status",
            (account,),
        )
        for after, kind, which in MESSAGES:
            conn.execute(
                "INSERT INTO ticket_activities (account_id, ticket_id, kind, occurred_at)"
                f" SELECT account_id, id, '{kind}', created_at + interval '{after}'"
                f" FROM tickets t WHERE account_id = %s AND {which}"
                f" AND created_at + interval '{after}' < now()",
                (account,),
            )
    # What the worker's fold and ingest would do with the capture rows.
    conn.execute("SELECT fold_ticket_count_changes(%s)", (tickets * 4,))
    if mixed:
        conn.execute(
            "INSERT INTO sla_status_history (account_id, ticket_id, at, status)"
            " SELECT %s, id, at, status FROM lives",
            (account,),
        )
    else:
        conn.execute(
            "INSERT INTO sla_status_history (account_id, ticket_id, at, status)"
            " SELECT account_id, ticket_id, at, status FROM sla_ticket_changes"
        )
    conn.execute("TRUNCATE sla_ticket_changes")
    for table in ("tickets", "sla_status_history", "ticket_count_changes", "ticket_activities"):
        conn.execute(f"VACUUM ANALYZE {table}")
    return account


def create_escalations(conn, account: int) -> None:
    conn.execute(
        "INSERT INTO escalations (account_id, name, position, target_metric, target_minutes,"
        " target_business_hours, actions) VALUES"
        " (%s, 'First reply within a week', 1, 'first_response', 10080, false,"
        '  \'[{"type": "set_priority", "priority": "high"}]\'),'
        " (%s, 'Solved within 40 business hours', 2, 'resolution', 2400, true,"
        '  \'[{"type": "set_priority", "priority": "urgent"}]\')',
        (account, account),
    )


def change_target(conn, account: int) -> None:
    conn.execute(
        "UPDATE escalations SET target_minutes = 7200, version = version + 1, updated_at = now()"
        " WHERE account_id = %s AND target_metric = 'first_response'",
        (account,),
    )


def change_hours(conn, account: int) -> None:
    conn.execute(
        "UPDATE business_hours SET schedule = schedule"
        ' || \'{"friday": [{"start": "09:00", "end": "15:00"}]}\'::jsonb,'
        " version = version + 1, updated_at = now() WHERE account_id = %s",
        (account,),
    )


def progress(conn, account: int) -> dict:
    row = conn.execute(
        "SELECT r.queued, r.finished_at IS NOT NULL AS queued_all,"
        " (SELECT count(*) FROM sla_dirty_tickets d WHERE d.account_id = r.account_id)"
        " + (SELECT coalesce(sum(b.tickets), 0) FROM escalation_recompute_batches b"
        "    WHERE b.account_id = r.account_id) AS dirty"
        " FROM escalation_recomputes r WHERE r.account_id = %s",
        (account,),
    ).fetchone()
    return {"queued": row[0], "queued_all": row[1], "waiting": row[2]}


def mark_every_ticket(conn, account: int) -> None:
    """The full decision of every ticket: all of them marked for the worker at once."""
    conn.execute(
        "INSERT INTO sla_dirty_tickets (account_id, ticket_id, since)"
        " SELECT account_id, id, created_at FROM tickets WHERE account_id = %s"
        " ON CONFLICT DO NOTHING",
        (account,),
    )
    conn.execute("ANALYZE sla_dirty_tickets")


def recompute(conn, account: int, tickets: int, change, label: str) -> dict:
    """Commit ``change`` and wait until every ticket has been decided again."""
    start = time.monotonic()
    change(conn, account)
    samples, next_sample, first_pct = [], start, None
    while True:
        p = progress(conn, account)
        if label == "full":
            p = {"queued": tickets, "queued_all": True, "waiting": p["waiting"]}
        elapsed = time.monotonic() - start
        decided = p["queued"] - p["waiting"]
        if first_pct is None and decided >= tickets // 100:
            first_pct = elapsed
        if time.monotonic() >= next_sample:
            samples.append({"s": round(elapsed, 1), "queued": p["queued"], "decided": decided})
            print(f"  {label}: {elapsed:6.1f} s queued {p['queued']:>9,} decided {decided:>9,}",
                  file=sys.stderr, flush=True)  # fmt: skip
            next_sample += PROGRESS_EVERY_S
        if p["queued_all"] and p["waiting"] == 0:
            break
        if elapsed > 3600:
            raise RuntimeError(f"{label}: no end after an hour: {p}")
        time.sleep(0.5)
    total = time.monotonic() - start
    timers = conn.execute(
        "SELECT count(*) FROM escalation_timers WHERE account_id = %s", (account,)
    ).fetchone()[0]
    return {
        "change": label,
        "tickets": tickets,
        "seconds": round(total, 1),
        "oldest_1pct_decided_after_s": round(first_pct or total, 1),
        "timers": timers,
        "progress": samples,
    }


WRITERS = 8
WRITERS_ALONE_S = 10.0


def writer(url: str, account: int, stop: threading.Event, samples: list, seed_: int) -> None:
    """Another service changing tickets of the account with plain SQL, one at a time:
    appends (when it began, how long it took)."""
    rng = random.Random(seed_)
    with psycopg.connect(url, autocommit=True) as conn:
        low, high = conn.execute(
            "SELECT min(id), max(id) FROM tickets WHERE account_id = %s", (account,)
        ).fetchone()  # type: ignore[misc]
        while not stop.is_set():
            began = time.perf_counter()
            conn.execute(
                "UPDATE tickets SET priority = CASE priority WHEN 'high' THEN 'normal'"
                " ELSE 'high' END WHERE account_id = %s AND id = %s",
                (account, rng.randint(low, high)),
            )
            samples.append((began, time.perf_counter() - began))


def latency(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "writes": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[int(len(ordered) * 0.99)] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def with_writers(url: str, conn, account: int, tickets: int) -> dict:
    """Writers alone for a while, then through a recompute (a target change): their latency."""
    stop = threading.Event()
    samples: list[tuple[float, float]] = []
    threads = [
        threading.Thread(target=writer, args=(url, account, stop, samples, n))
        for n in range(WRITERS)
    ]
    for t in threads:
        t.start()
    time.sleep(WRITERS_ALONE_S)
    changed = time.perf_counter()
    run_ = recompute(conn, account, tickets, change_target_back, "target back")
    stop.set()
    for t in threads:
        t.join()
    return {
        "alone": latency([took for began, took in samples if began < changed]),
        "during": latency([took for began, took in samples if began >= changed]),
        "recompute_s": run_["seconds"],
    }


def change_target_back(conn, account: int) -> None:
    conn.execute(
        "UPDATE escalations SET target_minutes = 10080, version = version + 1,"
        " updated_at = now() WHERE account_id = %s AND target_metric = 'first_response'",
        (account,),
    )


def run(
    admin_url: str,
    tickets: int,
    workers: int,
    compare: bool = True,
    mixed: bool = False,
    writers: bool = False,
) -> dict:
    name = f"tickiti_bench_recompute_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(admin_url, name)
    procs: list[subprocess.Popen] = []
    result: dict = {"tickets": tickets, "workers": workers, "mixed": mixed, "runs": []}
    try:
        db.migrate(url)
        env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING", "WORKER_POLL_MS": "100"}
        with psycopg.connect(url, autocommit=True) as conn:
            print(f"escalation recompute: seeding {tickets:,} tickets", file=sys.stderr)
            seeded = time.monotonic()
            account = seed(conn, tickets, mixed)
            result["seed_s"] = round(time.monotonic() - seeded, 1)
            procs = [
                subprocess.Popen(
                    [sys.executable, "-m", "tickiti_workflow.cli", "worker"], cwd=ROOT, env=env
                )
                for _ in range(workers)
            ]
            changes = [
                (create_escalations, "arm"),
                (change_target, "target"),
                (change_hours, "hours"),
            ]
            if compare:
                changes.append((mark_every_ticket, "full"))
            for change, label in changes:
                result["runs"].append(recompute(conn, account, tickets, change, label))
                conn.execute("VACUUM ANALYZE escalation_timers")
                conn.execute("VACUUM ANALYZE sla_dirty_tickets")
            if writers:
                result["writers"] = with_writers(url, conn, account, tickets)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return result


LABELS = {
    "arm": "escalations created: every clock armed",
    "target": "an escalation's target changed",
    "hours": "business hours changed",
    "full": "for comparison: every ticket through the full decision",
}


def markdown(r: dict) -> str:
    lines = [
        f"| change ({r['tickets']:,} {'mixed' if r.get('mixed') else 'open'} tickets,"
        f" {r['workers']} worker processes) | recompute "
        "| tickets/s | half decided after | oldest 1% decided after | timers |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for run_ in r["runs"]:
        half = next(
            (p["s"] for p in run_["progress"] if p["decided"] >= r["tickets"] // 2),
            run_["seconds"],
        )
        lines.append(
            f"| {LABELS[run_['change']]} | {run_['seconds']} s "
            f"| {r['tickets'] / run_['seconds']:,.0f} | {half} s "
            f"| {run_['oldest_1pct_decided_after_s']} s | {run_['timers']:,} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("BENCH_ADMIN_URL", DEFAULT_ADMIN_URL))
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--no-compare", action="store_true", help="skip the full decision of every ticket"
    )
    parser.add_argument(
        "--mixed", action="store_true", help="tickets with status changes and messages"
    )
    parser.add_argument(
        "--writers",
        action="store_true",
        help=f"then {WRITERS} ticket writers alone, and through a recompute: their latency",
    )
    args = parser.parse_args()
    report = run(
        args.url, args.tickets, args.workers, not args.no_compare, args.mixed, args.writers
    )
    print(markdown(report))
    if "writers" in report:
        print(report["writers"])


if __name__ == "__main__":
    main()
