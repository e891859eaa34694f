"""The audit trail: one event per successful write, in the write's own transaction."""

from __future__ import annotations

from typing import Any

import sql

from . import jsonfmt, request_context

# Keys that must never reach an audit event, whatever a caller passes.
SECRET_KEYS = frozenset({"remote_token", "token", "token_hash", "remote_token_hash"})


def _scrub(state: Any) -> Any:
    if isinstance(state, dict):
        return {k: _scrub(v) for k, v in state.items() if k not in SECRET_KEYS}
    if isinstance(state, list):
        return [_scrub(v) for v in state]
    return state


def record(
    cur,
    action: str,
    object_type: str,
    object_id: int | None,
    before: Any = None,
    after: Any = None,
) -> None:
    """Record that the request's principal did ``action`` to an object (states as the API shows)."""
    record_for(
        cur,
        request_context.actor(),
        action,
        object_type,
        object_id,
        before,
        after,
    )


def record_for(
    cur,
    actor: dict[str, Any],
    action: str,
    object_type: str,
    object_id: int | None,
    before: Any = None,
    after: Any = None,
) -> None:
    """Record an event for ``actor`` (account_id, actor_user_id, token_id, request_id): the
    worker finishes a job in the name of the request that queued it."""
    sql.audit.record_event.run(
        cur,
        **actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=None if before is None else jsonfmt.dumps(_scrub(before)),
        after=None if after is None else jsonfmt.dumps(_scrub(after)),
    )
