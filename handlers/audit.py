"""The audit trail: who changed what, newest first, with cursor pagination."""

from __future__ import annotations

import base64
import binascii

from flask import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

import sql
from auth import Ability, current_principal, requires
from tickiti_workflow.db import read_cursor
from tickiti_workflow.list_cache import cached_list
from tickiti_workflow.openapi import returns
from tickiti_workflow.schema import MAX_DB_INT, Id, Int, StrictSchema, body

bp = Blueprint("audit", __name__)

OBJECT_TYPES = ("queue", "resolution_category", "intervention", "escalation", "business_hours")


def encode_cursor(event_id: int) -> str:
    return base64.urlsafe_b64encode(f"ae:{event_id}".encode()).decode().rstrip("=")


class Cursor(fields.String):
    """An opaque position in the newest-first list; decodes to the last event id seen."""

    default_error_messages = {"invalid": "Not a cursor returned by this endpoint."}

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            prefix, _, number = decoded.partition(":")
            if prefix != "ae" or not (number.isascii() and number.isdigit()):
                raise ValueError
            if not 0 < int(number) <= MAX_DB_INT:
                raise ValueError
            return int(number)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise self.make_error("invalid") from None


class AuditQuery(StrictSchema):
    object_type = fields.String(load_default=None, validate=validate.OneOf(OBJECT_TYPES))
    object_id = Id(load_default=None)
    since = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(load_default=None)
    limit = Int(minimum=1, maximum=200, load_default=50)
    cursor = Cursor(load_default=None)

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
        "next_cursor": encode_cursor(events[-1]["id"]) if more else None,
    }
