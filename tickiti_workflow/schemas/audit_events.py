"""The audit trail's list: its filters and the event as the API shows it."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from tickiti_workflow.web.body import Cursor, Id, Int, StrictSchema

OBJECT_TYPES = (
    "queue", "resolution_category", "intervention", "escalation", "business_hours",
    "escalation_settings", "job",
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
