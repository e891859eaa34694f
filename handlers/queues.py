"""Queues: list, create, update, delete, and moving tickets between them (no plan feature)."""

from __future__ import annotations

from flask import Blueprint

import sql
from auth import Ability, current_principal
from tickiti_workflow import audit_trail, bulk_moves
from tickiti_workflow.db import read_cursor
from tickiti_workflow.errors import Conflict, LimitReached, NotFound, ValidationFailed
from tickiti_workflow.escalation_refs import referencing_escalation_ids
from tickiti_workflow.request_context import actor, sync_limit
from tickiti_workflow.schemas.jobs import JobEnvelope
from tickiti_workflow.schemas.queues import (
    QueueCreate,
    QueueDelete,
    QueueDeleted,
    QueueEnvelope,
    QueueList,
    QueueMove,
    QueueUpdate,
    TicketsMoved,
)
from tickiti_workflow.versioning import changes
from tickiti_workflow.web.pipeline import route

bp = Blueprint("queues", __name__)

MAX_QUEUES = 500


def _lock_queues(cur, account_id: int, primary: int, other: int, other_field: str) -> None:
    """404 for the queue the call acts on, 422 for another queue it names."""
    found = {
        r["id"]
        for r in sql.queues.share_lock_queues.all(
            cur, account_id=account_id, queue_ids=[primary, other]
        )
    }
    if primary not in found:
        raise NotFound("queue", primary)
    if other not in found:
        raise ValidationFailed({other_field: ["No queue with this id exists."]})


@route(bp, "/queues", Ability.WORKFLOW_READ, returns=QueueList, cached=True)
def list_queues(_payload):
    """List queues with exact ticket counts, the built-in queue first, then by name."""
    with read_cursor() as cur:
        queues = sql.queues.list_queues.all(cur, account_id=current_principal().account_id)
    return {"queues": queues}


@route(bp, "/queues/create", Ability.WORKFLOW_WRITE,
       body=QueueCreate, returns=QueueEnvelope, status=201, errors=(409,))  # fmt: skip
def create_queue(cur, payload):
    """Create a queue (at most 500 per account; names unique ignoring case)."""
    account_id = current_principal().account_id
    sql.accounts.lock_account.one(cur, account_id=account_id)
    queue = sql.queues.create_queue.one(cur, account_id=account_id, limit=MAX_QUEUES, **payload)
    if queue is None:
        raise LimitReached("queues", MAX_QUEUES)
    audit_trail.record(cur, "queue.create", "queue", queue["id"], after=queue)
    return {"queue": queue}, 201


@route(bp, "/queues/update", Ability.WORKFLOW_WRITE,
       body=QueueUpdate, returns=QueueEnvelope, errors=(404, 409))  # fmt: skip
def update_queue(cur, payload):
    """Rename or describe a queue; the built-in queue can be renamed."""
    ids = {"account_id": current_principal().account_id, "queue_id": payload["queue_id"]}
    current = sql.queues.lock_queue.one(cur, **ids)
    if current is None:
        raise NotFound("queue", payload["queue_id"])
    before = sql.queues.get_queue.one(cur, **ids)
    if changed := changes(current, payload, ("name", "description")):
        sql.queues.update_queue.run(cur, **{**current, **changed, **ids})
        queue = sql.queues.get_queue.one(cur, **ids)
        audit_trail.record(cur, "queue.update", "queue", queue["id"], before, queue)
    else:
        queue = before
    return {"queue": queue}


@route(bp, "/queues/delete", Ability.WORKFLOW_WRITE,
       body=QueueDelete, returns=QueueDeleted, errors=(404, 409),
       accepted=JobEnvelope)  # fmt: skip
def delete_queue(cur, payload):
    """Delete a queue, optionally moving its tickets first (409 `queue_builtin`, `queue_in_use`,
    `job_in_progress`); a large queue is moved and deleted by a job (202)."""
    account_id = current_principal().account_id
    queue_id, target_id = payload["queue_id"], payload["reassign_to_queue_id"]
    ids = {"account_id": account_id, "queue_id": queue_id}
    queue = sql.queues.lock_queue.one(cur, **ids)
    if queue is None:
        raise NotFound("queue", queue_id)
    if queue["is_builtin"]:
        raise Conflict("The built-in queue cannot be deleted.", code="queue_builtin")
    escalation_ids = referencing_escalation_ids(cur, account_id, queue_id)
    ticket_count = sql.queues.count_queue_tickets.one(cur, **ids)["ticket_count"]
    if escalation_ids or (ticket_count and target_id is None):
        raise Conflict(
            "The queue is in use: move its tickets (reassign_to_queue_id) and remove it "
            "from escalations first.",
            {"ticket_count": ticket_count, "escalation_ids": escalation_ids},
            code="queue_in_use",
        )
    bulk_moves.check_no_job_on(cur, account_id, "queue", deleting=queue_id, into=target_id)
    before = sql.queues.get_queue.one(cur, **ids)
    moved = 0
    if target_id is not None:
        _lock_queues(cur, account_id, queue_id, target_id, "reassign_to_queue_id")
        if ticket_count > sync_limit():
            job = bulk_moves.queue_job(
                cur, actor(), "queue.delete", queue_id, target_id, ticket_count
            )
            audit_trail.record(
                cur, "queue.delete_requested", "queue", queue_id, before,
                {"reassign_to_queue_id": target_id, "job_id": job["id"]},
            )  # fmt: skip
            return {"job": job}, 202
        moved = bulk_moves.move(cur, account_id, queue_id, target_id, actor()["actor_user_id"])
    sql.queues.delete_queue.run(cur, **ids)
    audit_trail.record(
        cur, "queue.delete", "queue", queue_id, before,
        {"deleted": True, "reassign_to_queue_id": target_id, "moved": moved},
    )  # fmt: skip
    return {"deleted": True, "id": queue_id, "moved": moved}


@route(bp, "/queues/move", Ability.WORKFLOW_WRITE,
       body=QueueMove, returns=TicketsMoved, errors=(404, 409), accepted=JobEnvelope)  # fmt: skip
def move_queue_tickets(cur, payload):
    """Move all or the listed tickets of a queue to another queue, all or nothing; all tickets
    of a large queue are moved by a job (202)."""
    account_id = current_principal().account_id
    from_id, to_id, ticket_ids = (
        payload["from_queue_id"], payload["to_queue_id"], payload["ticket_ids"]
    )  # fmt: skip
    _lock_queues(cur, account_id, from_id, to_id, "to_queue_id")
    bulk_moves.check_no_job_on(cur, account_id, "queue", into=to_id)
    if ticket_ids is None:
        total = sql.queues.count_queue_tickets.one(cur, account_id=account_id, queue_id=from_id)[
            "ticket_count"
        ]
        if total > sync_limit():
            job = bulk_moves.queue_job(cur, actor(), "queue.move_tickets", from_id, to_id, total)
            audit_trail.record(
                cur, "queue.move_tickets", "queue", from_id,
                {"queue_id": from_id, "ticket_ids": None},
                {"queue_id": to_id, "job_id": job["id"]},
            )  # fmt: skip
            return {"job": job}, 202
    moved = bulk_moves.move(cur, account_id, from_id, to_id, actor()["actor_user_id"], ticket_ids)
    audit_trail.record(
        cur, "queue.move_tickets", "queue", from_id,
        {"queue_id": from_id, "ticket_ids": ticket_ids},
        {"queue_id": to_id, "moved": moved},
    )  # fmt: skip
    return {"moved": moved, "from_queue_id": from_id, "to_queue_id": to_id}
