"""Queues: create, update, delete and move bodies, and the queue as the API shows it."""

from __future__ import annotations

from marshmallow import Schema, fields, validates_schema

from tickiti_workflow.web.body import (
    BoundedList,
    Description,
    ExpectedVersion,
    Id,
    Name,
    StrictSchema,
)
from tickiti_workflow.web.openapi import Deleted, envelope

from .common import differs_from, distinct

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
        differs_from(data, "reassign_to_queue_id", "queue_id")


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


class QueueMove(StrictSchema):
    from_queue_id = Id(required=True)
    to_queue_id = Id(required=True)
    ticket_ids = BoundedList(
        Id(),
        load_default=None,
        min_length=1,
        max_length=MAX_MOVE_IDS,
        validate=distinct("Ticket ids"),
    )

    @validates_schema
    def _distinct_queues(self, data, **_):
        differs_from(data, "to_queue_id", "from_queue_id")
