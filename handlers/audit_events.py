"""The audit trail: who changed what, newest first, with cursor pagination."""

from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

import sql
from auth import Ability, current_principal, requires
from tickiti_workflow.db import read_cursor
from tickiti_workflow.list_cache import cached_list
from tickiti_workflow.openapi import returns
from tickiti_workflow.schema import Cursor, Id, Int, StrictSchema, body, encode_cursor

bp = Blueprint("audit_events", __name__)

OBJECT_TYPES = (
    "queue", "resolution_category", "intervention", "escalation", "business_hours", "job"
)  # fmt: skip


class AuditQuery(StrictSchema):
    object_type = fields.String(load_default=None, validate=validate.OneOf(OBJECT_TYPES))
    object_id = Id(load_default=None)
    since = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(load_default=None)
    limit = Int(minimum=1, maximum=200, load_default=50)
    cursor = Cursor(load_default=None, prefix="ae")

    @validates_schema
    def _range(self, data, **_):
        if data.get("since") and data.get("until") and data["since"] >= data["until"]:
            raise ValidationError("Must be later than since.", "until")


class AuditEvent(Schema):
    id = fields.Integer(required=True)
    occurred_at = fields.DateTime(required=True)
    actor_user_id = fields.Integer(required=True)
    token_id = fields.Integer(required=True, allow_none=True)
    request_id = fields.String(required=True, allow_none=True)
    action = fields.String(required=True)
    object_type = fields.String(required=True)
    object_id = fields.Integer(required=True, allow_none=True)
    before = fields.Raw(required=True, allow_none=True)
    after = fields.Raw(required=True, allow_none=True)


class AuditEventPage(Schema):
    audit_events = fields.List(fields.Nested(AuditEvent), required=True)
    next_cursor = fields.String(required=True, allow_none=True)


@bp.post("/audit-events")
@returns(AuditEventPage)
@requires(Ability.WORKFLOW_READ)
@body(AuditQuery)
@cached_list
def list_audit_events(payload):
    """List the account's audit events newest first (cursor pagination, filters)."""
    limit = payload["limit"]
    with read_cursor() as cur:
        events = sql.audit.list_events.all(
            cur,
            account_id=current_principal().account_id,
            before_id=payload["cursor"],
            object_type=payload["object_type"],
            object_id=payload["object_id"],
            since=payload["since"],
            until=payload["until"],
            limit=limit + 1,
        )
    more = len(events) > limit
    events = events[:limit]
    return {
        "audit_events": events,
        "next_cursor": encode_cursor(events[-1]["id"], "ae") if more else None,
    }
