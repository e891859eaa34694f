"""`tickiti-workflow serve` runs the web service and a worker beside it, and stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
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
