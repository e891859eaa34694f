"""The worker under faults: SIGTERM and SIGKILL in the middle of a bulk move, a database
restart while it runs, and several workers on one job queue. Whatever happens, every ticket
moves exactly once, with exactly one history row, and every job finishes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import REPO, wait_until

pytestmark = pytest.mark.faults

TICKETS = 40_000
CHUNK = 400


class WorkerProcess:
    """``tickiti-workflow worker`` as the Procfile runs it, with small chunks and a short lease."""

    def __init__(self, database_url: str, workdir: Path, **env):
        self.log_path = workdir / f"worker-{time.monotonic_ns()}.log"
        self._log = self.log_path.open("wb")
        environment = {
            **os.environ,
            "DATABASE_URL": database_url,
            "JOB_CHUNK_SIZE": str(CHUNK),
            "WORKER_LEASE_SECONDS": "2",
            "WORKER_POLL_MS": "50",
            "LOG_LEVEL": "INFO",
            **{k: str(v) for k, v in env.items()},
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tickiti_workflow.cli", "worker"],
            cwd=REPO,
            env=environment,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._log.close()


@pytest.fixture
def start_worker(workdir):
    started: list[WorkerProcess] = []

    def start(database_url: str, **env) -> WorkerProcess:
        worker = WorkerProcess(database_url, workdir, **env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def queue_move(fault_db, tenant, count: int = TICKETS) -> tuple[int, int, list[int]]:
    """A second queue, ``count`` tickets in the inbox, and a job moving them there."""
    target = fault_db.sql(
        "INSERT INTO queues (account_id, name) VALUES (%s, %s) RETURNING id",
        (tenant.account_id, f"Target {time.monotonic_ns()}"),
    )[0]["id"]
    ids = fault_db.tickets(tenant, tenant.inbox_id, count)
    job = fault_db.sql(
        "INSERT INTO jobs (account_id, kind, source_id, target_id, actor_user_id,"
        " total) VALUES (%s, 'queue.move_tickets', %s, %s, %s, %s) RETURNING id",
        (tenant.account_id, tenant.inbox_id, target, tenant.user_id, count),
    )[0]["id"]
    return job, target, ids


def job_row(fault_db, tenant, job_id: int) -> dict:
    return fault_db.sql(
        "SELECT status, done, total, lease_owner, attempts FROM jobs"
        " WHERE account_id = %s AND id = %s",
        (tenant.account_id, job_id),
    )[0]


def assert_moved_exactly_once(fault_db, tenant, ids: list[int], target: int) -> None:
    # Fresh statistics: planned against a just-filled table still counted as empty, the join
    # below scans every history row once per ticket.
    fault_db.sql("ANALYZE tickets, ticket_events")
    rows = fault_db.sql(
        "SELECT t.queue_id, count(e.id) AS events FROM tickets t LEFT JOIN ticket_events e"
        " ON e.account_id = t.account_id AND e.ticket_id = t.id"
        " WHERE t.account_id = %s AND t.id = ANY(%s) GROUP BY t.id, t.queue_id",
        (tenant.account_id, ids),
    )
    assert len(rows) == len(ids)
    assert {r["queue_id"] for r in rows} == {target}
    assert {r["events"] for r in rows} == {1}
    counts = fault_db.sql(
        "SELECT queue_id, ticket_count FROM queue_ticket_counts_now(%s)", (tenant.account_id,)
    )
    assert {c["queue_id"]: c["ticket_count"] for c in counts}[target] == len(ids)


def wait_for_progress(fault_db, tenant, job_id: int, at_least: int, worker) -> None:
    def progressed():
        if worker.process.poll() is not None:
            raise AssertionError("the worker exited:\n" + worker.log())
        return job_row(fault_db, tenant, job_id)["done"] >= at_least

    wait_until(progressed, 60, what=f"job {job_id} to pass {at_least} tickets")


def wait_for_success(fault_db, tenant, job_id: int, timeout: float = 120) -> dict:
    wait_until(
        lambda: job_row(fault_db, tenant, job_id)["status"] in ("succeeded", "failed"),
        timeout,
        interval=0.2,
        what=f"job {job_id} to finish",
    )
    row = job_row(fault_db, tenant, job_id)
    assert row["status"] == "succeeded", row
    return row


class TestWorkerFaults:
    def test_sigterm_mid_job_stops_within_seconds_and_hands_the_job_over(
        self, fault_db, start_worker
    ):
        tenant = fault_db.tenant()
        job, target, ids = queue_move(fault_db, tenant)
        first = start_worker(fault_db.url)
        wait_for_progress(fault_db, tenant, job, 4 * CHUNK, first)
        began = time.monotonic()
        first.process.send_signal(signal.SIGTERM)
        assert first.process.wait(10) == 0, first.log()
        assert time.monotonic() - began < 10
        row = job_row(fault_db, tenant, job)
        assert row["status"] == "running" and row["lease_owner"] is None  # given back
        assert row["done"] < TICKETS
        second = start_worker(fault_db.url)
        row = wait_for_success(fault_db, tenant, job)
        assert row["done"] == row["total"] == TICKETS
        assert_moved_exactly_once(fault_db, tenant, ids, target)
        second.process.send_signal(signal.SIGTERM)
        assert second.process.wait(10) == 0

    def test_sigkill_mid_job_is_resumed_after_the_lease(self, fault_db, start_worker):
        tenant = fault_db.tenant()
        job, target, ids = queue_move(fault_db, tenant)
        first = start_worker(fault_db.url)
        wait_for_progress(fault_db, tenant, job, 4 * CHUNK, first)
        first.process.kill()
        first.process.wait(10)
        assert job_row(fault_db, tenant, job)["done"] < TICKETS
        start_worker(fault_db.url)
        row = wait_for_success(fault_db, tenant, job)
        assert row["done"] == TICKETS
        assert row["attempts"] == 2
        assert_moved_exactly_once(fault_db, tenant, ids, target)

    def test_database_restart_mid_job(self, fault_db, pg_server, start_worker):
        tenant = fault_db.tenant()
        job, target, ids = queue_move(fault_db, tenant)
        worker = start_worker(fault_db.url)
        wait_for_progress(fault_db, tenant, job, 4 * CHUNK, worker)
        pg_server.stop("fast")
        time.sleep(1.5)
        pg_server.start()
        row = wait_for_success(fault_db, tenant, job)
        assert row["done"] == TICKETS
        assert worker.process.poll() is None, worker.log()  # it rode the outage out
        assert_moved_exactly_once(fault_db, tenant, ids, target)

    def test_three_workers_on_one_job_queue(self, fault_db, start_worker):
        tenants = [fault_db.tenant() for _ in range(3)]
        jobs = [queue_move(fault_db, t, TICKETS // 4) for t in tenants]
        workers = [start_worker(fault_db.url) for _ in range(3)]
        for tenant, (job, target, ids) in zip(tenants, jobs, strict=True):
            row = wait_for_success(fault_db, tenant, job)
            assert row["done"] == TICKETS // 4
            assert row["attempts"] == 1  # no job was ever run by two workers
            assert_moved_exactly_once(fault_db, tenant, ids, target)
        for worker in workers:
            assert worker.process.poll() is None, worker.log()
