"""The worker process: bulk jobs and scheduled housekeeping, taken from PostgreSQL.

Any number of workers may run at once. A job is claimed with ``FOR UPDATE SKIP LOCKED`` and
held by a lease that every chunk renews in its own transaction (bulk_moves.hold locks the job
row), so two workers never run one job, and a worker that dies (SIGKILL, lost host) leaves a
lease that expires after WORKER_LEASE_SECONDS, when another worker resumes the job. Each
chunk commits its moves, history and progress together, so nothing is lost or done twice.

Scheduled tasks (table ``worker_schedule``) run once per period across all workers: a worker
runs a task only if its conditional UPDATE moved the task's next run forward.

SIGTERM or SIGINT: the worker finishes the chunk in hand (well under a second), gives its
job's lease back so another worker can go on at once, and exits.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
from psycopg import errors as pg
from psycopg.rows import dict_row

import sql

from . import bulk_moves, escalation_runtime
from .config import Settings
from .db import local_settings

log = logging.getLogger("tickiti.worker")

# Rows folded per transaction, and how long one run of the fold task may go on.
FOLD_BATCH = 50_000
FOLD_BUDGET_SECONDS = 2.0
VACUUM_AFTER_FOLDED = 10_000
# How long one step may go on deciding escalations before other work gets its turn (the next
# step goes on at once, so this is no cap on how many fire).
ESCALATION_BUDGET_SECONDS = 0.5
# A job whose runs keep failing (a crash while running it, each time) is given up.
MAX_ATTEMPTS = 5
# Errors after which the same work is simply tried again a little later.
TRANSIENT = (
    psycopg.OperationalError,
    pg.LockNotAvailable,
    pg.QueryCanceled,
    pg.DeadlockDetected,
    pg.SerializationFailure,
)


class Worker:
    """One worker process's loop; ``step()`` does one unit of work (tests drive it directly)."""

    def __init__(self, url: str, settings: Settings, *, exit_with_parent: bool = False):
        self.url = url
        self.settings = dataclasses.replace(
            settings,
            statement_timeout_ms=settings.worker_statement_timeout_ms,
            lock_timeout_ms=max(settings.lock_timeout_ms, 5000),
        )
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.stopping = threading.Event()
        self.parent = os.getppid() if exit_with_parent else None
        self.job: bulk_moves.JobRun | None = None
        self._conn: psycopg.Connection | None = None
        self.tasks: dict[str, Callable[[], object]] = {
            "fold_ticket_counts": self.fold_ticket_counts,
            "purge_idempotency_keys": self.purge_idempotency_keys,
        }

    # Connection -------------------------------------------------------------------------------

    def connection(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            s = self.settings
            kwargs: dict = {
                "autocommit": True,
                "row_factory": dict_row,
                "connect_timeout": 5,
                "application_name": f"tickiti-workflow-worker/{os.getpid()}",
            }
            if s.pgbouncer:
                kwargs["prepare_threshold"] = None
            else:
                kwargs["options"] = (
                    f"-c statement_timeout={s.statement_timeout_ms}"
                    f" -c lock_timeout={s.lock_timeout_ms}"
                    " -c idle_in_transaction_session_timeout=60000 -c TimeZone=UTC"
                )
            self._conn = psycopg.connect(self.url, **kwargs)
        return self._conn

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Cursor]:
        conn = self.connection()
        with conn.transaction(), conn.cursor() as cur:
            if self.settings.pgbouncer:
                for statement in local_settings(self.settings):
                    cur.execute(statement)
            yield cur

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # Loop -------------------------------------------------------------------------------------

    def run(self) -> None:
        """Work until asked to stop (SIGTERM/SIGINT, or the parent process went away)."""
        log.info("worker started", extra={"worker": self.owner})
        backoff = 0.0
        while not self._should_stop():
            try:
                worked = self.step()
                backoff = 0.0
            except TRANSIENT as exc:
                backoff = min(max(backoff * 2, 0.2), 5.0)
                log.warning(
                    "worker retrying after a database error",
                    extra={"error": str(exc).strip()[:300], "retry_in_s": backoff},
                )
                if isinstance(exc, psycopg.OperationalError):
                    self.close()
                self.stopping.wait(backoff)
                continue
            if not worked:
                self.stopping.wait(self.settings.worker_poll_ms / 1000)
        self.release()
        self.close()
        log.info("worker stopped", extra={"worker": self.owner})

    def _should_stop(self) -> bool:
        if self.parent is not None and os.getppid() != self.parent:
            self.stopping.set()
        return self.stopping.is_set()

    def install_signal_handlers(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self.stopping.set())

    def step(self) -> bool:
        """Run due scheduled tasks, escalations, then one chunk of a job; False when idle."""
        ran_task = self.run_due_tasks()
        ran_task = self.run_escalations() or ran_task
        if self.job is None:
            self.job = self.claim()
        if self.job is None:
            return ran_task
        try:
            self.advance(self.job)
        except bulk_moves.LeaseLost:
            log.warning("job taken over by another worker", extra={"job_id": self.job.id})
            self.job = None
        except TRANSIENT:
            raise
        except Exception as exc:
            log.exception("job failed", extra={"job_id": self.job.id})
            self.fail(self.job, "internal_error", f"The job stopped on an error: {exc}"[:500])
        return True

    # Jobs -------------------------------------------------------------------------------------

    def claim(self) -> bulk_moves.JobRun | None:
        with self.transaction() as cur:
            row = sql.worker.claim_job.one(
                cur, owner=self.owner, lease_seconds=self.settings.worker_lease_seconds
            )
        if row is None:
            return None
        job = bulk_moves.JobRun.from_row(row)
        log.info(
            "job claimed",
            extra={"job_id": job.id, "account_id": job.account_id, "attempt": row["attempts"]},
        )
        if row["attempts"] > MAX_ATTEMPTS:
            self.fail(job, "too_many_attempts", "The job was started too many times; gave up.")
            return None
        return job

    def advance(self, job: bulk_moves.JobRun) -> None:
        """One chunk; once the source queue is (nearly) empty, finish the job."""
        chunk = self.settings.job_chunk_size
        lease = self.settings.worker_lease_seconds
        with self.transaction() as cur:
            bulk_moves.hold(cur, job, self.owner, lease)
            moved = bulk_moves.move_chunk(cur, job, chunk)
        if moved == chunk:
            return
        with self.transaction() as cur:
            bulk_moves.hold(cur, job, self.owner, lease)
            finished = bulk_moves.finish(cur, job, self.owner, chunk)
        if finished:
            log.info("job finished", extra={"job_id": job.id, "account_id": job.account_id})
            self.job = None

    def fail(self, job: bulk_moves.JobRun, code: str, message: str) -> None:
        try:
            with self.transaction() as cur:
                bulk_moves.close(cur, job, self.owner, code, message)
        finally:
            self.job = None

    def release(self) -> None:
        """Give the job in hand back, so another worker goes on without waiting for the lease."""
        if self.job is None:
            return
        try:
            with self.transaction() as cur:
                sql.worker.release_job.run(cur, owner=self.owner, **self.job.ids)
        except psycopg.Error:
            log.warning("could not release the job; its lease will expire", exc_info=True)
        self.job = None

    # Escalations ------------------------------------------------------------------------------

    def run_escalations(self) -> bool:
        """Ingest ticket changes and decide due or changed tickets, batch by batch, for a while."""
        worked = False
        deadline = time.monotonic() + ESCALATION_BUDGET_SECONDS
        while not self.stopping.is_set():
            # Ticket writes reach the clocks through the capture log's fold: fold a batch now
            # rather than wait for the scheduled fold (one worker at a time folds).
            with self.transaction() as cur:
                folded = sql.worker.fold_ticket_counts.one(cur, max_rows=FOLD_BATCH)["folded"]
            with self.transaction() as cur:
                ingested = escalation_runtime.ingest(cur)
            with self.transaction() as cur:
                done = escalation_runtime.process(cur)
            with self.transaction() as cur:
                claimed = escalation_runtime.claim_recompute(cur)
            with self.transaction() as cur:
                recomputed = escalation_runtime.recompute(cur)
            busy = (
                folded or ingested or claimed or recomputed or done["decided"] or done["forgotten"]
            )
            worked = worked or bool(busy)
            if done["fired"]:
                log.info("escalations fired", extra={"fired": done["fired"]})
            if not busy or time.monotonic() > deadline:
                break
        return worked

    # Scheduled tasks --------------------------------------------------------------------------

    def run_due_tasks(self) -> bool:
        ran = False
        for task, run in self.tasks.items():
            with self.transaction() as cur:
                claimed = sql.worker.claim_task.one(cur, task=task) is not None
            if not claimed:
                continue
            ran = True
            error = None
            try:
                run()
            except TRANSIENT:
                raise
            except Exception as exc:
                log.exception("scheduled task failed", extra={"task": task})
                error = str(exc)[:500]
            with self.transaction() as cur:
                sql.worker.finish_task.run(cur, task=task, error=error)
        return ran

    def fold_ticket_counts(self) -> int:
        """Fold ticket count changes into the counters, a batch per transaction; after a burst,
        vacuum the log at once (reads sum its rows, and would step over the dead ones until
        autovacuum came by, up to a minute later)."""
        total, deadline = 0, time.monotonic() + FOLD_BUDGET_SECONDS
        while time.monotonic() < deadline:
            with self.transaction() as cur:
                folded = sql.worker.fold_ticket_counts.one(cur, max_rows=FOLD_BATCH)["folded"]
            total += folded
            if folded < FOLD_BATCH:
                break
        if total >= VACUUM_AFTER_FOLDED:
            self.connection().execute("VACUUM ticket_count_changes")
        return total

    def purge_idempotency_keys(self) -> int:
        with self.transaction() as cur:
            return sql.idempotency.purge_expired.run(cur)


def main(url: str, settings: Settings, *, exit_with_parent: bool = False) -> None:
    """Run a worker in this process until SIGTERM/SIGINT."""
    worker = Worker(url, settings, exit_with_parent=exit_with_parent)
    worker.install_signal_handlers()
    worker.run()
