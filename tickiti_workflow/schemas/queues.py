"""Queues: create, update, delete and move bodies, and the queue as the API shows it."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validates_schema

from tickiti_workflow.openapi import Deleted, envelope
from tickiti_workflow.schema import (
    BoundedList,
    Description,
    ExpectedVersion,
    Id,
    Name,
    StrictSchema,
)

MAX_MOVE_IDS = 10_000


class QueueCreate(StrictSchema):
    name = Name(required=True)
    description = Description(load_default="")


class QueueUpdate(ExpectedVersion):
    queue_id = Id(required=True)
    name = Name()
    description = Description()


class QueueDelete(StrictSchema):
    queue_id = Id(required=True)
    reassign_to_queue_id = Id(load_default=None)

    @validates_schema
    def _distinct(self, data, **_):
        if data.get("reassign_to_queue_id") == data.get("queue_id"):
            raise ValidationError("Must differ from queue_id.", "reassign_to_queue_id")


class Queue(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    is_builtin = fields.Boolean(required=True)
    ticket_count = fields.Integer(required=True)
    open_ticket_count = fields.Integer(required=True)
    version = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


QueueList = envelope("QueueList", "queues", Queue, many=True)
QueueEnvelope = envelope("QueueEnvelope", "queue", Queue)


class QueueDeleted(Deleted):
    moved = fields.Integer(required=True)


class TicketsMoved(Schema):
    moved = fields.Integer(required=True)
    from_queue_id = fields.Integer(required=True)
    to_queue_id = fields.Integer(required=True)


def _distinct_ids(ids: list[int]) -> None:
    seen: set[int] = set()
    dupes = sorted({i for i in ids if i in seen or seen.add(i)})
    if dupes:
        raise ValidationError(f"Ticket ids must be distinct; repeated: {dupes[:20]}.")


class QueueMove(StrictSchema):
    from_queue_id = Id(required=True)
    to_queue_id = Id(required=True)
    ticket_ids = BoundedList(
        Id(), load_default=None, min_length=1, max_length=MAX_MOVE_IDS, validate=_distinct_ids
    )

    @validates_schema
    def _distinct_queues(self, data, **_):
        if data.get("from_queue_id") == data.get("to_queue_id"):
            raise ValidationError("Must differ from from_queue_id.", "to_queue_id")
