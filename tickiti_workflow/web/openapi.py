"""The OpenAPI 3.1 document, generated from the route table and the marshmallow schemas.

Request bodies, gates and success responses come from each view's ``@route`` declaration
(web/pipeline.py), whose body schemas are the very ones that validate; nothing is written
twice.
"""

from __future__ import annotations

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
# Every ``error.code`` each status can carry (the endpoint's description says which of the
# 409 codes it uses). tests/test_openapi_lint.py checks that the code defines no other.
ERROR_CODES: dict[int, dict[str, str]] = {
    400: {"invalid_json": "The body is not a JSON object.",
          "invalid_idempotency_key": "The Idempotency-Key header is not 1–255 printable ASCII."},
    401: {"unauthenticated": "No bearer token, or a malformed one.",
          "invalid_token": "The API token is not valid.",
          "token_expired": "The API token has expired."},
    403: {"insufficient_ability": "The token lacks the 'workflow:write' ability.",
          "admin_required": "Only an account owner or admin may use the Workflow API.",
          "feature_not_in_plan": "The account's plan does not include the 'escalations' feature."},
    404: {"not_found": "Not found."},
    409: {"version_conflict": "The object changed since you read it.",
          "name_taken": "That name is already used in the account.",
          "limit_reached": "The account has reached its limit for these objects.",
          "queue_builtin": "The built-in queue cannot be deleted.",
          "queue_in_use": "The queue still has tickets or is used by escalations.",
          "category_in_use": "The category is used by tickets.",
          "job_in_progress": "An unfinished background job moves tickets of this object."},
    413: {"payload_too_large": "The request body is larger than 1 MiB."},
    415: {"unsupported_media_type": "Send the body as 'Content-Type: application/json'."},
    422: {"validation_failed": "The request body is not valid.",
          "idempotency_key_reused": "This Idempotency-Key was used with another request."},
    429: {"rate_limited": "This token may make 600 requests a minute; retry after 12 s."},
    503: {"database_unavailable": "The database is unavailable; retry.",
          "database_timeout": "The database took too long; retry."},
}  # fmt: skip
EXAMPLE_DETAILS = {
    "validation_failed": {"fields": {"name": ["Missing data for required field."]}},
    "rate_limited": {"limit": 600, "retry_after_seconds": 12},
    "insufficient_ability": {"required_ability": "workflow:write"},
    "feature_not_in_plan": {"feature": "escalations"},
    "job_in_progress": {"job_id": 7},
}
# One declared tag per first path segment (a new resource gets a generic description).
TAGS = {
    "audit-events": "Who changed what in the account, newest first.",
    "business-hours": "The account's working week, holidays and business-time previews.",
    "escalation-firings": "What escalations did: each firing, with the actions it ran.",
    "escalation-settings": "The account's clock settings: the statuses in which clocks pause.",
    "escalations": "Rules that act on tickets waiting too long in a queue.",
    "interventions": "Forms agents fill in, sent to a remote URL.",
    "jobs": "Background jobs: large moves and deletions, with their progress.",
    "queues": "Where tickets wait; moving tickets between queues.",
    "resolution-categories": "Why tickets were resolved.",
}
CONTACT = {"name": "Tickiti Workflow API"}


def one_of_schemas(self, field, ret, **_kwargs) -> dict:
    """apispec attribute function: a field with ``metadata["one_of"]`` (a list of schema
    classes) is documented as ``oneOf`` those components, e.g. an escalation action by type."""
    schemas = field.metadata.get("one_of")
    if not schemas:
        return {}
    return {"oneOf": [self.resolve_nested_schema(schema) for schema in schemas]}


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
    route = view.route
    ability, feature = route.ability, route.feature
    schema, status, extra_errors, accepted = (
        route.returns,
        route.status,
        route.errors,
        route.accepted,
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
        responses[code] = error_response(code)
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
            "content": {"application/json": {"schema": route.body}},
        },
        "responses": responses,
    }
    return operation


def error_response(status: int) -> dict[str, Any]:
    """A status's response: its description, the ``code`` values it can carry, an example
    body for each."""
    codes = ERROR_CODES.get(status, {})
    text = COMMON_ERRORS.get(status) or ERROR_TEXT.get(status, "Error.")
    if codes:
        text += " Codes: " + ", ".join(f"`{c}`" for c in codes) + "."
    examples = {
        code: {
            "summary": code,
            "value": {
                "error": {
                    "code": code,
                    "message": message,
                    "details": EXAMPLE_DETAILS.get(code, {}),
                }
            },
        }
        for code, message in codes.items()
    }
    content: dict[str, Any] = {"schema": "Error"}
    if examples:
        content["examples"] = examples
    return {
        "description": text,
        "x-error-codes": list(codes),
        "content": {"application/json": content},
    }


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
            "business hours of a Tickiti account. Every endpoint is a POST with a JSON body.",
            "contact": CONTACT,
            "license": {"name": "Proprietary", "identifier": "LicenseRef-Proprietary"},
        },
        servers=[{"url": "/"}],
    )
    marshmallow_plugin.converter.add_attribute_function(one_of_schemas)  # type: ignore[union-attr]
    spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "An API token `tkt_…`."}
    )
    spec.components.schema("Error", schema=Error)
    used: set[str] = set()
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        if "POST" in rule.methods and hasattr(view, "route"):  # type: ignore[operator]
            operation = _operation(rule.rule, view)
            used.update(operation["tags"])
            spec.path(path=rule.rule, operations={"post": operation})
    for tag in sorted(used):
        spec.tag({"name": tag, "description": TAGS.get(tag, f"Operations on {tag}.")})
    return spec.to_dict()
