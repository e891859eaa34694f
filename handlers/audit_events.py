"""The audit trail: who changed what, newest first, with cursor pagination."""

from __future__ import annotations

from flask import Blueprint

import sql
from auth import Ability, current_principal, requires
from tickiti_workflow.db import read_cursor
from tickiti_workflow.list_cache import cached_list
from tickiti_workflow.openapi import returns
from tickiti_workflow.schema import body, encode_cursor
from tickiti_workflow.schemas.audit_events import AuditEventPage, AuditQuery

bp = Blueprint("audit_events", __name__)


@bp.post("/audit-events")
@returns(AuditEventPage)
@requires(Ability.WORKFLOW_READ)
@body(AuditQuery)
@cached_list
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
