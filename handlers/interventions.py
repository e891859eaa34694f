"""Interventions: forms agents run on a ticket, and their remote tokens (feature ``interventions``).

A remote token (``tkr_…``) is shown once by generate-token and stored only as its SHA-256 hash
(tickiti_workflow/remote_tokens.py); remote_url must pass tickiti_workflow/remote_urls.py.
"""

from __future__ import annotations

from flask import Blueprint
from psycopg.types.json import Json

import sql
from auth import Ability, current_principal
from tickiti_workflow import audit_trail
from tickiti_workflow.db import read_cursor
from tickiti_workflow.errors import LimitReached, NotFound
from tickiti_workflow.remote_tokens import mint_remote_token
from tickiti_workflow.schemas.interventions import (
    GenerateToken,
    InterventionCreate,
    InterventionEnvelope,
    InterventionList,
    InterventionRef,
    InterventionUpdate,
    RemoteTokenMinted,
)
from tickiti_workflow.tokens import hash_token
from tickiti_workflow.versioning import changes
from tickiti_workflow.web.idempotency import withhold_on_replay
from tickiti_workflow.web.openapi import Deleted
from tickiti_workflow.web.pipeline import route

bp = Blueprint("interventions", __name__)

FEATURE = "interventions"
MAX_INTERVENTIONS = 200
EDITABLE = ("name", "description", "enabled", "remote_url", "fields")

# --- schemas ------------------------------------------------------------------------------


# --- responses ----------------------------------------------------------------------------


def _token_state(intervention: dict) -> dict:
    """What the audit trail shows of a remote token: never the token nor its hash."""
    return {
        "remote_token_hint": intervention["remote_token_hint"],
        "remote_token_created_at": intervention["remote_token_created_at"],
    }


# --- endpoints ----------------------------------------------------------------------------


@route(bp, "/interventions", Ability.WORKFLOW_READ, feature=FEATURE,
       returns=InterventionList, cached=True)  # fmt: skip
def list_interventions(_payload):
    """List the account's interventions by name; token state only as a flag and hint."""
    with read_cursor() as cur:
        interventions = sql.interventions.list_interventions.all(
            cur, account_id=current_principal().account_id
        )
    return {"interventions": interventions}


@route(bp, "/interventions/create", Ability.WORKFLOW_WRITE, feature=FEATURE,
       body=InterventionCreate, returns=InterventionEnvelope, status=201,
       errors=(409,))  # fmt: skip
def create_intervention(cur, payload):
    """Create an intervention (at most 200 per account; names unique ignoring case)."""
    account_id = current_principal().account_id
    sql.accounts.lock_account.one(cur, account_id=account_id)
    intervention = sql.interventions.create_intervention.one(
        cur,
        account_id=account_id,
        limit=MAX_INTERVENTIONS,
        **{**payload, "fields": Json(payload["fields"])},
    )
    if intervention is None:
        raise LimitReached("interventions", MAX_INTERVENTIONS)
    audit_trail.record(
        cur, "intervention.create", "intervention", intervention["id"], after=intervention
    )
    return {"intervention": intervention}, 201


@route(bp, "/interventions/update", Ability.WORKFLOW_WRITE, feature=FEATURE,
       body=InterventionUpdate, returns=InterventionEnvelope, errors=(404, 409))  # fmt: skip
def update_intervention(cur, payload):
    """Change an intervention; `fields`, when sent, replaces the whole list."""
    ids = {
        "account_id": current_principal().account_id,
        "intervention_id": payload["intervention_id"],
    }
    current = sql.interventions.lock_intervention.one(cur, **ids)
    if current is None:
        raise NotFound("intervention", payload["intervention_id"])
    before = sql.interventions.get_intervention.one(cur, **ids)
    if changed := changes(current, payload, EDITABLE):
        row = {**current, **changed}
        sql.interventions.update_intervention.run(
            cur, **{**row, "fields": Json(row["fields"]), **ids}
        )
        intervention = sql.interventions.get_intervention.one(cur, **ids)
        audit_trail.record(
            cur, "intervention.update", "intervention", intervention["id"],
            before, intervention,
        )  # fmt: skip
    else:
        intervention = before
    return {"intervention": intervention}


@route(bp, "/interventions/delete", Ability.WORKFLOW_WRITE, feature=FEATURE,
       body=InterventionRef, returns=Deleted, errors=(404,))  # fmt: skip
def delete_intervention(cur, payload):
    """Delete an intervention and its remote tokens."""
    ids = {"account_id": current_principal().account_id, **payload}
    before = sql.interventions.get_intervention.one(cur, **ids)
    if before is None:
        raise NotFound("intervention", payload["intervention_id"])
    deleted = sql.interventions.delete_intervention.one(cur, **ids)
    if deleted is None:  # deleted meanwhile by a concurrent request
        raise NotFound("intervention", payload["intervention_id"])
    audit_trail.record(
        cur, "intervention.delete", "intervention", deleted["id"], before, {"deleted": True}
    )
    return {"deleted": True, "id": deleted["id"]}


@route(bp, "/interventions/generate-token", Ability.WORKFLOW_WRITE, feature=FEATURE,
       body=GenerateToken, returns=RemoteTokenMinted, errors=(404,))  # fmt: skip
def generate_token(cur, payload):
    """Mint a new remote token, shown once; the old one stays valid `grace_minutes` (default 0)."""
    # A retry with the same Idempotency-Key replays the response with the token withheld (null):
    # the secret is shown once and stored nowhere but as its hash.
    withhold_on_replay("remote_token")
    token = mint_remote_token()
    ids = {"account_id": current_principal().account_id, **payload}
    before = sql.interventions.get_intervention.one(cur, **ids)
    if before is None:
        raise NotFound("intervention", payload["intervention_id"])
    minted = sql.interventions.replace_remote_token.one(
        cur, token_hash=hash_token(token), token_hint=token[-4:], **ids
    )
    if minted is None:  # deleted meanwhile by a concurrent request
        raise NotFound("intervention", payload["intervention_id"])
    audit_trail.record(
        cur, "intervention.generate_token", "intervention", minted["intervention_id"],
        _token_state(before),
        {
            "remote_token_hint": token[-4:],
            "remote_token_created_at": minted["created_at"],
            "grace_minutes": payload["grace_minutes"],
        },
    )  # fmt: skip
    return {
        "intervention_id": minted["intervention_id"],
        "remote_token": token,
        "remote_token_hint": token[-4:],
        "created_at": minted["created_at"],
    }
