"""Other services' ticket writers, with this service's triggers on and off:
`python bench/ticket_writers.py [--quick]` (also run by bench/run.py).

The tickets table is written all day by other services with plain SQL; this measures what the
triggers this service installs on it cost them. pgbench (installed with apt-get if absent) runs
16 concurrent writers for a fixed time, one row per kind of write:

  insert      autocommit INSERT INTO tickets, into one queue of the account
  insert+2ms  BEGIN; the same INSERT; 2 ms of other work (pg_sleep); COMMIT
  status      one ticket open -> solved, or solved -> open (autocommit UPDATE)
  move        one ticket from queue A to queue B, or back (autocommit UPDATE)

each in one account (every writer in the same account and queue) and spread over 50 accounts
(each transaction in a random one). Status changes and moves touch tickets of the writer's own,
so writers never wait for each other's ticket rows: only for what the triggers add.

Every row is measured with the triggers on and off (`ALTER TABLE tickets DISABLE TRIGGER USER`,
then each trigger re-enabled exactly as it was), and with the service's triggers replaced by an
empty one (a plpgsql row trigger that only returns: the floor of any trigger-based capture,
what PostgreSQL itself charges for calling a row trigger), in the same run, in interleaved
rounds (on, off, empty; empty, off, on; ...), so the drifts of a shared machine fall out of the
ratios: tps are medians over the rounds, each ratio the median of the rounds' paired ratios.
What a run with the triggers off (or with only the empty trigger) wrote is undone with them
still off, so whatever the triggers keep (counts, change rows) stays exactly right for the runs
with them on; inserted tickets are deleted after each insert row.

The script creates its own database on the server (BENCH_ADMIN_URL or --url, default the local
PostgreSQL), migrates it, seeds it, and drops it at the end. About 10 minutes by default, about
2 minutes with --quick.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tickiti_workflow import db  # noqa: E402
from tickiti_workflow.devserver import with_database  # noqa: E402

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"

# Seeded ids: fixed, so pgbench can compute every id from an account index and its client id.
ACCOUNTS = 50
ACCOUNT_BASE = 1_000  # account a (0..49) has id ACCOUNT_BASE + a
QUEUE_A_BASE = 100_000  # its queue A: QUEUE_A_BASE + a
QUEUE_B_BASE = 200_000  # its queue B: QUEUE_B_BASE + a
TICKET_BASE = 1_000_000_000  # far above the ids the inserts are given
POOL = 50  # tickets of each (account, client) pair that status changes and moves touch
BASELINE = 1_000  # other open tickets in each of queues A and B of every account

PREAMBLE = f"""\
\\set a random(0, :accounts - 1)
\\set aid {ACCOUNT_BASE} + :a
\\set qa {QUEUE_A_BASE} + :a
\\set qb {QUEUE_B_BASE} + :a
\\set tid {TICKET_BASE} + (:a * :clients + :client_id) * {POOL} + random(0, {POOL - 1})
"""
INSERT = (
    "INSERT INTO tickets (account_id, queue_id, status, priority, subject)"
    " VALUES (:aid, :qa, 'new', 'normal', 'bench writer');\n"
)
ROWS = {
    "insert": ("autocommit `INSERT INTO tickets` into one queue", INSERT),
    "insert+2ms": (
        "`INSERT`, 2 ms of other work, `COMMIT`",
        f"BEGIN;\n{INSERT}SELECT pg_sleep(0.002);\nCOMMIT;\n",
    ),
    "status": (
        "status change of one ticket (open → solved → open)",
        "UPDATE tickets SET status = CASE status WHEN 'solved' THEN 'open' ELSE 'solved' END,"
        " updated_at = now() WHERE account_id = :aid AND id = :tid;\n",
    ),
    "move": (
        "move of one ticket between two queues",
        "UPDATE tickets SET queue_id = CASE queue_id WHEN :qa THEN CAST(:qb AS bigint)"
        " ELSE :qa END, updated_at = now() WHERE account_id = :aid AND id = :tid;\n",
    ),
}
SCOPES = {"one account": 1, "50 accounts": ACCOUNTS}


def seed_sql(clients: int) -> str:
    return f"""
INSERT INTO accounts (id, name, plan_code)
SELECT {ACCOUNT_BASE} + a, 'writers ' || a, 'pro' FROM generate_series(0, {ACCOUNTS - 1}) a;
INSERT INTO queues (account_id, id, name)
SELECT {ACCOUNT_BASE} + a, base + a, name
FROM generate_series(0, {ACCOUNTS - 1}) a,
     (VALUES ({QUEUE_A_BASE}, 'Writers A'), ({QUEUE_B_BASE}, 'Writers B')) q (base, name);
INSERT INTO tickets (account_id, queue_id, status, priority, subject)
SELECT {ACCOUNT_BASE} + a, base + a, 'open', 'normal', 'baseline ' || n
FROM generate_series(0, {ACCOUNTS - 1}) a, (VALUES ({QUEUE_A_BASE}), ({QUEUE_B_BASE})) q (base),
     generate_series(1, {BASELINE}) n;
