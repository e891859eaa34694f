"""The account's escalation clock settings (plan feature ``escalations``).

One object per account: the pause statuses, in which first_response, next_response and
resolution clocks stand still. Saving a change recomputes the account's clocks in the
background (migration 0019's trigger on ``escalation_settings``); ``recompute`` shows how far
that has got.
"""

from __future__ import annotations

from flask import Blueprint

import sql
from auth import Ability, current_principal
from tickiti_workflow import audit_trail
from tickiti_workflow.db import read_cursor
from tickiti_workflow.schemas.escalation_settings import (
    EscalationSettingsEnvelope,
    EscalationSettingsUpdate,
)
from tickiti_workflow.versioning import changes
from tickiti_workflow.web.pipeline import route

from .escalations import FEATURE

bp = Blueprint("escalation_settings", __name__)

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
    audit_trail.record(
        cur,
        "escalation_settings.update",
        "escalation_settings",
        None,
        before,
        saved["escalation_settings"],
    )
    return saved
