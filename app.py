"""The Flask application factory of the Tickiti Workflow API."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, g, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import NotFound

import handlers
from tickiti_workflow import db, embedded, errors, jsonfmt, logs, wsgi
from tickiti_workflow.config import MAX_BODY_BYTES, Settings
from tickiti_workflow.web.list_cache import ListCache

# Our own form, or the platform router's (20 to 200 of letters, digits, + / = -), so that the
# router's logs and ours carry the same id.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}|[A-Za-z0-9+/=\-]{20,200}")
access_log = logging.getLogger("tickiti.access")


class JsonProvider(DefaultJSONProvider):
    """Timestamps as ISO 8601 UTC with ``Z``; dates as ISO dates; keys in the order given."""

    sort_keys = False
    ensure_ascii = False

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, dt.date):
            return jsonfmt.default(o)
        return DefaultJSONProvider.default(o)


class App(Flask):
    """Flask, minus a per-request cost: every view, hook and error handler of this service is
    a plain function (tests/test_pipeline.py checks), so none needs Flask's check, on each
    call, of whether it is a coroutine."""

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        return func


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app; ``overrides`` may set ``DATABASE_URL`` or any Settings field by name."""
    overrides = dict(overrides or {})
    env_overrides = {k: str(v) for k, v in overrides.items() if k.isupper()}
    settings = Settings.from_env({**os.environ, **env_overrides})
    logs.configure(settings.log_level)

    app = App(__name__)
    app.json = JsonProvider(app)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    # Every endpoint is POST only: OPTIONS gets the same JSON 405 as any other method.
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False
    # Paths are exact: "//" is not "/" (no redirect to a merged path).
    app.url_map.merge_slashes = False
    app.config["SETTINGS"] = settings

    url = embedded.database_url(settings)
    app.extensions["tickiti.db"] = db.Database(url, settings)
    if settings.list_cache_mb > 0:
        app.extensions["tickiti.list_cache"] = ListCache(settings.list_cache_mb * 1024 * 1024)

    errors.install(app)
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.teardown_request(db.release_connection)
    handlers.register(app)
    app.wsgi_app = wsgi.JsonErrors(app.wsgi_app)  # type: ignore[method-assign]
    return app


def _start_request() -> None:
    # Every request passes here and through _finish_request: they read the WSGI environ and
    # the request globals directly, not through Flask's proxies attribute by attribute.
    environ = request.environ
    ctx = g._get_current_object()
    ctx.started = time.perf_counter()
    incoming = environ.get("HTTP_X_REQUEST_ID", "")
    ctx.request_id = incoming if _REQUEST_ID.fullmatch(incoming) else os.urandom(16).hex()
    if not wsgi.exact_path(environ):
        raise NotFound()


def _finish_request(response):
    ctx = g._get_current_object()
    headers = response.headers
    headers["X-Request-ID"] = ctx.request_id
    # Responses may carry secrets (generate-token) and are per token: no cache may keep one.
    headers["Cache-Control"] = "no-store"
    principal = ctx.get("principal")
    if principal is not None:
        headers.update(principal.rate_limit.headers())
    if access_log.isEnabledFor(logging.INFO):
        req = request._get_current_object()
        logs.info_fast(
            access_log,
            "request",
            {
                "request_id": ctx.request_id,
                "method": req.method,
                "path": req.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - ctx.started) * 1000, 2),
                "db_round_trips": ctx.get("db_round_trips", 0),
                "token_id": principal.token_id if principal else None,
                "account_id": principal.account_id if principal else None,
            },
        )
    return response
