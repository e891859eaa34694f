"""Interventions: forms agents run on a ticket, and their remote tokens (feature ``interventions``).

A remote token (``tkr_…``) is shown once by generate-token and stored only as its SHA-256 hash.
``verify_remote_token`` is what the intervention runtime calls to check a presented one.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit

import idna
from flask import Blueprint
from marshmallow import Schema, ValidationError, post_load, validate, validates, validates_schema
from marshmallow.fields import Boolean, DateTime, Integer, List, Nested, String
from psycopg.rows import dict_row
from psycopg.types.json import Json

import sql
from auth import Ability, current_principal, hash_token, mint_token
from tickiti_workflow import audit
from tickiti_workflow.db import read_cursor
from tickiti_workflow.errors import LimitReached, NotFound
from tickiti_workflow.versioning import changes
from tickiti_workflow.web.body import (
    JSON_SPACE,
    Bool,
    BoundedList,
    Description,
    ExpectedVersion,
    Id,
    Int,
    Name,
    StrictSchema,
    Text,
)
from tickiti_workflow.web.idempotency import withhold_on_replay
from tickiti_workflow.web.openapi import Deleted, envelope
from tickiti_workflow.web.pipeline import route

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
MAX_URL_LENGTH = 2048
FIELD_KEY = "[a-z][a-z0-9_]{0,63}"
FIELD_KEY_RE = re.compile(rf"{FIELD_KEY}\Z")
MAX_GRACE_MINUTES = 1440
TOKEN_PREFIX = "tkr_"
FIELD_TYPES = ("text", "textarea", "number", "select", "multiselect", "checkbox", "date")
TYPES_WITH_OPTIONS = frozenset({"select", "multiselect"})
EDITABLE = ("name", "description", "enabled", "remote_url", "fields")

# A host name as it goes on the wire: ASCII letters, digits, hyphens (and underscores) in labels.
_HOSTNAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?", re.ASCII | re.IGNORECASE)


# --- remote_url ---------------------------------------------------------------------------


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host names literally, including legacy IPv4 forms like ``127.1``."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    # HTTP clients resolve "127.1", "2130706433" and "0x7f.0.0.1" through inet_aton.
    if re.fullmatch(r"[0-9a-fx.]+", host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host.rstrip(".")))
        except OSError:
            pass
    return None


def _unsafe_address_reason(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address must not be a remote_url's host, or None if it is a public address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return _unsafe_address_reason(ip.ipv4_mapped)
    for reason, flag in (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("not publicly routable", not ip.is_global),
    ):
        if flag:
            return reason
    return None


def check_remote_url(url: str) -> None:
    """Refuse anything but an absolute https URL whose host is a public name or address."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise ValidationError("Must be a valid absolute URL.") from None
    if parts.scheme.lower() != "https":
        raise ValidationError("Must be an absolute https:// URL.")
    if not host:
        raise ValidationError("Must name a host.")
    if parts.username is not None or parts.password is not None:
        raise ValidationError("Must not contain credentials; use the remote token instead.")
    for name in _network_forms(host):
        _check_host(name)


def _network_forms(host: str) -> set[str]:
    """The ASCII forms an HTTP client may turn the host into before resolving it.

    A client maps a Unicode host with IDNA: UTS 46 (IDNA 2008, e.g. the ``idna`` package) or
    IDNA 2003 (Python's own codec); both fold full-width and circled digits, compatibility
    letters and ideographic full stops to ASCII. Every form must pass every rule.
    """
    if host.isascii():
        return {host.lower()}
    try:
        forms = {
            idna.encode(host, uts46=True, std3_rules=True).decode("ascii").lower(),
            host.encode("idna").decode("ascii").lower(),
        }
    except (idna.IDNAError, UnicodeError, ValueError):
        raise ValidationError("The host is not a valid internationalised domain name.") from None
    return forms


def _check_host(host: str) -> None:
    """Refuse an ASCII host that is localhost, a non-public address, or no host name at all."""
    name = host.rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        raise ValidationError("The host must not be localhost.")
    ip = _ip_literal(host)
    if ip is None:
        if not _HOSTNAME.fullmatch(host):
            raise ValidationError("The host is not a valid host name.")
        return
    if reason := _unsafe_address_reason(ip):
        raise ValidationError(f"The host must not be a {reason} IP address.")


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
    fields = BoundedList(Nested(FormField), max_length=MAX_FIELDS, validate=_unique_keys)  # type: ignore[assignment]

    @validates("remote_url")
    def _remote_url(self, value, **_):
        check_remote_url(value)


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
    fields = List(Nested(InterventionField), required=True)  # type: ignore[assignment]
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
    audit.record(cur, "intervention.create", "intervention", intervention["id"], after=intervention)
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
        audit.record(
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
    audit.record(
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
    token = mint_token(TOKEN_PREFIX)
    ids = {"account_id": current_principal().account_id, **payload}
    before = sql.interventions.get_intervention.one(cur, **ids)
    if before is None:
        raise NotFound("intervention", payload["intervention_id"])
    minted = sql.interventions.replace_remote_token.one(
        cur, token_hash=hash_token(token), token_hint=token[-4:], **ids
    )
    if minted is None:  # deleted meanwhile by a concurrent request
        raise NotFound("intervention", payload["intervention_id"])
    audit.record(
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


# --- the runtime's check ------------------------------------------------------------------


def verify_remote_token(conn, token: str) -> tuple[int, int] | None:
    """``(account_id, intervention_id)`` for a valid presented remote token, else None.

    Valid means: the current token of an enabled intervention, or the token it replaced while
    that one's grace period lasts, in an account whose plan includes interventions. A valid
    use is recorded in ``remote_token_last_used_at`` (within the caller's transaction, if any).
    """
    if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX):
        return None
    with conn.cursor(row_factory=dict_row) as cur:
        row = sql.interventions.verify_remote_token.one(cur, token_hash=hash_token(token))
    return None if row is None else (row["account_id"], row["intervention_id"])
