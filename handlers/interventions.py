"""Interventions: forms agents run on a ticket, and their remote tokens (feature ``interventions``).

A remote token (``tkr_…``) is shown once by generate-token and stored only as its SHA-256 hash
(tickiti_workflow/remote_tokens.py); remote_url must pass tickiti_workflow/remote_urls.py.
"""

from __future__ import annotations

import re

from flask import Blueprint
from marshmallow import Schema, ValidationError, post_load, validate, validates, validates_schema
from marshmallow.fields import Boolean, DateTime, Integer, List, Nested, String
from psycopg.types.json import Json

import sql
from auth import Ability, current_principal, hash_token, requires
from tickiti_workflow import audit_trail
from tickiti_workflow.db import read_cursor, transaction
from tickiti_workflow.errors import LimitReached, NotFound
from tickiti_workflow.idempotency import withhold_on_replay
from tickiti_workflow.list_cache import cached_list
from tickiti_workflow.openapi import Deleted, envelope, returns
from tickiti_workflow.remote_tokens import mint_remote_token
from tickiti_workflow.remote_urls import MAX_URL_LENGTH, UnsafeRemoteUrl, check_remote_url
from tickiti_workflow.schema import (
    JSON_SPACE,
    Bool,
    BoundedList,
    Description,
    Empty,
    ExpectedVersion,
    Id,
    Int,
    Name,
    StrictSchema,
    Text,
    body,
)
from tickiti_workflow.versioning import changes

bp = Blueprint("interventions", __name__)

FEATURE = "interventions"
MAX_INTERVENTIONS = 200
MAX_FIELDS = 50
MAX_OPTIONS = 100
# What the OpenAPI document can say of remote_url; the address rules are checked in code.
REMOTE_URL_DOC = {
    "format": "uri",
    "pattern": f"^[{JSON_SPACE}]*[hH][tT][tT][pP][sS]://[^\\u0000-\\u001f\\u007f-\\u009f]+$",
    "description": "An absolute https:// URL whose host is not localhost or a private, "
    "loopback, link-local or unspecified IP literal.",
}
FIELD_KEY = "[a-z][a-z0-9_]{0,63}"
FIELD_KEY_RE = re.compile(rf"{FIELD_KEY}\Z")
MAX_GRACE_MINUTES = 1440
FIELD_TYPES = ("text", "textarea", "number", "select", "multiselect", "checkbox", "date")
TYPES_WITH_OPTIONS = frozenset({"select", "multiselect"})
EDITABLE = ("name", "description", "enabled", "remote_url", "fields")

# --- schemas ------------------------------------------------------------------------------


def _distinct(values: list, what: str) -> str | None:
    seen: set = set()
    dupes = [v for v in values if v in seen or seen.add(v)]
    return f"{what} must be unique; repeated: {sorted(set(dupes))[:20]}." if dupes else None


class FieldOption(StrictSchema):
    value = Text(min_length=1, max_length=100, required=True)
    label = Text(min_length=1, max_length=100, required=True)


class FormField(StrictSchema):
    # fullmatch in the service; the same rule in the document's ECMA-262 dialect.
    key = String(
        required=True,
        validate=validate.Regexp(FIELD_KEY_RE),
        metadata={"pattern": f"^{FIELD_KEY}$"},
    )
    label = Text(min_length=1, max_length=100, required=True)
    type = String(required=True, validate=validate.OneOf(FIELD_TYPES))
    required = Bool(load_default=False)
    options = BoundedList(
        Nested(FieldOption), max_length=MAX_OPTIONS, load_default=list, allow_none=True
    )
    help_text = Text(max_length=500, multiline=True, load_default="")

    @validates_schema
    def _options_fit_type(self, data, **_):
        options = data.get("options") or []
        if data.get("type") in TYPES_WITH_OPTIONS:
            if not options:
                raise ValidationError(f"Required and non-empty for type {data['type']}.", "options")
            if message := _distinct([o["value"] for o in options], "Option values"):
                raise ValidationError(message, "options")
        elif options:
            raise ValidationError(f"Not allowed for type {data.get('type')}.", "options")

    @post_load
    def _canonical(self, data, **_):
        """Every key present, in the order responses show them."""
        return {
            "key": data["key"],
            "label": data["label"],
            "type": data["type"],
            "required": data["required"],
            "options": [{"value": o["value"], "label": o["label"]} for o in data["options"] or []],
            "help_text": data["help_text"],
        }


def _unique_keys(form_fields: list[dict]) -> None:
    seen: set[str] = set()
    errors = {}
    for index, field in enumerate(form_fields):
        if field["key"] in seen:
            errors[index] = {"key": [f"Duplicate key {field['key']!r}; keys must be unique."]}
        seen.add(field["key"])
    if errors:
        raise ValidationError(errors)


