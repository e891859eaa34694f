"""What the escalation runtime decided: firings and a ticket's clocks as the API shows them."""

from __future__ import annotations

from marshmallow import Schema, fields

from tickiti_workflow.web.body import Cursor, Id, Int, StrictSchema

from .escalations import ACTION_SCHEMAS


class Firing(Schema):
    id = fields.Integer(required=True)
    ticket_id = fields.Integer(required=True)
    escalation_id = fields.Integer(required=True)
    escalation_version = fields.Integer(required=True)
    metric = fields.String(required=True)
    cycle = fields.Integer(required=True)
    due_at = fields.DateTime(required=True)
    fired_at = fields.DateTime(required=True)
    lag_seconds = fields.Float(required=True)
    actions = fields.List(
        fields.Raw(metadata={"one_of": list(ACTION_SCHEMAS.values())}), required=True
    )


class TicketFiring(Schema):
    id = fields.Integer(required=True)
    escalation_id = fields.Integer(required=True)
    escalation_version = fields.Integer(required=True)
    metric = fields.String(required=True)
    cycle = fields.Integer(required=True)
    due_at = fields.DateTime(required=True)
    fired_at = fields.DateTime(required=True)
    actions = fields.List(
        fields.Raw(metadata={"one_of": list(ACTION_SCHEMAS.values())}), required=True
    )


class FiringPage(Schema):
    firings = fields.List(fields.Nested(Firing), required=True)
    next_cursor = fields.String(required=True, allow_none=True)


class FiringQuery(StrictSchema):
    escalation_id = Id(load_default=None)
    ticket_id = Id(load_default=None)
    limit = Int(minimum=1, maximum=200, load_default=50)
    cursor = Cursor(load_default=None, prefix="firing")


class Range(Schema):
    start = fields.DateTime(required=True)
    end = fields.DateTime(required=True, allow_none=True)


class Clock(Schema):
    escalation_id = fields.Integer(required=True)
    metric = fields.String(required=True)
    cycle = fields.Integer(required=True, allow_none=True)
    target_minutes = fields.Integer(required=True)
    business_hours = fields.Boolean(required=True)
    cycle_started_at = fields.DateTime(required=True, allow_none=True)
    cycle_ended_at = fields.DateTime(required=True, allow_none=True)
    running_ranges = fields.List(fields.Nested(Range), required=True)
    consumed_calendar_seconds = fields.Float(required=True)
    consumed_business_seconds = fields.Float(required=True)
    consumed_seconds = fields.Float(required=True)
    due_at = fields.DateTime(required=True, allow_none=True)
    armed = fields.Boolean(required=True)
    armed_due_at = fields.DateTime(required=True, allow_none=True)
    due_now = fields.Boolean(required=True)
    not_armed_because = fields.String(required=True, allow_none=True)


class ExplainedTicket(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)
    queue_id = fields.Integer(required=True)
    priority = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class Explanation(Schema):
    ticket = fields.Nested(ExplainedTicket, required=True)
    evaluated_at = fields.DateTime(required=True)
    pause_statuses = fields.List(fields.String(), required=True)
    clocks = fields.List(fields.Nested(Clock), required=True)
    firings = fields.List(fields.Nested(TicketFiring), required=True)


class ExplainQuery(StrictSchema):
    ticket_id = Id(required=True)
