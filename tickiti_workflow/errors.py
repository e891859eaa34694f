"""The one error family of the API and the handler that renders every error as JSON."""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from flask import Flask, Response, jsonify
from marshmallow import ValidationError
from psycopg import errors as pg
from psycopg_pool import PoolTimeout
from werkzeug.exceptions import HTTPException

from .rules import RuleBroken

log = logging.getLogger("tickiti.errors")


class ApiError(Exception):
    """An error answered as ``{"error": {"code", "message", "details"}}``."""

    status = 400
    code = "bad_request"
    message = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        details: dict[str, Any] | None = None,
        *,
        status: int | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.details = details or {}
        self.status = status or self.status
        self.code = code or self.code
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class Unauthenticated(ApiError):
    status, code = 401, "unauthenticated"
    message = "Send an API token as 'Authorization: Bearer <token>'."

    def __init__(self, message: str | None = None, *, code: str | None = None):
        super().__init__(message, code=code, headers={"WWW-Authenticate": 'Bearer realm="tickiti"'})


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status, code = 404, "not_found"

    def __init__(self, resource: str, id_: Any = None):
        details = {"resource": resource} if id_ is None else {"resource": resource, "id": id_}
        super().__init__(f"No {resource.replace('_', ' ')} with that id exists.", details)


class Conflict(ApiError):
    status = 409


# An error response names at most this many fields, each with at most MAX_MESSAGES messages of
# at most MAX_TEXT characters (a field path too): a body of a million errors answers in a few KiB.
MAX_FIELD_ERRORS = 50
MAX_MESSAGES = 5
MAX_TEXT = 200


def _short(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def bounded_fields(fields: dict[str, list[str]]) -> tuple[dict[str, list[str]], int]:
    """The first MAX_FIELD_ERRORS fields' messages, shortened, and how many fields were left out."""
    kept: dict[str, list[str]] = {}
    for path, messages in fields.items():
        if len(kept) == MAX_FIELD_ERRORS:
            break
        kept[_short(path)] = [_short(str(m)) for m in messages[:MAX_MESSAGES]]
    return kept, len(fields) - len(kept)


class ValidationFailed(ApiError):
    status, code = 422, "validation_failed"
    message = "The request body is not valid."

    def __init__(self, fields: dict[str, list[str]], message: str | None = None, **extra: Any):
        kept, omitted = bounded_fields(fields)
        if omitted:
            extra["omitted_field_errors"] = omitted
        super().__init__(message, {"fields": kept, **extra})


class VersionConflict(Conflict):
    code = "version_conflict"

    def __init__(self, current_version: int):
        super().__init__(
            "The object was changed since you read it; reload it and try again.",
            {"current_version": current_version},
        )


class NameTaken(Conflict):
    code = "name_taken"
    message = "Another object of this kind already has that name (names ignore case)."


class LimitReached(Conflict):
    code = "limit_reached"

    def __init__(self, resource: str, limit: int):
        super().__init__(
            f"An account can have at most {limit} {resource}.",
            {"resource": resource, "limit": limit},
        )


class DatabaseUnavailable(ApiError):
    status, code = 503, "database_unavailable"
    message = "The database is unavailable; retry shortly."


class DatabaseTimeout(ApiError):
    status, code = 503, "database_timeout"
    message = "The database did not answer in time; retry shortly."


# Unique constraints whose violation is a name clash the caller can fix.
NAME_CONSTRAINTS = frozenset(
    {
        "queues_account_name_key",
        "resolution_categories_account_name_key",
        "interventions_account_name_key",
        "escalations_account_name_key",
    }
)


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested error dict into ``{"dotted.path": [messages]}``."""
    if isinstance(messages, dict):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                path = prefix or "_schema"
            for p, msgs in flatten_messages(value, path).items():
                flat.setdefault(p, []).extend(msgs)
        return flat
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "_schema": list(messages)}
    if isinstance(messages, list):
        flat = {}
        for item in messages:
            for p, msgs in flatten_messages(item, prefix).items():
                flat.setdefault(p, []).extend(msgs)
        return flat
    return {prefix or "_schema": [str(messages)]}


def _http_error(exc: HTTPException) -> ApiError:
    codes = {
        404: (
            "not_found",
            "No endpoint at this path. Every endpoint is a POST under /api/v1/workflow.",
        ),
        405: ("method_not_allowed", "This endpoint only accepts POST."),
        413: ("payload_too_large", "The request body is larger than 1 MiB."),
        415: ("unsupported_media_type", "Send the body as 'Content-Type: application/json'."),
    }
    code, message = codes.get(exc.code or 500, ("http_error", exc.description or "HTTP error."))
    headers = {}
    if exc.code == 405:
        headers["Allow"] = "POST"
    return ApiError(message, status=exc.code, code=code, headers=headers)


def to_api_error(exc: BaseException) -> ApiError:
    """Map any exception to the ApiError that describes it to a client."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, ValidationError):
        return ValidationFailed(flatten_messages(exc.messages))
    if isinstance(exc, RuleBroken):
        return ValidationFailed(exc.fields, exc.message)
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    if isinstance(exc, pg.UniqueViolation) and exc.diag.constraint_name in NAME_CONSTRAINTS:
        return NameTaken()
    if isinstance(exc, pg.QueryCanceled | pg.LockNotAvailable | pg.DeadlockDetected):
        return DatabaseTimeout()
    if isinstance(exc, PoolTimeout | psycopg.OperationalError):
        return DatabaseUnavailable()
    log.exception("unhandled error", exc_info=exc)
    return ApiError(
        "Something went wrong on our side; it has been logged.", status=500, code="internal_error"
    )


def render(error: ApiError) -> Response:
    response = jsonify(error.body())
    response.status_code = error.status
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


def install(app: Flask) -> None:
    """Render every error, Flask's own and unexpected ones included, in the API's JSON shape."""

    @app.errorhandler(Exception)
    def handle(exc: Exception) -> Response:
        return render(to_api_error(exc))