INSERT INTO tickets (account_id, id, queue_id, status, priority, subject)
SELECT {ACCOUNT_BASE} + a, {TICKET_BASE} + (a * {clients} + c) * {POOL} + k,
       {QUEUE_A_BASE} + a, 'open', 'normal', 'pool'
FROM generate_series(0, {ACCOUNTS - 1}) a, generate_series(0, {clients - 1}) c,
     generate_series(0, {POOL - 1}) k;
"""


TRIGGER_STATES = {"O": "ENABLE", "A": "ENABLE ALWAYS", "R": "ENABLE REPLICA"}
EMPTY_TRIGGER = """
CREATE OR REPLACE FUNCTION bench_empty_trigger() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER bench_empty AFTER INSERT OR UPDATE OR DELETE ON tickets
    FOR EACH ROW EXECUTE FUNCTION bench_empty_trigger();
"""
STATES = ("on", "off", "empty")


def ensure_pgbench() -> str:
    found = shutil.which("pgbench")
    if found:
        return found
    print("pgbench not found: installing postgresql-client with apt-get", file=sys.stderr)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, timeout=300)
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-qq", "postgresql-client"], check=True, timeout=300
    )
    found = shutil.which("pgbench")
    if not found:
        raise SystemExit("could not install pgbench")
    return found


class Triggers:
    """This service's triggers on tickets, switched off and back on exactly as they were."""

    def __init__(self, url: str):
        self.url = url
        with psycopg.connect(url) as conn:
            self.states = conn.execute(
                "SELECT tgname, tgenabled FROM pg_trigger"
                " WHERE tgrelid = 'tickets'::regclass AND NOT tgisinternal ORDER BY tgname"
            ).fetchall()
        if not any(state != "D" for _, state in self.states):
            raise SystemExit("no enabled user trigger on tickets: nothing to compare")

    @property
    def names(self) -> list[str]:
        return [name for name, state in self.states if state != "D"]

    def set(self, state: str) -> None:
        """``on`` (as they were), ``off`` (none), ``empty`` (only a trigger that returns)."""
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("SET lock_timeout = '30s'")
            conn.execute("DROP TRIGGER IF EXISTS bench_empty ON tickets")
            if state != "on":
                conn.execute("ALTER TABLE tickets DISABLE TRIGGER USER")
                if state == "empty":
                    conn.execute(EMPTY_TRIGGER)
                return
            for name, was in self.states:
                if was in TRIGGER_STATES:
                    conn.execute(f'ALTER TABLE tickets {TRIGGER_STATES[was]} TRIGGER "{name}"')


