"""WSGI-level guards: exact request paths, and JSON for anything that escapes the app."""

from __future__ import annotations

import json
import logging
import sys
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger("tickiti.errors")


def exact_path(environ: dict[str, Any]) -> bool:
    """Whether the path the client sent is the one routing sees: no percent-escapes (``%2f``
    would otherwise route as ``/``), no empty segment (``//``), no trailing slash."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "")
    path = raw if raw.startswith("/") else urlsplit(raw).path
    path = path.split("?", 1)[0]
    return "%" not in path and "//" not in path and (path == "/" or not path.endswith("/"))


def error_body(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message, "details": {}}}).encode()


def json_error_headers(body: bytes, request_id: str) -> list[tuple[str, str]]:
    return [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        ("X-Request-ID", request_id),
        ("Cache-Control", "no-store"),
    ]


class JsonErrors:
    """Answer the JSON 500 (with a request id, logged as JSON) for an exception that escapes
    the Flask app, e.g. from an error handler itself; the app renders all the others."""

    def __init__(self, app: Callable):
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        try:
            return self.app(environ, start_response)
        except Exception as exc:
            request_id = uuid.uuid4().hex
            log.exception(
                "unhandled error outside the app",
                exc_info=exc,
                extra={"request_id": request_id, "path": environ.get("PATH_INFO")},
            )
            body = error_body(
                "internal_error", "Something went wrong on our side; it has been logged."
            )
            start_response(
                "500 INTERNAL SERVER ERROR", json_error_headers(body, request_id), sys.exc_info()
            )
            return [body]
