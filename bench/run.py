"""The one-command benchmark: `python bench/run.py [--quick]` (see docs/PERFORMANCE.md).

1. Creates a fresh database (on BENCH_ADMIN_URL, default the local PostgreSQL at
   postgresql://postgres@127.0.0.1:5432/postgres; the embedded one if that does not answer),
   migrates it and fills it with set-based SQL (bench/data.sql, tickets.sql, small.sql): one
   large account (200 queues, 1,000,000 tickets, 50 categories, 20 interventions with fields,
   50 escalations), an identical 'twin' account without tickets, and 2,000 small accounts.
2. Starts the service under gunicorn as the Procfile does (gunicorn.conf.py), with the app
   'bench.ceilings:create_app()': the service plus the two ceiling endpoints.
3. Drives every read endpoint and the main write endpoints with wrk (installed with apt-get if
   absent): a warm-up, then rounds in which each endpoint's run follows a run of the stack
   ceiling (POST /bench/select1 → one SELECT 1 through the same pool); prints requests/s, p50
   and p99 beside it and the framework ceiling (POST /bench/empty → {}), measured in the same
   run on the same configuration; then the lists again on a server with the list cache off.
4. Times listing queues for the 1M-ticket account against its ticketless twin, moving 100,000
   tickets (with history rows) through the API, and the business-time engine; compares
   gunicorn worker models; drops the database.
5. Measures other services' ticket writers with this service's triggers on tickets on and off
   (bench/ticket_writers.py, pgbench, in a database of its own; --no-ticket-writers skips it,
   --ticket-writers-only runs nothing else).
6. Moves a queue of 1,000,000 tickets (100,000 with --quick) in a worker process while other
   services' writers keep writing, and reports the move's rate and the writers' longest wait
   (bench/bulk_move.py; --no-bulk-move skips it).
7. Measures how late escalations fire: 2,000 tickets falling due over a minute, and 50,000
   (5,000 with --quick) due at one instant (bench/escalation_lag.py; --no-escalations skips it).
8. Times the background recompute of every clock of a 1,000,000-ticket account (100,000 with
   --quick) when its escalations are created, a target changes and the business hours change,
   with its progress, and side by side the full per-ticket decision of every ticket
   (bench/escalation_recompute.py; --no-recompute skips it).

Everything is bounded: about 27 minutes in full without the recompute (which takes about 5
more on 2 cores, half of it seeding the account), about 10 with --quick.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import statistics
import string
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import bulk_move  # noqa: E402  (bench/bulk_move.py, beside this script)
import escalation_lag  # noqa: E402  (bench/escalation_lag.py, beside this script)
import escalation_recompute  # noqa: E402  (bench/escalation_recompute.py, beside this script)
import ticket_writers  # noqa: E402  (bench/ticket_writers.py, beside this script)

from tickiti_workflow import db  # noqa: E402
from tickiti_workflow.devserver import (  # noqa: E402
    free_port,
    start_gunicorn,
    wait_until,
    with_database,
)

BENCH = ROOT / "bench"
API = "/api/v1/workflow"
EMPTY = "/bench/empty"  # answers {}: the framework ceiling
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


# --- setup ------------------------------------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk not found: installing it with apt-get", file=sys.stderr)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, timeout=300)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True, timeout=300)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("could not install wrk")
    return found


def admin_url() -> str:
    url = os.environ.get("BENCH_ADMIN_URL", DEFAULT_ADMIN_URL)
    try:
        with psycopg.connect(url, connect_timeout=3):
            return url
    except psycopg.OperationalError:
        from tickiti_workflow import embedded

        print("no PostgreSQL at BENCH_ADMIN_URL: using the embedded one", file=sys.stderr)
        return embedded.start(ROOT / ".tickiti-bench")


def run_sql_file(conn: psycopg.Connection, name: str, **params: int) -> None:
    text = string.Template((BENCH / name).read_text()).substitute(
        {k: str(int(v)) for k, v in params.items()}
    )
    conn.execute(text)


@contextlib.contextmanager
def folding(url: str):
    """Fold ticket count changes every second, as the worker does in service. The rest of the
    worker (the escalation runtime) is left out: its work would load the measured server."""
    stop = threading.Event()

    def loop():
        with psycopg.connect(url, autocommit=True) as conn:
            while not stop.wait(1.0):
                while conn.execute("SELECT fold_ticket_count_changes(50000)").fetchone()[0]:
                    pass

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(10)


def bench_token(account_id: int, n) -> str:
    """The predictable secret bench/data.sql gives token n of an account (a real token's shape)."""
    return "tkt_" + f"bench_{account_id}_{n}".ljust(43, "x")


def build_data(url: str, scale: dict[str, int]) -> None:
    t0 = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        run_sql_file(conn, "data.sql", **scale)
        chunk = 200_000
        for lo in range(0, scale["big_tickets"], chunk):
            hi = min(lo + chunk, scale["big_tickets"])
            run_sql_file(conn, "tickets.sql", lo=lo, hi=hi, **scale)
        run_sql_file(conn, "small.sql", **scale)
        # What the worker does a second after other services' writes: fold their count changes.
        while conn.execute("SELECT fold_ticket_count_changes(500000)").fetchone()[0]:  # type: ignore[index]
            pass
        conn.execute("VACUUM ANALYZE")
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print(f"data built in {time.perf_counter() - t0:.0f} s ({size.fetchone()[0]})", flush=True)  # type: ignore[index]


def fixtures(url: str) -> dict:
    """Ids and tokens the load needs."""
    with psycopg.connect(url) as conn:

        def account(name):
            return conn.execute("SELECT id FROM accounts WHERE name = %s", (name,)).fetchone()[0]

        big, twin = account("big"), account("twin")

        def tokens(account_id):
            rows = conn.execute(
                "SELECT name FROM api_tokens WHERE account_id = %s ORDER BY id", (account_id,)
            ).fetchall()
            return [bench_token(account_id, r[0].split()[-1]) for r in rows]

        def ids(query, *args):
            return [r[0] for r in conn.execute(query, args).fetchall()]

        queues = ids(
            "SELECT id FROM queues WHERE account_id = %s AND name <> 'Bulk' AND NOT is_builtin"
            " ORDER BY id",
            big,
        )
        bulk = ids("SELECT id FROM queues WHERE account_id = %s AND name = 'Bulk'", big)[0]
        inbox = ids("SELECT id FROM queues WHERE account_id = %s AND is_builtin", big)[0]
        categories = ids("SELECT id FROM resolution_categories WHERE account_id = %s", big)
        small = conn.execute(
            "SELECT a.id, min(q.id), max(q.id) FROM accounts a"
            " JOIN queues q ON q.account_id = a.id AND NOT q.is_builtin"
            " WHERE a.name LIKE 'small %%' GROUP BY a.id ORDER BY a.id"
        ).fetchall()
        return {
            "big": big,
            "twin": twin,
            "big_tokens": tokens(big),
            "twin_tokens": tokens(twin),
            "queues": queues,
            "bulk": bulk,
            "inbox": inbox,
            "categories": categories,
            "small_tokens": [bench_token(a, 1) for a, _, _ in small],
            "small_pairs": [f"{bench_token(a, 1)}:{q1}:{q2}" for a, q1, q2 in small],
        }


# --- the server -------------------------------------------------------------------------------


class Server:
    """gunicorn as the Procfile runs it, with the given worker model."""

    def __init__(
        self,
        url: str,
        workers: int,
        threads: int,
        pool: int,
        worker_class="gthread",
        app="bench.ceilings:create_app()",
        ready="/healthz",
        **extra,
    ):
        self.port = free_port()
        self.label = f"{worker_class} {workers}×{threads}, pool {pool}"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "PORT": str(self.port),
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_THREADS": str(threads),
            "DATABASE_POOL_SIZE": str(pool),
            **extra,
        }
        if worker_class != "gthread":
            env["GUNICORN_CMD_ARGS"] = f"--worker-class {worker_class}"
        self.log = open(f"/tmp/tickiti-bench-{os.getpid()}-gunicorn.log", "ab")  # noqa: SIM115
        self.proc = start_gunicorn(
            env,
            app,
            stdout=subprocess.DEVNULL,  # the JSON access log: formatted, then discarded
            stderr=self.log,
            start_new_session=True,
        )

        def ready_now() -> bool:
            # A GET of the health check, or a POST of {} to a path that needs no database.
            body = None if ready == "/healthz" else b"{}"
            try:
                with urllib.request.urlopen(self.base + ready, body, timeout=2) as r:
                    return r.status == 200
            except OSError:
                return False

        try:
            wait_until(ready_now, 30, interval=0.2, what="gunicorn")
        except AssertionError:
            self.stop()
            raise SystemExit(f"gunicorn did not start; see {self.log.name}") from None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def post(self, path: str, body: dict, token: str, timeout: float = 60) -> tuple[dict, float]:
        req = urllib.request.Request(
            self.base + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
            method="POST",
        )
        t0 = time.perf_counter()
        with urllib.request.urlopen(req, timeout=timeout) as r:
            data = json.loads(r.read())
        return data, time.perf_counter() - t0

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=25)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.log.close()


