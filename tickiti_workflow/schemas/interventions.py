"""Interventions: the form definition bodies and the intervention as the API shows it."""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, post_load, validate, validates, validates_schema
from marshmallow.fields import Boolean, DateTime, Integer, List, Nested, String

from tickiti_workflow.remote_urls import MAX_URL_LENGTH, UnsafeRemoteUrl, check_remote_url
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
from tickiti_workflow.web.openapi import envelope

from .common import distinct, repeat_positions

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
            try:
                distinct("Option values")([o["value"] for o in options])
            except ValidationError as repeated:
                raise ValidationError(repeated.messages, "options") from None
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
    errors = {
        index: {"key": [f"Duplicate key {form_fields[index]['key']!r}; keys must be unique."]}
        for index in repeat_positions([field["key"] for field in form_fields])
    }
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