def pgbench(
    pgbench_bin: str, url: str, script: Path, seconds: int, clients: int, accounts: int, jobs: int
) -> float:
    cmd = [
        pgbench_bin, "--no-vacuum", "--protocol=prepared", f"--client={clients}",
        f"--jobs={jobs}", f"--time={seconds}", f"--file={script}",
        f"--define=accounts={accounts}", f"--define=clients={clients}", url,
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120)
    match = re.search(r"^tps = ([0-9.]+)", proc.stdout, re.MULTILINE)
    if proc.returncode != 0 or not match or "aborted" in proc.stdout + proc.stderr:
        raise SystemExit(f"pgbench failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return float(match.group(1))


def seed(url: str, clients: int) -> None:
    t0 = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(seed_sql(int(clients)))
        conn.execute("VACUUM ANALYZE")
    print(f"seeded in {time.perf_counter() - t0:.1f} s", flush=True)


def before_off_run(url: str) -> int:
    """Note the pool's state and the last ticket id before a run with the triggers off."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS writers_pool_before")
        conn.execute(
            "CREATE UNLOGGED TABLE writers_pool_before AS SELECT account_id, id, status,"
            f" queue_id FROM tickets WHERE id >= {TICKET_BASE}"
        )
        return conn.execute(f"SELECT max(id) FROM tickets WHERE id < {TICKET_BASE}").fetchone()[0]  # type: ignore[index]


def undo_off_run(url: str, last_id: int) -> None:
    """Undo, with the triggers still off, what a run with them off wrote: whatever the
    service's triggers keep stays exactly right for the runs with them on."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DELETE FROM tickets WHERE id > %s AND id < {TICKET_BASE}", (last_id,))
        conn.execute(
            "UPDATE tickets t SET status = b.status, queue_id = b.queue_id"
            " FROM writers_pool_before b WHERE t.account_id = b.account_id AND t.id = b.id"
            " AND (t.status, t.queue_id) IS DISTINCT FROM (b.status, b.queue_id)"
        )


def clean_up_inserts(url: str, triggers: Triggers) -> None:
    """Delete the inserted tickets after an insert row (the triggers on, as they were when
    these were inserted), so every row meets a table of the same size."""
    triggers.set("on")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DELETE FROM tickets WHERE subject = 'bench writer'")
        conn.execute("VACUUM ANALYZE tickets")


def measure(url: str, duration: int, rounds: int, clients: int, jobs: int) -> dict:
    """Every row and scope, ``rounds`` interleaved on/off pairs each."""
    pgbench_bin = ensure_pgbench()
    triggers = Triggers(url)
    print(f"triggers on tickets: {', '.join(triggers.names)}", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="tickiti-writers-") as tmp:
        for row, (label, body) in ROWS.items():
            script = Path(tmp) / f"{row}.sql"
            script.write_text(PREAMBLE + body)
            for scope, accounts in SCOPES.items():
                runs: dict[str, list[float]] = {state: [] for state in STATES}
                for i in range(rounds):
                    for state in STATES if i % 2 == 0 else reversed(STATES):
                        triggers.set(state)
                        last_id = None if state == "on" else before_off_run(url)
                        tps = pgbench(pgbench_bin, url, script, duration, clients, accounts, jobs)
                        runs[state].append(tps)
                        if state != "on":
                            triggers.set("off")
                            undo_off_run(url, last_id)  # type: ignore[arg-type]
                ratios = [a / b for a, b in zip(runs["on"], runs["off"], strict=True)]
                floors = [a / b for a, b in zip(runs["empty"], runs["off"], strict=True)]
                result = {
                    "row": row,
                    "label": label,
                    "scope": scope,
                    "tps_on": statistics.median(runs["on"]),
                    "tps_off": statistics.median(runs["off"]),
                    "tps_empty": statistics.median(runs["empty"]),
                    "ratio": statistics.median(ratios),
                    "floor": statistics.median(floors),
                    "rounds_on": [round(x) for x in runs["on"]],
                    "rounds_off": [round(x) for x in runs["off"]],
                }
                results.append(result)
                print(
                    f"  {row:<11} {scope:<12} on {result['tps_on']:7.0f} tps"
                    f"  off {result['tps_off']:7.0f} tps  ratio {result['ratio']:4.0%}"
                    f"  (rounds {', '.join(f'{r:.0%}' for r in ratios)})"
                    f"  empty trigger {result['floor']:4.0%}",
                    flush=True,
                )
            if row.startswith("insert"):
                clean_up_inserts(url, triggers)
        triggers.set("on")
    return {
        "clients": clients,
        "jobs": jobs,
        "duration": duration,
        "rounds": rounds,
        "triggers": triggers.names,
        "rows": results,
    }


def run(
    admin_url: str, duration: int, rounds: int, clients: int = 16, jobs: int = 2, keep=False
) -> dict:
    """Create a database on the server at admin_url, measure, drop it."""
    name = f"tickiti_writers_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(admin_url, name)
    try:
        db.migrate(url)
        seed(url, clients)
        return measure(url, duration, rounds, clients, jobs)
    finally:
        if not keep:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def markdown(report: dict) -> str:
    lines = [
        f"pgbench, {report['clients']} clients ({report['jobs']} threads, prepared statements), "
        f"{report['rounds']} interleaved rounds of {report['duration']} s per cell with this "
        f"service's triggers on tickets on ({', '.join(report['triggers'])}) and off "
        "(`DISABLE TRIGGER USER`), and with only an empty plpgsql row trigger (the floor of any "
        "trigger); tps are medians over the rounds, each ratio the median of the rounds' "
        "paired ratios to the runs without triggers.",
        "",
        "| writers | scope | tps on | tps off | ratio | empty trigger | per round: on / off |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for r in report["rows"]:
        rounds = ", ".join(
            f"{on} / {off}" for on, off in zip(r["rounds_on"], r["rounds_off"], strict=True)
        )
        lines.append(
            f"| {r['label']} | {r['scope']} | {r['tps_on']:,.0f} | {r['tps_off']:,.0f} "
            f"| {r['ratio']:.0%} | {r['floor']:.0%} | {rounds} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 rounds of 2 s runs (~1 min)")
    parser.add_argument("--url", default=os.environ.get("BENCH_ADMIN_URL", DEFAULT_ADMIN_URL),
                        help="server to create the database on (BENCH_ADMIN_URL)")  # fmt: skip
    parser.add_argument("--duration", type=int, help="seconds per run (8; 2 with --quick)")
    parser.add_argument("--rounds", type=int, help="on/off pairs per cell (3; 2 with --quick)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent writers (16)")
    parser.add_argument("--jobs", type=int, default=2, help="pgbench threads (2)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--markdown", type=Path, help="also write the table here")
    args = parser.parse_args()
    duration = args.duration or (2 if args.quick else 8)
    rounds = args.rounds or (2 if args.quick else 3)
    report = run(args.url, duration, rounds, args.clients, args.jobs, args.keep)
    text = markdown(report)
    print("\n" + text)
    if args.markdown:
        args.markdown.write_text(text + "\n")


if __name__ == "__main__":
    main()
