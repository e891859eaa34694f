"""What the escalation runtime decided and why (plan feature ``escalations``, read only).

``/escalations/explain`` shows one ticket's clocks as the worker would decide them now (the
same code, tickiti_workflow/sla.py); ``/escalation-firings`` lists what fired.
"""

from __future__ import annotations

from flask import Blueprint

import sql
from auth import Ability, current_principal
from tickiti_workflow import escalation_runtime
from tickiti_workflow.db import read_cursor
from tickiti_workflow.errors import NotFound
from tickiti_workflow.schemas.escalation_clocks import (
    ExplainQuery,
    Explanation,
    FiringPage,
    FiringQuery,
)
from tickiti_workflow.web.body import encode_cursor
from tickiti_workflow.web.pipeline import route

from .escalations import FEATURE

bp = Blueprint("escalation_clocks", __name__)


@route(bp, "/escalations/explain", Ability.WORKFLOW_READ, feature=FEATURE,
       body=ExplainQuery, returns=Explanation, errors=(404,))  # fmt: skip
def explain(payload):
    """One ticket's escalation clocks now: ranges, consumed time, due time, why not armed."""
    account_id = current_principal().account_id
    with read_cursor() as cur:
        found = escalation_runtime.explain(cur, account_id, payload["ticket_id"])
    if found is None:
        raise NotFound("ticket", payload["ticket_id"])
    return found


@route(bp, "/escalation-firings", Ability.WORKFLOW_READ, feature=FEATURE,
       body=FiringQuery, returns=FiringPage)  # fmt: skip
def list_firings(payload):
    """List escalation firings, newest first (cursor pagination; filter by escalation or ticket)."""
    limit = payload["limit"]
    with read_cursor() as cur:
        rows = sql.escalation_api.list_firings.all(
            cur,
            account_id=current_principal().account_id,
            escalation_id=payload["escalation_id"],
            ticket_id=payload["ticket_id"],
            before_id=payload["cursor"],
            limit=limit + 1,
        )
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = encode_cursor(rows[-1]["id"], "firing") if more else None
    return {"firings": rows, "next_cursor": cursor}
