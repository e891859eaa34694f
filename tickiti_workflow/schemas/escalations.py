"""Escalations: conditions, target and actions bodies, and the escalation as the API shows it."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from tickiti_workflow.business_time import MAX_TARGET_MINUTES
from tickiti_workflow.web.body import (
    Bool,
    BoundedList,
    ExpectedVersion,
    Id,
    Int,
    Name,
    StrictSchema,
)

from .business_hours import BusinessHours
from .common import distinct

MAX_ACTIONS = 10
MAX_CONDITION_QUEUES = 500
MAX_NOTIFY_USERS = 100
PRIORITIES = ("low", "normal", "high", "urgent")
METRICS = ("first_response", "next_response", "resolution", "idle")


class Conditions(StrictSchema):
    queue_ids = BoundedList(
        Id(), load_default=list, max_length=MAX_CONDITION_QUEUES, validate=distinct("Queue ids")
    )
    priorities = BoundedList(
        fields.String(validate=validate.OneOf(PRIORITIES)),
        load_default=list,
        max_length=len(PRIORITIES),
        validate=distinct("Priorities"),
    )


class Target(StrictSchema):
    metric = fields.String(required=True, validate=validate.OneOf(METRICS))
    minutes = Int(required=True, minimum=1, maximum=MAX_TARGET_MINUTES)
    business_hours = Bool(load_default=False)


class MoveToQueue(StrictSchema):
    type = fields.String(required=True, validate=validate.Equal("move_to_queue"))
    queue_id = Id(required=True)


class SetPriority(StrictSchema):
    type = fields.String(required=True, validate=validate.Equal("set_priority"))
    priority = fields.String(required=True, validate=validate.OneOf(PRIORITIES))


class NotifyUsers(StrictSchema):
    type = fields.String(required=True, validate=validate.Equal("notify_users"))
    user_ids = BoundedList(
        Id(),
        required=True,
        min_length=1,
        max_length=MAX_NOTIFY_USERS,
        validate=distinct("User ids"),
    )


ACTION_SCHEMAS = {
    "move_to_queue": MoveToQueue,
    "set_priority": SetPriority,
    "notify_users": NotifyUsers,
}


class Action(fields.Field):
    """One action, validated by the schema its ``type`` names."""

    def _deserialize(self, value, attr, data, **kwargs) -> dict:
        if not isinstance(value, dict):
            raise ValidationError("Must be an object.")
        kind = value.get("type")
        if "type" not in value:
            raise ValidationError({"type": ["Missing data for required field."]})
        if not isinstance(kind, str) or kind not in ACTION_SCHEMAS:
            raise ValidationError({"type": [f"Must be one of: {', '.join(ACTION_SCHEMAS)}."]})
        return ACTION_SCHEMAS[kind]().load(value)


def Actions(**kw) -> fields.List:
    action = Action(metadata={"one_of": list(ACTION_SCHEMAS.values())})
    return BoundedList(action, min_length=1, max_length=MAX_ACTIONS, **kw)


class EscalationCreate(StrictSchema):
    name = Name(required=True)
    enabled = Bool(load_default=True)
    conditions = fields.Nested(Conditions, load_default=lambda: Conditions().load({}))
    target = fields.Nested(Target, required=True)
    actions = Actions(required=True)


class EscalationUpdate(ExpectedVersion):
    id = Id(required=True)
    name = Name()
    enabled = Bool()
    position = Int(minimum=1)
    conditions = fields.Nested(Conditions)
    target = fields.Nested(Target)
    actions = Actions()


class EscalationDelete(StrictSchema):
    id = Id(required=True)


class EscalationConditions(Schema):
    queue_ids = fields.List(fields.Integer(), required=True)
    priorities = fields.List(fields.String(), required=True)


class EscalationTarget(Schema):
    metric = fields.String(required=True)
    minutes = fields.Integer(required=True)
    business_hours = fields.Boolean(required=True)


class Escalation(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    enabled = fields.Boolean(required=True)
    position = fields.Integer(required=True)
    conditions = fields.Nested(EscalationConditions, required=True)
    target = fields.Nested(EscalationTarget, required=True)
    actions = fields.List(
        fields.Raw(metadata={"one_of": list(ACTION_SCHEMAS.values())}), required=True
    )
    version = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class EscalationList(Schema):
    escalations = fields.List(fields.Nested(Escalation), required=True)
    business_hours = fields.Nested(BusinessHours, required=True)


class ImmediateFirings(Schema):
    """How many tickets the saved escalation fires at once (docs/API.md)."""

    tickets = fields.Integer(required=True)
    examined = fields.Integer(required=True)
    capped = fields.Boolean(required=True)


class EscalationEnvelope(Schema):
    escalation = fields.Nested(Escalation, required=True)
    would_fire_immediately = fields.Nested(ImmediateFirings, required=True)
