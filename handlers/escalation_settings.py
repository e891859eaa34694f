"""The account's escalation clock settings (plan feature ``escalations``).

One object per account: the pause statuses, in which first_response, next_response and
resolution clocks stand still. Saving a change recomputes the account's clocks in the
background (migration 0019's trigger on ``escalation_settings``); ``recompute`` shows how far
that has got.
"""

from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, ValidationError, fields, post_load

import sql
from auth import Ability, current_principal
from tickiti_workflow import audit, sla
from tickiti_workflow.db import read_cursor
from tickiti_workflow.versioning import changes
from tickiti_workflow.web.body import BoundedList, ExpectedVersion
from tickiti_workflow.web.pipeline import route

from .escalations import FEATURE, _distinct

bp = Blueprint("escalation_settings", __name__)

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
        validate=_distinct("Pause statuses"),
    )

    @post_load
    def _in_workflow_order(self, data, **_) -> dict:
        """Stored and compared in one order, so sending the same set in another is no change."""
        if "pause_statuses" in data:
            chosen = set(data["pause_statuses"])
            data["pause_statuses"] = [s for s in sla.PAUSE_STATUS_CHOICES if s in chosen]
        return data


# --- Responses (for the OpenAPI document) ----------------------------------------------------


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


SETTINGS_KEYS = ("pause_statuses", "version", "updated_at")
RECOMPUTE_KEYS = ("requested_at", "queued", "finished_at")


def render(row: dict) -> dict:
    """The API shape of a get_settings row: the settings, and the recompute beside them."""
    recompute = None
    if row["recompute_requested_at"] is not None:
        recompute = {key: row[f"recompute_{key}"] for key in RECOMPUTE_KEYS}
    return {"escalation_settings": {key: row[key] for key in SETTINGS_KEYS}, "recompute": recompute}


# --- Views ------------------------------------------------------------------------------------


@route(bp, "/escalation-settings", Ability.WORKFLOW_READ, feature=FEATURE,
       returns=EscalationSettingsEnvelope)  # fmt: skip
def get_escalation_settings(_payload):
    """The pause statuses, and how far the latest background recompute of the clocks has got."""
    account_id = current_principal().account_id
    with read_cursor() as cur:
        row = sql.escalation_settings.get_settings.one(cur, account_id=account_id)
    return render(row)


@route(bp, "/escalation-settings/update", Ability.WORKFLOW_WRITE, feature=FEATURE,
       body=EscalationSettingsUpdate, returns=EscalationSettingsEnvelope,
       errors=(409,))  # fmt: skip
def update_escalation_settings(cur, payload):
    """Replace the pause statuses; a change recomputes the account's clocks in the background."""
    account_id = current_principal().account_id
    sql.accounts.lock_account.one(cur, account_id=account_id)  # the row may not exist yet
    current = render(sql.escalation_settings.get_settings.one(cur, account_id=account_id))
    before = current["escalation_settings"]
    if not (changed := changes(before, payload, ("pause_statuses",))):
        return current
    sql.escalation_settings.save_settings.run(
        cur, account_id=account_id, pause_statuses=changed["pause_statuses"]
    )
    saved = render(sql.escalation_settings.get_settings.one(cur, account_id=account_id))
    audit.record(
        cur,
        "escalation_settings.update",
        "escalation_settings",
        None,
        before,
        saved["escalation_settings"],
    )
    return saved
