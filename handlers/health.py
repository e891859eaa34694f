"""Liveness of the service and its database."""

from __future__ import annotations

from flask import Blueprint

from tickiti_workflow import db, escalation_runtime
from tickiti_workflow.errors import DatabaseUnavailable

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the database answers a query, 503 otherwise; with how late the oldest due
    escalation timer is (a stalled worker shows here)."""
    try:
        with db.connection().cursor() as cur:
            overdue = escalation_runtime.oldest_overdue_seconds(cur)
    except Exception as exc:
        raise DatabaseUnavailable() from exc
    return {"status": "ok", "escalations": {"oldest_overdue_seconds": overdue}}
