"""Moving tickets between queues, and the background jobs that move large queues.

A move is one set-based statement (sql/queues.sql ``move_tickets``) that moves tickets, writes
one history row per ticket and appends the count changes for the whole set. Moves of up to
BULK_SYNC_MAX_TICKETS tickets run in the request; larger ones become a job: the request checks
and queues it (202), and a worker process (worker.py) moves the tickets JOB_CHUNK_SIZE at a time,
each chunk one transaction that also counts the job's progress. Because every chunk takes the
tickets still in the source queue, tickets that other services add to it while the job runs are
moved too, and a job resumed after a crash simply goes on with what is left.

Flask-free: the web layer maps the errors raised here to HTTP answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sql

from . import audit, jsonfmt
from .errors import Conflict, ValidationFailed


class JobInProgress(Conflict):
    """409: an unfinished job already works on one of the queues named."""

    code = "job_in_progress"

    def __init__(self, job: dict[str, Any], why: str):
        super().__init__(
            f"{why} Wait for job {job['id']} to finish (read it with jobs/get).",
            {"job_id": job["id"]},
        )


def move(
    cur,
    account_id: int,
    from_queue_id: int,
    to_queue_id: int,
    actor_user_id: int | None,
    ticket_ids: list[int] | None = None,
    limit: int | None = None,
) -> int:
    """Move the listed tickets (all or none), or up to ``limit`` of the queue's (None: all).

    The caller holds key-share locks on both queues, so neither can be deleted meanwhile.
    """
    sql.queues.count_set_based.run(cur)
    result = sql.queues.move_tickets.one(
        cur,
        account_id=account_id,
        from_queue_id=from_queue_id,
        to_queue_id=to_queue_id,
        ticket_ids=ticket_ids,
        limit=limit,
        actor_user_id=actor_user_id,
    )
    if result["not_moved"]:
        raise ValidationFailed(
            {
                "ticket_ids": [
                    f"{len(result['not_moved'])} of the tickets are not in the source queue."
                ]
            },
            "Nothing moved: some tickets are not in the source queue.",
            not_in_queue=result["not_moved"],
        )
    return result["moved"]


def check_no_job_on(cur, account_id: int, *, deleting: int | None = None, into: int | None = None):
    """Refuse (409) to delete a queue an unfinished job moves tickets out of or into, and to move
    tickets into a queue that a job is deleting."""
    queue_ids = [q for q in (deleting, into) if q is not None]
    for job in sql.jobs.active_jobs_for_queues.all(cur, account_id=account_id, queue_ids=queue_ids):
        if deleting is not None and deleting in (job["source_queue_id"], job["target_queue_id"]):
            raise JobInProgress(job, "An unfinished job moves tickets of this queue.")
        if into is not None and job["kind"] == "queue.delete" and job["source_queue_id"] == into:
            raise JobInProgress(job, "The target queue is being deleted.")


def queue_job(cur, actor: dict[str, Any], kind: str, source: int, target: int, total: int):
    """Queue a job moving ``source``'s tickets to ``target`` (and deleting ``source`` for
    ``queue.delete``); 409 if another unfinished job already takes tickets out of ``source``."""
    row = sql.jobs.create_job.one(
        cur,
        account_id=actor["account_id"],
        kind=kind,
        source_queue_id=source,
        target_queue_id=target,
        actor_user_id=actor["actor_user_id"],
        token_id=actor["token_id"],
        request_id=actor["request_id"],
        total=total,
    )
    if row is None:
        busy = sql.jobs.active_jobs_for_queues.all(
            cur, account_id=actor["account_id"], queue_ids=[source]
        )
        job = next(j for j in busy if j["source_queue_id"] == source)
        raise JobInProgress(job, "An unfinished job already moves this queue's tickets.")
    return sql.jobs.get_job.one(cur, account_id=actor["account_id"], job_id=row["id"])


@dataclass
class JobRun:
    """A job as the worker holds it."""

    account_id: int
    id: int
    kind: str
    source_queue_id: int
    target_queue_id: int
    actor_user_id: int | None
    token_id: int | None
    request_id: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> JobRun:
        return cls(**{k: row[k] for k in cls.__dataclass_fields__})

    @property
    def ids(self) -> dict[str, int]:
        return {"account_id": self.account_id, "job_id": self.id}

    @property
    def actor(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "actor_user_id": self.actor_user_id,
            "token_id": self.token_id,
            "request_id": self.request_id,
        }


class LeaseLost(Exception):
    """Another worker took the job over (this one was too slow to renew its lease)."""


def hold(cur, job: JobRun, owner: str, lease_seconds: int) -> None:
    """Lock the job row for this transaction and renew the lease, or raise LeaseLost."""
    row = sql.worker.hold_job.one(cur, owner=owner, lease_seconds=lease_seconds, **job.ids)
    if row is None:
        raise LeaseLost(job.id)


def move_chunk(cur, job: JobRun, chunk_size: int) -> int:
    """Move up to ``chunk_size`` of the source queue's tickets and count them (one transaction)."""
    moved = move(
        cur,
        job.account_id,
        job.source_queue_id,
        job.target_queue_id,
        job.actor_user_id,
        limit=chunk_size,
    )
    sql.worker.add_progress.run(cur, moved=moved, **job.ids)
    return moved


def finish(cur, job: JobRun, owner: str, chunk_size: int) -> bool:
    """With the source queue locked (no ticket can enter it), move what is left if it fits in
    one chunk, delete the queue for a delete job, and close the job. False if too many tickets
    remain: the caller goes on with chunks and tries again."""
    ids = {"account_id": job.account_id, "queue_id": job.source_queue_id}
    source = sql.queues.lock_queue.one(cur, **ids)
    target = sql.queues.share_lock_queues.all(
        cur, account_id=job.account_id, queue_ids=[job.target_queue_id]
    )
    if source is not None and not target:
        return close(cur, job, owner, "queue_not_found", "The target queue no longer exists.")
    if source is not None:
        remaining = sql.queues.count_queue_tickets.one(cur, **ids)["ticket_count"]
        if remaining > chunk_size:
            return False
        if remaining:
            move_chunk(cur, job, remaining)
    if job.kind == "queue.delete" and source is not None:
        escalation_ids = [
            r["escalation_id"] for r in sql.escalations.queue_escalation_ids.all(cur, **ids)
        ]
        if escalation_ids:
            return close(
                cur, job, owner, "queue_in_use",
                "The tickets moved, but the queue was not deleted: escalations name it.",
                escalation_ids=escalation_ids,
            )  # fmt: skip
        before = sql.queues.get_queue.one(cur, **ids)
        sql.queues.delete_queue.run(cur, **ids)
        done = sql.jobs.get_job.one(cur, **job.ids)["done"]
        audit.record_for(
            cur, job.actor, "queue.delete", "queue", job.source_queue_id, before,
            {"deleted": True, "reassign_to_queue_id": job.target_queue_id, "moved": done,
             "job_id": job.id},
        )  # fmt: skip
    return close(cur, job, owner)


def close(cur, job: JobRun, owner: str, code: str | None = None, message: str = "", **details):
    """Mark the job succeeded (no code) or failed, and record how it ended."""
    error = None if code is None else {"code": code, "message": message, "details": details}
    sql.worker.finish_job.run(
        cur,
        owner=owner,
        status="succeeded" if code is None else "failed",
        error=None if error is None else jsonfmt.dumps(error),
        **job.ids,
    )
    ended = sql.jobs.get_job.one(cur, **job.ids)
    audit.record_for(cur, job.actor, "job.finish", "job", job.id, None, ended)
    return True
