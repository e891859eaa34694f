"""What views and the audit trail know of the request beyond its body: who acts, and settings."""

from __future__ import annotations

from typing import Any

from flask import current_app, g


def actor() -> dict[str, Any]:
    """Who the request acts as: an audit event's actor, and a queued job's (the worker records
    the job's events in the name of the request that queued it)."""
    principal = g.principal
    return {
        "account_id": principal.account_id,
        "actor_user_id": principal.user_id,
        "token_id": principal.token_id,
        "request_id": g.get("request_id"),
    }


def sync_limit() -> int:
    """Moves of more tickets than this run in the worker as a job."""
    return current_app.config["SETTINGS"].bulk_sync_max_tickets