# --- load -------------------------------------------------------------------------------------


def wrk(
    wrk_bin: str,
    server: Server,
    path: str,
    seconds: float,
    connections: int,
    threads: int = 1,
    **env: str,
) -> dict:
    cmd = [
        wrk_bin, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
        "--timeout", "10s", "-s", str(BENCH / "wrk.lua"), server.base,
    ]  # fmt: skip
    proc = subprocess.run(
        cmd,
        env={**os.environ, "BENCH_PATH": path, "BENCH_SALT": f"{time.time_ns():x}", **env},
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    rows = [
        json.loads(line.removeprefix("BENCH_JSON "))
        for line in proc.stdout.splitlines()
        if line.startswith("BENCH_JSON ")
    ]
    if not rows:
        raise SystemExit(f"wrk printed no summary:\n{proc.stdout}\n{proc.stderr}")
    r = rows[0]  # done() sees the totals of all threads; each thread prints the same
    errors = sum(v for k, v in r.items() if k.startswith("errors_"))
    return {
        "rps": r["requests"] / (r["duration_us"] / 1e6),
        "p50_ms": r["p50_us"] / 1000,
        "p99_ms": r["p99_us"] / 1000,
        "requests": r["requests"],
        "errors": errors,
    }


def measure(wrk_bin, server, path, args, connections=None, **env) -> dict:
    connections = connections or args.connections
    wrk(wrk_bin, server, path, args.warmup, connections, **env)
    return wrk(wrk_bin, server, path, args.duration, connections, **env)


def endpoints(f: dict) -> list[tuple[str, str, str, dict]]:
    """(name, kind, path, wrk env) for every measured endpoint."""
    big = ",".join(f["big_tokens"])
    twin = ",".join(f["twin_tokens"])
    preview = json.dumps({"start": "2026-03-02T10:00:00Z", "minutes": 30 * 8 * 60})
    return [
        ("framework ceiling: {}", "ceiling", EMPTY, {}),
        ("stack ceiling: SELECT 1", "ceiling", "/bench/select1", {}),
        ("queues (1M tickets, 200 queues)", "list", f"{API}/queues", {"BENCH_TOKENS": big}),
        ("queues (twin: 0 tickets, 200 queues)", "list", f"{API}/queues",
         {"BENCH_TOKENS": twin}),
        ("queues (small account)", "list", f"{API}/queues",
         {"BENCH_TOKENS": ",".join(f["small_tokens"])}),
        ("resolution-categories (50)", "list", f"{API}/resolution-categories",
         {"BENCH_TOKENS": big}),
        ("interventions (20 with fields)", "list", f"{API}/interventions", {"BENCH_TOKENS": big}),
        ("escalations (50) + business hours", "list", f"{API}/escalations",
         {"BENCH_TOKENS": big}),
        ("audit-events (page of 50)", "list", f"{API}/audit-events", {"BENCH_TOKENS": big}),
        ("business-hours/preview (30 days)", "read", f"{API}/business-hours/preview",
         {"BENCH_TOKENS": big, "BENCH_BODY": preview}),
        ("queues/create (small accounts)", "write", f"{API}/queues/create",
         {"BENCH_KIND": "queue_create", "BENCH_TOKENS": ",".join(f["small_tokens"])}),
        ("queues/update (rename)", "write", f"{API}/queues/update",
         {"BENCH_KIND": "queue_update", "BENCH_TOKENS": big,
          "BENCH_IDS": ",".join(map(str, f["queues"]))}),
        ("resolution-categories/update", "write", f"{API}/resolution-categories/update",
         {"BENCH_KIND": "category_update", "BENCH_TOKENS": big,
          "BENCH_IDS": ",".join(map(str, f["categories"]))}),
        ("queues/move (all of a small queue)", "write", f"{API}/queues/move",
         {"BENCH_KIND": "queue_move", "BENCH_PAIRS": ",".join(f["small_pairs"])}),
    ]  # fmt: skip


# --- the parts of the run ---------------------------------------------------------------------


def warm(wrk_bin, server, path, args, env) -> None:
    """Warm up until every token has been used several times (or 60 s): statements prepared on
    every pooled connection, list caches filled in every worker, as in steady service."""
    tokens = sum(len(env.get(k, "").split(",")) for k in ("BENCH_TOKENS", "BENCH_PAIRS"))
    done, started = 0, time.monotonic()
    while True:
        done += wrk(wrk_bin, server, path, args.warmup, args.connections, **env)["requests"]
        if done >= 4 * tokens or time.monotonic() - started > 60:
            return


def endpoint_table(wrk_bin, server, f, args, only_kinds=None) -> list[dict]:
    """Every endpoint in ``args.rounds`` rounds, each run right after a run of the stack
    ceiling: the ratio to the ceiling is the median of these paired ratios, so the drifts of a
    shared machine (the same cell moves by 2× within a minute here) fall out of the ratio.
    The other columns are medians over the rounds."""
    todo = [e for e in endpoints(f) if only_kinds is None or e[1] in only_kinds]
    for _name, kind, path, env in todo:
        if kind == "list":
            warm(wrk_bin, server, path, args, env)
        else:
            wrk(wrk_bin, server, path, args.warmup, args.connections, **env)
    (empty_name, _, empty_path, _), (stack_name, _, stack_path, _) = todo[:2]
    runs: dict[str, list[dict]] = {name: [] for name, *_ in todo}

    def run(name, path, env, paired_with=None):
        r = wrk(wrk_bin, server, path, args.duration, args.connections, **env)
        if paired_with is not None:
            r["vs_stack"] = r["rps"] / paired_with["rps"]
        runs[name].append(r)
        print(
            f"  {name:<40} {r['rps']:>8.0f} req/s  p50 {r['p50_ms']:6.2f} ms"
            f"  p99 {r['p99_ms']:6.2f} ms  errors {r['errors']}"
            + (f"  ({r['vs_stack']:.0%} of SELECT 1 just before)" if paired_with else ""),
            flush=True,
        )
        return r

    for i in range(args.rounds):
        print(f"  -- round {i + 1} of {args.rounds}", flush=True)
        empty = run(empty_name, empty_path, {})
        stack = run(stack_name, stack_path, {})
        empty.update(vs_framework=1.0, vs_stack=empty["rps"] / stack["rps"])
        stack.update(vs_framework=stack["rps"] / empty["rps"], vs_stack=1.0)
        for name, _kind, path, env in todo[2:]:
            ceiling = wrk(wrk_bin, server, stack_path, args.duration, args.connections)
            r = run(name, path, env, paired_with=ceiling)
            r["vs_framework"] = r["rps"] / empty["rps"]
    results = []
    for name, kind, _path, _env in todo:
        rs = runs[name]
        results.append(
            {
                "name": name,
                "kind": kind,
                "rps": statistics.median(r["rps"] for r in rs),
                "p50_ms": statistics.median(r["p50_ms"] for r in rs),
                "p99_ms": statistics.median(r["p99_ms"] for r in rs),
                "errors": sum(r["errors"] for r in rs),
                "rounds_rps": [round(r["rps"]) for r in rs],
                "vs_framework": statistics.median(r["vs_framework"] for r in rs),
                "vs_stack": statistics.median(r["vs_stack"] for r in rs),
                "rounds_vs_stack": [round(r["vs_stack"], 2) for r in rs],
            }
        )
    return results


def pipeline_cost(wrk_bin, url: str, args) -> dict:
    """What the service's request pipeline costs: its ``POST /bench/empty`` (hooks, request
    id, JSON access log, error handling) against a bare Flask app's (bench/bare_app.py), both
    on the same gunicorn settings with one sync worker, and the service again with the access
    log off (LOG_LEVEL=WARNING). Runs alternate in ``args.rounds`` rounds; req/s are medians
    over the rounds, each ratio the median of the ratios within a round."""
    setups = {
        "bare": {"app": "bench.bare_app:app"},
        "full": {},
        "full, access log off": {"LOG_LEVEL": "WARNING"},
    }
    servers: dict[str, Server] = {}
    runs: dict[str, list[float]] = {name: [] for name in setups}
    try:
        for name, extra in setups.items():
            servers[name] = Server(url, 1, 1, 1, "sync", ready=EMPTY, **extra)
        for server in servers.values():
            wrk(wrk_bin, server, EMPTY, args.warmup, args.connections)
        names = list(servers)
        for i in range(args.rounds):
            # Each round starts with another server, so none always runs first in a round.
            for name in names[i % len(names) :] + names[: i % len(names)]:
                server = servers[name]
                runs[name].append(
                    wrk(wrk_bin, server, EMPTY, args.duration, args.connections)["rps"]
                )
            print(
                f"  -- round {i + 1}: "
                + ", ".join(f"{name} {rps[-1]:.0f} req/s" for name, rps in runs.items()),
                flush=True,
            )
    finally:
        for server in servers.values():
            server.stop()
    result = {name: {"rps": statistics.median(rps), "rounds_rps": [round(r) for r in rps]}
              for name, rps in runs.items()}  # fmt: skip
    for name in ("full", "full, access log off"):
        ratios = [a / b for a, b in zip(runs[name], runs["bare"], strict=True)]
        result[name]["vs_bare"] = statistics.median(ratios)
        result[name]["rounds_vs_bare"] = [round(r, 2) for r in ratios]
    return result


def pipeline_markdown(cost: dict) -> list[str]:
    lines = [
        "| `POST /bench/empty` → `{}`, sync 1×1 | req/s | vs bare Flask | per round: req/s |",
        "|---|---:|---:|---|",
    ]
    labels = {
        "bare": "bare Flask (bench/bare_app.py)",
        "full": "the service (access log on)",
        "full, access log off": "the service, access log off",
    }
    for name, row in cost.items():
        ratio = f"{row['vs_bare']:.0%}" if "vs_bare" in row else "100%"
        rounds = ", ".join(str(r) for r in row["rounds_rps"])
        lines.append(f"| {labels[name]} | {row['rps']:.0f} | {ratio} | {rounds} |")
    return lines


def queue_list_ratio(wrk_bin, server, f, args) -> dict:
    """One client at a time (pure latency, no queueing): 1M-ticket account vs its twin."""
    out = {}
    for label, tokens in (("big", f["big_tokens"]), ("twin", f["twin_tokens"])):
        env = {"BENCH_TOKENS": ",".join(tokens)}
        out[label] = measure(wrk_bin, server, f"{API}/queues", args, connections=1, **env)
    out["ratio_p50"] = out["big"]["p50_ms"] / out["twin"]["p50_ms"]
    out["ratio_mean"] = out["twin"]["rps"] / out["big"]["rps"]
    return out


def move_100k(server, f, moved_tickets: int) -> list[dict]:
    """Move the whole 'Bulk' queue to the empty Inbox through the API, then back: one
    set-based statement each, with a ticket_events row per ticket."""
    token = f["big_tokens"][0]
    runs = []
    for src, dst in ((f["bulk"], f["inbox"]), (f["inbox"], f["bulk"])):
        body = {"from_queue_id": src, "to_queue_id": dst}
        t0 = time.perf_counter()
        try:
            data, seconds = server.post(f"{API}/queues/move", body, token)
        except urllib.error.HTTPError as exc:  # e.g. 503 database_timeout: report, go on
            seconds = time.perf_counter() - t0
            runs.append({"moved": 0, "seconds": seconds, "status": exc.code})
            print(f"  move of {moved_tickets:,} failed: HTTP {exc.code} after {seconds:.2f} s")
            break
        assert data["moved"] == moved_tickets, data
        runs.append({"moved": data["moved"], "seconds": seconds, "status": 200})
        print(f"  moved {data['moved']:,} tickets in {seconds:.2f} s", flush=True)
    return runs


def engine() -> str:
    proc = subprocess.run(
        [sys.executable, str(BENCH / "bench_business_time.py")],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return proc.stdout.strip()


MODELS = [  # (worker class, workers, threads, pool)
    ("gthread", 2, 4, 4),
    ("gthread", 2, 8, 8),
    ("gthread", 3, 2, 2),
    ("gthread", 4, 2, 2),
    ("sync", 4, 1, 1),
]


def model_comparison(wrk_bin, url, f, args) -> list[dict]:
    rows = []
    big = ",".join(f["big_tokens"])
    for worker_class, workers, threads, pool in MODELS:
        server = Server(url, workers, threads, pool, worker_class)
        try:
            row: dict = {"model": server.label}
            connections = max(args.connections, 2 * workers * threads)
            for key, path, env in (
                ("select1", "/bench/select1", {}),
                ("queues", f"{API}/queues", {"BENCH_TOKENS": big}),
                ("update", f"{API}/queues/update",
                 {"BENCH_KIND": "queue_update", "BENCH_TOKENS": big,
                  "BENCH_IDS": ",".join(map(str, f["queues"]))}),
            ):  # fmt: skip
                row[key] = measure(wrk_bin, server, path, args, connections=connections, **env)
            rows.append(row)
            print(
                f"  {server.label:<28} select1 {row['select1']['rps']:6.0f}"
                f"  queues {row['queues']['rps']:6.0f} (p99 {row['queues']['p99_ms']:.1f} ms)"
                f"  update {row['update']['rps']:6.0f} (p99 {row['update']['p99_ms']:.1f} ms)",
                flush=True,
            )
        finally:
            server.stop()
    return rows


# --- report -----------------------------------------------------------------------------------


def machine(url: str) -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        mem_kb = 0
    with psycopg.connect(url) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
    wrk_version = wrk_version.split("\n")[0]
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "postgresql": pg,
        "python": platform.python_version(),
        "wrk": wrk_version.strip(),
        "loadavg_at_start": os.getloadavg(),
    }


def endpoint_rows(results: list[dict]) -> list[str]:
    lines = [
        "| endpoint | req/s | p50 ms | p99 ms | vs `{}` | vs `SELECT 1` | errors "
        "| per round: req/s (vs `SELECT 1`) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['name']} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} "
            f"| {r['vs_framework']:.0%} | {r['vs_stack']:.0%} | {r['errors']} "
            + " | "
            + ", ".join(
                f"{rps} ({ratio:.0%})"
                for rps, ratio in zip(r["rounds_rps"], r["rounds_vs_stack"], strict=True)
            )
            + " |"
        )
    return lines


def markdown(report: dict) -> str:
    lines = []
    m = report["machine"]
    lines += [
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gib']} GiB RAM, "
        f"Linux {m['kernel']}, PostgreSQL {m['postgresql']} (same machine), "
        f"Python {m['python']}, {m['wrk']}; load average at start "
        f"{', '.join(f'{x:.2f}' for x in m['loadavg_at_start'])}.",
        "",
        f"Server: {report['server']}; wrk {report['connections']} connections, 1 thread; "
        f"warm-up {report['warmup']} s per endpoint (lists: until every token was used 4 "
        f"times), then {report['rounds']} rounds of {report['duration']} s runs, each "
        "endpoint's run right after a `SELECT 1` run; req/s and latencies are medians over "
        "the rounds, `vs SELECT 1` the median of the paired ratios.",
        "",
    ]
    lines += endpoint_rows(report["endpoints"])
    lines += [
        "",
        "What the request pipeline costs: the service's `{}` against a bare Flask app's, "
        "same gunicorn settings, one sync worker, runs alternating:",
        "",
        *pipeline_markdown(report["pipeline"]),
    ]
    lines += [
        "",
        "The same lists with the list cache off (`LIST_CACHE_MB=0`: every list rendered "
        "afresh, as right after a change), against this server's own ceilings:",
        "",
    ]
    lines += endpoint_rows(report["cold"])
    q = report["queue_ratio"]
    lines += [
        "",
        f"Queue list, cache off, one client: 1M-ticket account p50 {q['big']['p50_ms']:.2f} ms, "
        f"ticketless twin p50 {q['twin']['p50_ms']:.2f} ms → ratio {q['ratio_p50']:.2f} "
        f"(mean-latency ratio {q['ratio_mean']:.2f}).",
    ]
    for run in report["move"]:
        lines.append(
            f"Moving all tickets of a queue through `POST /queues/move` in the request (the "
            f"largest synchronous move; HTTP round trip included): HTTP {run['status']}, "
            f"{run['moved']:,} moved in {run['seconds']:.2f} s."
        )
    lines += ["", "Business-time engine (bench/bench_business_time.py):", "", "```"]
    lines += [report["engine"], "```"]
    if report.get("ticket_writers"):
        lines += ["", ticket_writers.markdown(report["ticket_writers"])]
    if report.get("bulk_move"):
        lines += ["", bulk_move.markdown(report["bulk_move"])]
    if report.get("escalation_lag"):
        lines += ["", escalation_lag.markdown(report["escalation_lag"])]
    if report.get("escalation_recompute"):
        lines += ["", escalation_recompute.markdown(report["escalation_recompute"])]
    if report.get("models"):
        lines += [
            "",
            "| worker model | SELECT 1 req/s | queues req/s | queues p99 ms "
            "| queues/update req/s | update p99 ms |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for row in report["models"]:
            lines.append(
                f"| {row['model']} | {row['select1']['rps']:.0f} | {row['queues']['rps']:.0f} "
                f"| {row['queues']['p99_ms']:.1f} | {row['update']['rps']:.0f} "
                f"| {row['update']['p99_ms']:.1f} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100k tickets, 3 s runs")
    parser.add_argument("--workers", type=int, default=1, help="WEB_CONCURRENCY (1)")
    parser.add_argument("--rounds", type=int, help="interleaved measured rounds (3)")
    parser.add_argument("--duration", type=float, help="measured seconds per round (4)")
    parser.add_argument("--warmup", type=float, help="warm-up seconds per endpoint (2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--no-models", action="store_true", help="skip the worker models")
    parser.add_argument(
        "--no-ticket-writers",
        action="store_true",
        help="skip the ticket writers (bench/ticket_writers.py)",
    )
    parser.add_argument(
        "--ticket-writers-only", action="store_true", help="run only the ticket writers"
    )
    parser.add_argument(
        "--no-bulk-move", action="store_true", help="skip the bulk move (bench/bulk_move.py)"
    )
    parser.add_argument(
        "--no-escalations",
        action="store_true",
        help="skip the escalation lag (bench/escalation_lag.py)",
    )
    parser.add_argument(
        "--pipeline-only",
        action="store_true",
        help="measure only the request pipeline against bare Flask (no data is built)",
    )
    parser.add_argument(
        "--no-recompute",
        action="store_true",
        help="skip the clock recompute (bench/escalation_recompute.py)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--markdown", type=Path, help="also write the report here")
    args = parser.parse_args()
    args.rounds = args.rounds or (2 if args.quick else 3)
    args.duration = args.duration or (2 if args.quick else 4)
    args.warmup = args.warmup or (1 if args.quick else 2)
    scale = {
        "big_tickets": 100_000 if args.quick else 1_000_000,
        # The largest move that still runs in the request (BULK_SYNC_MAX_TICKETS); larger
        # ones are jobs, measured by bench/bulk_move.py.
        "bulk_tickets": 10_000,
        "small_accounts": 200 if args.quick else 2_000,
        "tokens_per_account": 16,
        "audit_events": 5_000 if args.quick else 50_000,
    }
    writers = {"duration": 2, "rounds": 2} if args.quick else {"duration": 8, "rounds": 3}
    if args.ticket_writers_only:
        report = ticket_writers.run(admin_url(), **writers, keep=args.keep)
        text = ticket_writers.markdown(report)
        print("\n" + text)
        if args.markdown:
            args.markdown.write_text(text + "\n")
        if args.json:
            args.json.write_text(json.dumps(report, indent=2))
        return
    wrk_bin = ensure_wrk()
    admin = admin_url()
    if args.pipeline_only:
        print("request pipeline against bare Flask (sync 1×1):", flush=True)
        cost = pipeline_cost(wrk_bin, admin, args)
        text = "\n".join(pipeline_markdown(cost))
        print("\n" + text)
        if args.markdown:
            args.markdown.write_text(text + "\n")
        if args.json:
            args.json.write_text(json.dumps(cost, indent=2))
        return
    name = f"tickiti_bench_{os.getpid()}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(admin, name)
    report = {"machine": machine(admin), "scale": scale, "connections": args.connections,
              "warmup": args.warmup, "duration": args.duration,
              "rounds": args.rounds}  # fmt: skip
    try:
        db.migrate(url)
        build_data(url, scale)
        f = fixtures(url)
        # One web process (one core, as the sizing rule gives a process per core) and the other
        # core left to PostgreSQL and wrk, as if the database ran on its own server. With two
        # processes, wrk's keep-alive connections split unevenly between them at random and the
        # same cell moves 3x from one second to the next (docs/PERFORMANCE.md).
        server = Server(url, workers=args.workers, threads=4, pool=4)
        report["server"] = server.label + f" (WEB_CONCURRENCY={args.workers}, GUNICORN_THREADS=4)"
        with contextlib.ExitStack() as stack:
            stack.enter_context(folding(url))
            stack.callback(server.stop)
            print(f"endpoints ({server.label}):", flush=True)
            report["endpoints"] = endpoint_table(wrk_bin, server, f, args)
            report["move"] = move_100k(server, f, scale["bulk_tickets"])
        # Every list rendered afresh: what a list costs right after a change, and the proof
        # that listing queues does not grow with the account's tickets.
        server = Server(url, workers=args.workers, threads=4, pool=4, LIST_CACHE_MB="0")
        with contextlib.ExitStack() as stack:
            stack.enter_context(folding(url))
            stack.callback(server.stop)
            print(f"endpoints, list cache off ({server.label}, LIST_CACHE_MB=0):", flush=True)
            report["cold"] = endpoint_table(wrk_bin, server, f, args, ("ceiling", "list"))
            report["queue_ratio"] = queue_list_ratio(wrk_bin, server, f, args)
            print(f"  queue list 1M/twin p50 ratio {report['queue_ratio']['ratio_p50']:.2f}")
        print("request pipeline against bare Flask (sync 1×1):", flush=True)
        report["pipeline"] = pipeline_cost(wrk_bin, url, args)
        report["engine"] = engine()
        if not args.no_models:
            print("worker models:", flush=True)
            report["models"] = model_comparison(wrk_bin, url, f, args)
        if not args.no_ticket_writers:
            print("ticket writers, this service's triggers on and off:", flush=True)
            report["ticket_writers"] = ticket_writers.run(admin, **writers)
        if not args.no_bulk_move:
            tickets = 100_000 if args.quick else 1_000_000
            print(f"bulk move of {tickets:,} tickets in the worker:", flush=True)
            report["bulk_move"] = bulk_move.run(admin, tickets)
        if not args.no_escalations:
            burst = 5_000 if args.quick else 50_000
            print(f"escalation lag (steady, and a burst of {burst:,}):", flush=True)
            report["escalation_lag"] = escalation_lag.run(admin, 2_000, burst, workers=2)
        if not args.no_recompute:
            tickets = 100_000 if args.quick else 1_000_000
            print(f"clock recompute of a {tickets:,}-ticket account:", flush=True)
            report["escalation_recompute"] = escalation_recompute.run(admin, tickets, workers=2)
    finally:
        if not args.keep:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    text = markdown(report)
    print("\n" + text)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
