"""The OpenAPI 3.1 document, generated from the route table and the marshmallow schemas.

Request bodies come from the very schemas that validate them (``@body``), gates from
``@requires``, and success responses from ``@returns``; nothing is written twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from marshmallow import Schema, fields

API_PREFIX = "/api/v1/workflow"
# 1–255 printable ASCII characters; HTTP trims a header's outer spaces, so none at either end.
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]([ -~]{0,253}[!-~])?$"

# Statuses every gated endpoint can answer, before its own (404, 409, ...).
COMMON_ERRORS = {
    400: "The body is not a JSON object (`invalid_json`) or the Idempotency-Key is invalid.",
    401: "No, malformed, unknown, revoked or expired token.",
    403: "`insufficient_ability`, `admin_required` or `feature_not_in_plan`.",
    413: "The body is over 1 MiB.",
    415: "The body is not `application/json`.",
    422: "`validation_failed` (see `details.fields`) or `idempotency_key_reused`.",
    429: "`rate_limited`: retry after `Retry-After` seconds.",
    503: "`database_unavailable` or `database_timeout`: retry.",
}
ERROR_TEXT = {
    404: "`not_found`: the object is not in the account.",
    409: "A conflict: see the endpoint's description for its codes.",
}


def one_of_schemas(self, field, ret, **_kwargs) -> dict:
    """apispec attribute function: a field with ``metadata["one_of"]`` (a list of schema
    classes) is documented as ``oneOf`` those components, e.g. an escalation action by type."""
    schemas = field.metadata.get("one_of")
    if not schemas:
        return {}
    return {"oneOf": [self.resolve_nested_schema(schema) for schema in schemas]}


def returns(
    schema: type[Schema],
    status: int = 200,
    errors: tuple[int, ...] = (),
    accepted: type[Schema] | None = None,
) -> Callable:
    """Declare a view's success body, the statuses beyond the common ones it can answer, and
    the body of its 202 when it can hand the work to a background job instead."""

    def decorator(view: Callable) -> Callable:
        view.returns = (schema, status, errors, accepted)
        return view

    return decorator


def envelope(name: str, key: str, item: type[Schema], many: bool = False) -> type[Schema]:
    """A response schema ``{key: item}`` (or ``{key: [item]}``) named ``name``."""
    field = fields.Nested(item, many=many, required=True)
    return type(name, (Schema,), {key: field})


class Deleted(Schema):
    """What every delete answers; resources that move or re-categorise tickets add a count."""

    deleted = fields.Boolean(required=True)
    id = fields.Integer(required=True)


class ErrorBody(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict(required=True)


class Error(Schema):
    error = fields.Nested(ErrorBody, required=True)


RATE_LIMIT_HEADERS = {
    name: {"schema": {"type": "integer"}, "description": text}
    for name, text in (
        ("RateLimit-Limit", "Requests this token may make per minute."),
        ("RateLimit-Remaining", "Requests left in the current window."),
        ("RateLimit-Reset", "Seconds until the window resets."),
    )
}


def _operation(path: str, view: Any) -> dict[str, Any]:
    ability, feature = view.gate
    schema, status, extra_errors, accepted = getattr(
        view, "returns", ({"type": "object"}, 200, (404, 409), None)
    )
    gate_text = f"Needs `{ability}`, an admin owner" + (
        f" and the plan feature `{feature}`." if feature else "."
    )
    doc = (view.__doc__ or "").strip()
    responses: dict[int, Any] = {
        status: {
            "description": "Success.",
            "content": {"application/json": {"schema": schema}},
            "headers": RATE_LIMIT_HEADERS,
        }
    }
    if accepted is not None:
        responses[202] = {
            "description": "Accepted: the work is too large for one request and runs as a job.",
            "content": {"application/json": {"schema": accepted}},
            "headers": RATE_LIMIT_HEADERS,
        }
    for code in sorted({*COMMON_ERRORS, *extra_errors}):
        responses[code] = {
            "description": COMMON_ERRORS.get(code) or ERROR_TEXT.get(code, "Error."),
            "content": {"application/json": {"schema": "Error"}},
        }
    operation = {
        "operationId": view.__name__,
        "summary": doc.splitlines()[0] if doc else view.__name__.replace("_", " "),
        "description": f"{doc}\n\n{gate_text}".strip(),
        "tags": [path.removeprefix(API_PREFIX + "/").split("/")[0]],
        "security": [{"bearer": []}],
        "x-ability": str(ability),
        "x-plan-feature": feature,
        "parameters": [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "Replays the first response of a retried write (24 h, per owner).",
                "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
            }
        ]
        if str(ability).endswith(":write")
        else [],
        "requestBody": {
            "required": str(ability).endswith(":write"),  # reads also accept an empty body
            "content": {"application/json": {"schema": view.body_schema}},
        },
        "responses": responses,
    }
    return operation


def build(app: Flask) -> dict[str, Any]:
    """The document for every gated POST endpoint of ``app``."""
    marshmallow_plugin = MarshmallowPlugin()
    spec = APISpec(
        title="Tickiti Workflow API",
        version="1.0.0",
        openapi_version="3.1.0",
        plugins=[marshmallow_plugin],
        info={
            "description": "Queues, resolution categories, interventions, escalations and "
            "business hours of a Tickiti account. Every endpoint is a POST with a JSON body."
        },
        servers=[{"url": "/"}],
    )
    marshmallow_plugin.converter.add_attribute_function(one_of_schemas)
    spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "An API token `tkt_…`."}
    )
    spec.components.schema("Error", schema=Error)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        if "POST" in rule.methods and hasattr(view, "gate"):
            spec.path(path=rule.rule, operations={"post": _operation(rule.rule, view)})
    return spec.to_dict()
