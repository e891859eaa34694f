"""`tickiti-workflow serve` runs the web service and a worker beside it, stops both, and runs
the SQL of this checkout."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from tickiti_workflow.devserver import REPO, free_port, healthy, wait_until


def worker_pids(factory, parent: int) -> list[int]:
    """Worker processes (by their connections' application_name) whose parent is ``parent``."""
    rows = factory.sql(
        "SELECT DISTINCT split_part(application_name, '/', 2)::int AS pid FROM pg_stat_activity"
        " WHERE application_name LIKE 'tickiti-workflow-worker/%%'"
    )
    pids = []
    for row in rows:
        try:
            stat = Path(f"/proc/{row['pid']}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            pids.append(row["pid"])
    return pids


def test_serve_runs_the_web_service_and_a_worker_and_stops_both(tenant, factory, database_url):
    target = tenant.queue()
    tenant.tickets(tenant.inbox_id, 50)
    job = factory.one(
        "INSERT INTO jobs (account_id, kind, source_id, target_id, actor_user_id, total)"
        " VALUES (%s, 'queue.move_tickets', %s, %s, %s, 50) RETURNING id",
        (tenant.account_id, tenant.inbox_id, target["id"], tenant.user_id),
    )["id"]
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "WEB_CONCURRENCY": "1",
        "WORKER_POLL_MS": "50",
        "LOG_LEVEL": "WARNING",
    }
    serve = subprocess.Popen(
        [sys.executable, "-m", "tickiti_workflow.cli", "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: healthy(f"http://127.0.0.1:{port}"), 30, what="the web service")
        wait_until(
            lambda: (
                factory.one(
                    "SELECT status FROM jobs WHERE account_id = %s AND id = %s",
                    (tenant.account_id, job),
                )["status"]
                == "succeeded"
            ),
            30,
            what="the worker to run the job",
        )
        (worker,) = worker_pids(factory, serve.pid)
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(30) == 0
        wait_until(lambda: not Path(f"/proc/{worker}").exists(), 15, what="the worker to stop")
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait(10)


def health(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
        return json.load(response)


def test_the_installed_command_runs_the_sql_files_of_the_checkout(database_url, tmp_path):
    """Ops edit sql/ in the checkout: the console script (installed as the README says, in
    editable mode) must run the edited file, not a copy made at install time."""
    command = Path(sys.executable).with_name("tickiti-workflow")
    assert command.exists(), command
    path = REPO / "sql" / "escalation_runtime.sql"
    original = path.read_bytes()
    # The statement of the named query `oldest_overdue`, up to the blank line that ends it.
    query = re.compile(r"(-- name: oldest_overdue\n--[^\n]*\n)(.+?)(\n\n)", re.DOTALL)
    text = original.decode()
    assert query.search(text), "the query oldest_overdue is gone from sql/escalation_runtime.sql"
    marker = -271828.5  # a lateness no database holds: it can only come from the edit
    edited = query.sub(rf"\g<1>SELECT {marker}::float8 AS seconds\g<3>", text, count=1)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "WEB_CONCURRENCY": "1"}
    env["LOG_LEVEL"] = "WARNING"
    path.write_text(edited)
    try:
        serve = subprocess.Popen(
            [str(command), "serve", "--port", str(port)],
            cwd=tmp_path,  # not the checkout: nothing is found through the working directory
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until(lambda: healthy(f"http://127.0.0.1:{port}"), 30, what="the web service")
            assert health(port)["escalations"]["oldest_overdue_seconds"] == marker
        finally:
            serve.send_signal(signal.SIGTERM)
            try:
                serve.wait(30)
            except subprocess.TimeoutExpired:
                serve.kill()
                serve.wait(10)
    finally:
        path.write_bytes(original)
    assert path.read_bytes() == original