class InterventionBody(StrictSchema):
    name = Name()
    description = Description()
    enabled = Bool()
    remote_url = Text(min_length=1, max_length=MAX_URL_LENGTH, metadata=REMOTE_URL_DOC)
    fields = BoundedList(Nested(FormField), max_length=MAX_FIELDS, validate=_unique_keys)

    @validates("remote_url")
    def _remote_url(self, value, **_):
        try:
            check_remote_url(value)
        except UnsafeRemoteUrl as refused:
            raise ValidationError(str(refused)) from None


class InterventionCreate(InterventionBody):
    name = Name(required=True)
    remote_url = Text(
        min_length=1, max_length=MAX_URL_LENGTH, required=True, metadata=REMOTE_URL_DOC
    )
    description = Description(load_default="")
    enabled = Bool(load_default=True)
    fields = BoundedList(
        Nested(FormField), load_default=list, max_length=MAX_FIELDS, validate=_unique_keys
    )


class InterventionUpdate(InterventionBody, ExpectedVersion):
    intervention_id = Id(required=True)


class InterventionRef(StrictSchema):
    intervention_id = Id(required=True)


class GenerateToken(InterventionRef):
    grace_minutes = Int(minimum=0, maximum=MAX_GRACE_MINUTES, load_default=0)


# --- responses ----------------------------------------------------------------------------


class InterventionFieldOption(Schema):
    value = String(required=True)
    label = String(required=True)


class InterventionField(Schema):
    key = String(required=True)
    label = String(required=True)
    type = String(required=True, validate=validate.OneOf(FIELD_TYPES))
    required = Boolean(required=True)
    options = List(Nested(InterventionFieldOption), required=True)
    help_text = String(required=True)


class Intervention(Schema):
    id = Integer(required=True)
    name = String(required=True)
    description = String(required=True)
    enabled = Boolean(required=True)
    remote_url = String(required=True)
    fields = List(Nested(InterventionField), required=True)
    has_remote_token = Boolean(required=True)
    remote_token_hint = String(required=True, allow_none=True)
    remote_token_created_at = DateTime(required=True, allow_none=True)
    remote_token_last_used_at = DateTime(required=True, allow_none=True)
    version = Integer(required=True)
    created_at = DateTime(required=True)
    updated_at = DateTime(required=True)


InterventionList = envelope("InterventionList", "interventions", Intervention, many=True)
InterventionEnvelope = envelope("InterventionEnvelope", "intervention", Intervention)


class RemoteTokenMinted(Schema):
    intervention_id = Integer(required=True)
    # Null when an Idempotency-Key retry replays the response: the secret is shown once.
    remote_token = String(required=True, allow_none=True)
    remote_token_hint = String(required=True)
    created_at = DateTime(required=True)


def _token_state(intervention: dict) -> dict:
    """What the audit trail shows of a remote token: never the token nor its hash."""
    return {
        "remote_token_hint": intervention["remote_token_hint"],
        "remote_token_created_at": intervention["remote_token_created_at"],
    }


# --- endpoints ----------------------------------------------------------------------------


@bp.post("/interventions")
@returns(InterventionList)
@requires(Ability.WORKFLOW_READ, feature=FEATURE)
@body(Empty)
@cached_list
def list_interventions(_payload):
    """List the account's interventions by name; token state only as a flag and hint."""
    with read_cursor() as cur:
        interventions = sql.interventions.list_interventions.all(
            cur, account_id=current_principal().account_id
        )
    return {"interventions": interventions}


@bp.post("/interventions/create")
@returns(InterventionEnvelope, status=201, errors=(409,))
@requires(Ability.WORKFLOW_WRITE, feature=FEATURE)
@body(InterventionCreate)
def create_intervention(payload):
    """Create an intervention (at most 200 per account; names unique ignoring case)."""
    account_id = current_principal().account_id
    with transaction() as cur:
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


@bp.post("/interventions/update")
@returns(InterventionEnvelope, errors=(404, 409))
@requires(Ability.WORKFLOW_WRITE, feature=FEATURE)
@body(InterventionUpdate)
def update_intervention(payload):
    """Change an intervention; `fields`, when sent, replaces the whole list."""
    ids = {
        "account_id": current_principal().account_id,
        "intervention_id": payload["intervention_id"],
    }
    with transaction() as cur:
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


@bp.post("/interventions/delete")
@returns(Deleted, errors=(404,))
@requires(Ability.WORKFLOW_WRITE, feature=FEATURE)
@body(InterventionRef)
def delete_intervention(payload):
    """Delete an intervention and its remote tokens."""
    ids = {"account_id": current_principal().account_id, **payload}
    with transaction() as cur:
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


@bp.post("/interventions/generate-token")
@returns(RemoteTokenMinted, errors=(404,))
@requires(Ability.WORKFLOW_WRITE, feature=FEATURE)
@body(GenerateToken)
def generate_token(payload):
    """Mint a new remote token, shown once; the old one stays valid `grace_minutes` (default 0)."""
    # A retry with the same Idempotency-Key replays the response with the token withheld (null):
    # the secret is shown once and stored nowhere but as its hash.
    withhold_on_replay("remote_token")
    token = mint_remote_token()
    ids = {"account_id": current_principal().account_id, **payload}
    with transaction() as cur:
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
