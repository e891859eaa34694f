"""Liveness of the service and its database."""

from __future__ import annotations

from flask import Blueprint

from tickiti_workflow import db
from tickiti_workflow.errors import DatabaseUnavailable

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the database answers a query, 503 otherwise."""
    try:
        with db.connection().cursor() as cur:
            cur.execute("SELECT 1")
    except Exception as exc:
        raise DatabaseUnavailable() from exc
    return {"status": "ok"}
