"""Moving tickets between queues or categories, and the background jobs that move many.

A move is one set-based statement (sql/queues.sql ``move_tickets``, or
sql/resolution_categories.sql ``recategorise_tickets``) that changes the tickets, writes one
history row per ticket moved between queues, and appends the count changes for the whole set.
Up to BULK_SYNC_MAX_TICKETS tickets move in the request; more become a job: the request checks
and queues it (202), and a worker process (worker.py) moves the tickets JOB_CHUNK_SIZE at a time,
each chunk one transaction that also counts the job's progress. Because every chunk takes the
tickets still in the source, tickets that other services add to it while the job runs are moved
too, and a job resumed after a crash simply goes on with what is left.

Flask-free: the web layer maps the errors raised here to HTTP answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sql

from . import audit_trail, jsonfmt
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


def recategorise(
    cur, account_id: int, category_id: int, replace_with_id: int, limit: int | None = None
) -> int:
    """Give up to ``limit`` (None: all) of a category's tickets another category."""
    sql.queues.count_set_based.run(cur)
    return sql.resolution_categories.recategorise_tickets.one(
        cur, account_id=account_id, id=category_id, replace_with_id=replace_with_id, limit=limit
    )["recategorised"]


def check_no_job_on(
    cur,
    account_id: int,
    object_type: str,
    *,
    deleting: int | None = None,
    into: int | None = None,
) -> None:
    """Refuse (409) to delete a queue or category an unfinished job moves tickets out of or
    into, and to move tickets into one that a job is deleting."""
    ids = [i for i in (deleting, into) if i is not None]
    jobs = sql.jobs.active_jobs_for.all(
        cur, account_id=account_id, object_type=object_type, ids=ids
    )
    noun = object_type.replace("_", " ")
    for job in jobs:
        if deleting is not None and deleting in (job["source_id"], job["target_id"]):
            raise JobInProgress(job, f"An unfinished job moves tickets of this {noun}.")
        if into is not None and job["kind"].endswith(".delete") and job["source_id"] == into:
            raise JobInProgress(job, f"The target {noun} is being deleted.")


def queue_job(cur, actor: dict[str, Any], kind: str, source: int, target: int, total: int):
    """Queue a job moving ``source``'s tickets to ``target`` (and deleting ``source`` for a
    ``*.delete`` kind); 409 if another unfinished job already takes tickets out of ``source``."""
    row = sql.jobs.create_job.one(
        cur,
        account_id=actor["account_id"],
        kind=kind,
        source_id=source,
        target_id=target,
        actor_user_id=actor["actor_user_id"],
        token_id=actor["token_id"],
        request_id=actor["request_id"],
        total=total,
    )
    if row is None:
        object_type = kind.split(".")[0]
        busy = sql.jobs.active_jobs_for.all(
            cur, account_id=actor["account_id"], object_type=object_type, ids=[source]
        )
        job = next(j for j in busy if j["source_id"] == source)
        noun = object_type.replace("_", " ")
        raise JobInProgress(job, f"An unfinished job already moves this {noun}'s tickets.")
    return sql.jobs.get_job.one(cur, account_id=actor["account_id"], job_id=row["id"])


@dataclass
class JobRun:
    """A job as the worker holds it."""

    account_id: int
    id: int
    kind: str
    source_id: int
    target_id: int
    actor_user_id: int | None
    token_id: int | None
    request_id: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> JobRun:
        return cls(**{k: row[k] for k in cls.__dataclass_fields__})

    @property
    def object_type(self) -> str:
        return self.kind.split(".")[0]

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


def move_chunk(cur, job: JobRun, chunk_size: int | None) -> int:
    """Move up to ``chunk_size`` of the source's tickets (None: all) and count them."""
    if job.object_type == "queue":
        moved = move(
            cur, job.account_id, job.source_id, job.target_id, job.actor_user_id, limit=chunk_size
        )
    else:
        moved = recategorise(cur, job.account_id, job.source_id, job.target_id, chunk_size)
    sql.worker.add_progress.run(cur, moved=moved, **job.ids)
    return moved


def finish(cur, job: JobRun, owner: str, chunk_size: int) -> bool:
    """With the source locked (no ticket can enter it), move what is left if it fits in one
    chunk, delete the source for a delete job, and close the job. False if too many tickets
    remain: the caller goes on with chunks and tries again."""
    if job.object_type == "queue":
        return _finish_queue(cur, job, owner, chunk_size)
    return _finish_category(cur, job, owner, chunk_size)


def _finish_queue(cur, job: JobRun, owner: str, chunk_size: int) -> bool:
    ids = {"account_id": job.account_id, "queue_id": job.source_id}
    source = sql.queues.lock_queue.one(cur, **ids)
    target = sql.queues.share_lock_queues.all(
        cur, account_id=job.account_id, queue_ids=[job.target_id]
    )
    if source is None:  # deleted by other means: nothing is left in it
        return close(cur, job, owner)
    if not target:
        return close(cur, job, owner, "queue_not_found", "The target queue no longer exists.")
    remaining = sql.queues.count_queue_tickets.one(cur, **ids)["ticket_count"]
    if remaining > chunk_size:
        return False
    if remaining:  # all of them, re-checking any a writer changed meanwhile
        move_chunk(cur, job, None)
    if job.kind == "queue.delete":
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
        audit_trail.record_for(
            cur, job.actor, "queue.delete", "queue", job.source_id, before,
            {"deleted": True, "reassign_to_queue_id": job.target_id, "moved": _done(cur, job),
             "job_id": job.id},
        )  # fmt: skip
    return close(cur, job, owner)


def _finish_category(cur, job: JobRun, owner: str, chunk_size: int) -> bool:
    ids = {"account_id": job.account_id, "id": job.source_id}
    sql.accounts.lock_account.one(cur, account_id=job.account_id)  # positions shift on delete
    if sql.resolution_categories.lock_category.one(cur, **ids) is None:
        return close(cur, job, owner)
    replacement = sql.resolution_categories.share_lock_category.one(
        cur, account_id=job.account_id, id=job.target_id
    )
    if replacement is None:
        return close(
            cur, job, owner, "resolution_category_not_found",
            "The replacement category no longer exists.",
        )  # fmt: skip
    before = sql.resolution_categories.get_category.one(cur, **ids)
    if before["ticket_count"] > chunk_size:
        return False
    if before["ticket_count"]:  # all of them, re-checking any a writer changed meanwhile
        move_chunk(cur, job, None)
    sql.resolution_categories.delete_category.run(cur, **ids)
    audit_trail.record_for(
        cur, job.actor, "resolution_category.delete", "resolution_category", job.source_id,
        before,
        {"deleted": True, "replace_with_id": job.target_id, "recategorised": _done(cur, job),
         "job_id": job.id},
    )  # fmt: skip
    return close(cur, job, owner)


def _done(cur, job: JobRun) -> int:
    return sql.jobs.get_job.one(cur, **job.ids)["done"]


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
    audit_trail.record_for(cur, job.actor, "job.finish", "job", job.id, None, ended)
    return True
