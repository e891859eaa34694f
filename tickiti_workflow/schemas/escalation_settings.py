"""Request and response bodies of the escalation settings (handlers/escalation_settings.py)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, post_load

from tickiti_workflow import sla
from tickiti_workflow.schemas.common import distinct
from tickiti_workflow.web.body import BoundedList, ExpectedVersion

STOPPED_MESSAGE = (
    "Clocks never run while a ticket is solved or closed: it cannot be a pause status."
)


class PauseStatus(fields.String):
    """A status a clock may pause in; solved and closed are refused with the reason."""

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        status = super()._deserialize(value, attr, data, **kwargs)
        if status in sla.STOPPED:
            raise ValidationError(STOPPED_MESSAGE)
        if status not in sla.PAUSE_STATUS_CHOICES:
            raise ValidationError(f"Must be one of: {', '.join(sla.PAUSE_STATUS_CHOICES)}.")
        return status


class EscalationSettingsUpdate(ExpectedVersion):
    # An empty list is allowed: no status pauses a clock.
    pause_statuses = BoundedList(
        PauseStatus(),
        max_length=len(sla.PAUSE_STATUS_CHOICES),
        validate=distinct("Pause statuses"),
    )

    @post_load
    def _in_workflow_order(self, data, **_) -> dict:
        """Stored and compared in one order, so sending the same set in another is no change."""
        if "pause_statuses" in data:
            chosen = set(data["pause_statuses"])
            data["pause_statuses"] = [s for s in sla.PAUSE_STATUS_CHOICES if s in chosen]
        return data


class EscalationSettings(Schema):
    pause_statuses = fields.List(fields.String(), required=True)
    version = fields.Integer(required=True)
    updated_at = fields.DateTime(required=True)


class EscalationRecompute(Schema):
    requested_at = fields.DateTime(required=True)
    queued = fields.Integer(required=True)
    finished_at = fields.DateTime(required=True, allow_none=True)


class EscalationSettingsEnvelope(Schema):
    escalation_settings = fields.Nested(EscalationSettings, required=True)
    recompute = fields.Nested(EscalationRecompute, required=True, allow_none=True)
