"""What escalations refer to: the queues and users they name, checked against the account."""

from __future__ import annotations

import sql

from .rules import RuleBroken


def check_references(cur, account_id: int, conditions: dict | None, actions: list | None) -> None:
    """Refuse references to queues or users not in the account, naming every path."""
    queue_refs: list[tuple[str, int]] = []
    user_refs: list[tuple[str, int]] = []
    if conditions:
        queue_refs += [
            (f"conditions.queue_ids.{i}", q) for i, q in enumerate(conditions["queue_ids"])
        ]
    for n, action in enumerate(actions or ()):
        if action["type"] == "move_to_queue":
            queue_refs.append((f"actions.{n}.queue_id", action["queue_id"]))
        elif action["type"] == "notify_users":
            user_refs += [
                (f"actions.{n}.user_ids.{i}", u) for i, u in enumerate(action["user_ids"])
            ]
    errors: dict[str, list[str]] = {}
    if queue_refs:
        ids = sorted({q for _, q in queue_refs})
        found = {
            r["id"]
            for r in sql.escalations.existing_queues.all(cur, account_id=account_id, queue_ids=ids)
        }
        errors |= {p: ["No queue with this id exists."] for p, q in queue_refs if q not in found}
    if user_refs:
        ids = sorted({u for _, u in user_refs})
        found = {
            r["id"]
            for r in sql.escalations.active_users.all(cur, account_id=account_id, user_ids=ids)
        }
        errors |= {
            p: ["No active user with this id exists."] for p, u in user_refs if u not in found
        }
    if errors:
        raise RuleBroken(errors, "Some referenced queues or users do not exist in the account.")


def referenced_queue_ids(escalation: dict) -> list[int]:
    """Every queue the escalation names, in its conditions or a move_to_queue action."""
    ids = set(escalation["conditions"]["queue_ids"])
    ids |= {a["queue_id"] for a in escalation["actions"] if a["type"] == "move_to_queue"}
    return sorted(ids)


def referencing_escalation_ids(cur, account_id: int, queue_id: int) -> list[int]:
    """Escalations whose conditions or actions name the queue."""
    rows = sql.escalations.queue_escalation_ids.all(cur, account_id=account_id, queue_id=queue_id)
    return [r["escalation_id"] for r in rows]
