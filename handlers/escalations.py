"""Escalations (plan feature ``escalations``).

Escalations are ordered rules (``position`` 1..n): when a ticket matching the conditions misses
the target, the actions run. Their list carries the account's business hours
(tickiti_workflow/business_time.py), which targets with ``business_hours`` count in.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from psycopg.types.json import Jsonb

import sql
from auth import Ability, current_principal
from tickiti_workflow import audit_trail, escalation_runtime
from tickiti_workflow.business_time import HOURS_COLUMNS, render_business_hours
from tickiti_workflow.db import read_cursor
from tickiti_workflow.errors import LimitReached, NotFound, ValidationFailed
from tickiti_workflow.escalation_refs import check_references, referenced_queue_ids
from tickiti_workflow.schemas.escalations import (
    EscalationCreate,
    EscalationDelete,
    EscalationEnvelope,
    EscalationList,
    EscalationUpdate,
)
from tickiti_workflow.versioning import changes
from tickiti_workflow.web.openapi import Deleted
from tickiti_workflow.web.pipeline import route

bp = Blueprint("escalations", __name__)

FEATURE = "escalations"
MAX_ESCALATIONS = 200


# --- Escalation bodies ------------------------------------------------------------------------


def _columns(escalation: dict) -> dict[str, Any]:
    """The escalation's API shape as the parameters of the SQL that stores it."""
    conditions, target = escalation["conditions"], escalation["target"]
    return {
        "name": escalation["name"],
        "enabled": escalation["enabled"],
        "queue_ids": conditions["queue_ids"],
        "priorities": conditions["priorities"],
        "metric": target["metric"],
        "minutes": target["minutes"],
        "business_hours": target["business_hours"],
        "actions": Jsonb(escalation["actions"]),
    }


# --- Responses (for the OpenAPI document) ----------------------------------------------------


# --- Views ------------------------------------------------------------------------------------


@route(bp, "/escalations", Ability.WORKFLOW_READ, feature=FEATURE,
       returns=EscalationList, cached=True)  # fmt: skip
def list_escalations(_payload):
    """List escalations in position order, with the account's business hours."""
    account_id = current_principal().account_id
    with read_cursor() as cur:  # one statement: the escalations with the hours on the first row
        rows = sql.escalations.list_escalations_with_hours.all(cur, account_id=account_id)
    first = rows[0]
    hours = {key: first.pop(f"hours_{key}") for key in HOURS_COLUMNS}
    escalations = [] if first["id"] is None else rows
    for row in rows[1:]:
        for key in HOURS_COLUMNS:
            del row[f"hours_{key}"]
    return {"escalations": escalations, "business_hours": render_business_hours(hours)}


def saved(cur, account_id: int, escalation: dict) -> dict:
    """The create and update answer: the escalation as it is, and beside it (so the object
    stays what integrators know) how many tickets it fires at once."""
    immediate = escalation_runtime.would_fire_immediately(
        cur,
        account_id,
        escalation["id"],
        escalation["target"]["metric"],
        escalation["enabled"],
    )
    return {"escalation": escalation, "would_fire_immediately": immediate}


@route(bp, "/escalations/create", Ability.WORKFLOW_WRITE, feature=FEATURE,
       body=EscalationCreate, returns=EscalationEnvelope, status=201, errors=(409,))  # fmt: skip
def create_escalation(cur, payload):
    """Create an escalation, appended last (at most 200 per account; names unique)."""
    account_id = current_principal().account_id
    sql.accounts.lock_account.one(cur, account_id=account_id)
    check_references(cur, account_id, payload["conditions"], payload["actions"])
    row = sql.escalations.create_escalation.one(
        cur, account_id=account_id, limit=MAX_ESCALATIONS, **_columns(payload)
    )
    if row is None:
        raise LimitReached("escalations", MAX_ESCALATIONS)
    ids = {"account_id": account_id, "escalation_id": row["id"]}
    sql.escalations.write_queue_refs.run(cur, **ids, queue_ids=referenced_queue_ids(payload))
    escalation = sql.escalations.get_escalation.one(cur, **ids)
    audit_trail.record(cur, "escalation.create", "escalation", row["id"], after=escalation)
    return saved(cur, account_id, escalation), 201


@route(bp, "/escalations/update", Ability.WORKFLOW_WRITE, feature=FEATURE,
       body=EscalationUpdate, returns=EscalationEnvelope, errors=(404, 409))  # fmt: skip
def update_escalation(cur, payload):
    """Change an escalation; `conditions`, `target` and `actions` replace their whole part."""
    account_id = current_principal().account_id
    ids = {"account_id": account_id, "escalation_id": payload["id"]}
    editable = ("name", "enabled", "position", "conditions", "target", "actions")
    if "position" in payload:  # moving shifts others: serialise with creates and deletes
        sql.accounts.lock_account.one(cur, account_id=account_id)
    current = sql.escalations.lock_escalation.one(cur, **ids)
    if current is None:
        raise NotFound("escalation", payload["id"])
    before = sql.escalations.get_escalation.one(cur, **ids)
    if not (changed := changes(current, payload, editable)):
        return saved(cur, account_id, before)
    if "position" in changed:
        count = sql.escalations.count_escalations.one(cur, account_id=account_id)
        if changed["position"] > count["escalation_count"]:
            raise ValidationFailed(
                {"position": [f"Must be between 1 and {count['escalation_count']}."]}
            )
        sql.escalations.move_escalation.run(
            cur, **ids, position=changed["position"], old_position=current["position"]
        )
    check_references(cur, account_id, changed.get("conditions"), changed.get("actions"))
    merged = {**current, **changed}
    sql.escalations.update_escalation.run(cur, **ids, **_columns(merged))
    if "conditions" in changed or "actions" in changed:
        sql.escalations.write_queue_refs.run(cur, **ids, queue_ids=referenced_queue_ids(merged))
    escalation = sql.escalations.get_escalation.one(cur, **ids)
    audit_trail.record(cur, "escalation.update", "escalation", payload["id"], before, escalation)
    return saved(cur, account_id, escalation)


@route(bp, "/escalations/delete", Ability.WORKFLOW_WRITE, feature=FEATURE,
       body=EscalationDelete, returns=Deleted, errors=(404,))  # fmt: skip
def delete_escalation(cur, payload):
    """Delete an escalation; the ones after it move up a position."""
    account_id = current_principal().account_id
    ids = {"account_id": account_id, "escalation_id": payload["id"]}
    sql.accounts.lock_account.one(cur, account_id=account_id)  # positions shift
    before = sql.escalations.get_escalation.one(cur, **ids)
    if before is None:
        raise NotFound("escalation", payload["id"])
    sql.escalations.delete_escalation.run(cur, **ids)
    sql.escalations.close_position_gap.run(cur, account_id=account_id, position=before["position"])
    audit_trail.record(
        cur, "escalation.delete", "escalation", payload["id"], before, {"deleted": True}
    )
    return {"deleted": True, "id": payload["id"]}
