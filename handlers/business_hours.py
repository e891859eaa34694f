"""The account's business hours and the preview of a target (plan feature ``escalations``).

Business hours are one object per account; escalations whose ``target.business_hours`` is set
count in them. The preview endpoint shows what a target means with the saved hours.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint
from psycopg.types.json import Jsonb

import sql
from auth import Ability, current_principal
from tickiti_workflow import audit_trail, business_time
from tickiti_workflow.business_time import render_business_hours
from tickiti_workflow.db import read_cursor
from tickiti_workflow.schemas.business_hours import (
    BusinessHoursEnvelope,
    BusinessHoursPreview,
    BusinessHoursPreviewed,
    BusinessHoursUpdate,
)
from tickiti_workflow.versioning import changes
from tickiti_workflow.web.pipeline import route

bp = Blueprint("business_hours", __name__)

FEATURE = "escalations"


# --- Business-hours bodies --------------------------------------------------------------------


# --- Responses (for the OpenAPI document) ----------------------------------------------------


# --- Views ------------------------------------------------------------------------------------


@route(bp, "/business-hours/update", Ability.WORKFLOW_WRITE, feature=FEATURE,
       body=BusinessHoursUpdate, returns=BusinessHoursEnvelope, errors=(409,))  # fmt: skip
def update_business_hours(cur, payload):
    """Replace the parts of the business hours sent; `schedule` replaces only the weekdays named."""
    account_id = current_principal().account_id
    current = render_business_hours(
        sql.business_hours.lock_business_hours.one(cur, account_id=account_id)
    )
    wanted = dict(payload)
    if "schedule" in payload:  # the weekdays sent replace theirs; the others keep theirs
        wanted["schedule"] = {**current["schedule"], **payload["schedule"]}
    if not (changed := changes(current, wanted, ("timezone", "schedule", "holidays"))):
        return {"business_hours": current}
    merged = {**current, **changed}
    row = sql.business_hours.update_business_hours.one(
        cur,
        account_id=account_id,
        timezone=merged["timezone"],
        schedule=Jsonb(merged["schedule"]),
        holidays=Jsonb(merged["holidays"]),
    )
    hours = render_business_hours(row)
    audit_trail.record(cur, "business_hours.update", "business_hours", None, current, hours)
    return {"business_hours": hours}


@route(bp, "/business-hours/preview", Ability.WORKFLOW_READ, feature=FEATURE,
       body=BusinessHoursPreview, returns=BusinessHoursPreviewed)  # fmt: skip
def preview_business_hours(payload):
    """When `minutes` business minutes from `start` end, and how many have elapsed since it."""
    with read_cursor() as cur:
        row = sql.business_hours.get_business_hours.one(
            cur, account_id=current_principal().account_id
        )
    hours = render_business_hours(row)
    return business_time.preview(hours, payload["start"], payload["minutes"], datetime.now(UTC))
