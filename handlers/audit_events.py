"""The audit trail: who changed what, newest first, with cursor pagination."""

from __future__ import annotations

from flask import Blueprint

import sql
from auth import Ability, current_principal
from tickiti_workflow.db import read_cursor
from tickiti_workflow.schemas.audit_events import AuditEventPage, AuditQuery
from tickiti_workflow.web.body import encode_cursor
from tickiti_workflow.web.pipeline import route

bp = Blueprint("audit_events", __name__)


@route(bp, "/audit-events", Ability.WORKFLOW_READ,
       body=AuditQuery, returns=AuditEventPage, cached=True)  # fmt: skip
def list_audit_events(payload):
    """List the account's audit events newest first (cursor pagination, filters)."""
    limit = payload["limit"]
    with read_cursor() as cur:
        events = sql.audit.list_events.all(
            cur,
            account_id=current_principal().account_id,
            before_id=payload["cursor"],
            object_type=payload["object_type"],
            object_id=payload["object_id"],
            since=payload["since"],
            until=payload["until"],
            limit=limit + 1,
        )
    more = len(events) > limit
    events = events[:limit]
    return {
        "audit_events": events,
        "next_cursor": encode_cursor(events[-1]["id"], "ae") if more else None,
    }
