"""The escalation runtime: arms due times and fires escalations, exactly once (worker work).

Each batch is one transaction:

1. ``ingest``: captured ticket changes (sla_ticket_changes, written by the ticket and message
   triggers) move into the status history, and their tickets are marked for a recompute.
2. ``process``: tickets with a timer due by the database clock, and tickets marked for a
   recompute, are locked (``FOR NO KEY UPDATE SKIP LOCKED``: the ticket row is the mutex, so
   two workers never decide one ticket at once and a worker never waits for a ticket writer);
   their changes not ingested yet are pulled in; then each ticket's clocks are worked out
   afresh (tickiti_workflow/sla.py) from its history, its messages, the escalations, business
   hours and pause statuses as they are now, and the locked ticket itself. What is due fires:
   the firing row (UNIQUE per ticket, escalation, metric and cycle) and its actions are written
   in the same transaction; everything else that can still fire is armed again at its due time.

3. ``claim_recompute`` and ``recompute``: after a configuration change, the account's tickets
   in id order, cut into batches (one short transaction each) that any worker then decides (a
   transaction per batch), set-based in SQL, with the same due times as ``process``
   (tests/test_escalation_recompute.py holds it to them); tickets with a next_response cycle,
   and those due at once, are marked for ``process``.

A due time that moved later is simply re-armed (never fired early): nothing fires on the
strength of a stored timer, only on a fresh decision.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import sql

from . import sla
from .business_time import BusinessCalendar, NoBusinessTime, due_after

INGEST_BATCH = 5_000
PROCESS_BATCH = 500
RECOMPUTE_BATCH = 10_000
# A recompute whose first batch holds this many tickets analyzes the timers and the marks.
ANALYZE_AFTER = 1_000
# What an escalation's create or update reads to say how many tickets it would fire at once:
# at most this many armed timers of its metric, earliest due first (so at most this many
# tickets are decided in the request, whatever the account's size).
IMMEDIATE_MAX_TIMERS = 1_000

Key = tuple[int, int]  # (account_id, ticket_id)


class AccountConfig:
    """An account's escalations, business-hours versions and pause statuses."""

    def __init__(self, row: dict, feature: bool = True):
        self.escalations = {e["id"]: e for e in row["escalations"]}
        self.rules = [
            sla.Rule(
                id=e["id"],
                metric=e["metric"],
                minutes=e["minutes"],
                business_hours=e["business_hours"],
                enabled=e["enabled"],
                queue_ids=tuple(e["queue_ids"]),
                priorities=tuple(e["priorities"]),
                position=e["position"],
            )
            for e in row["escalations"]
        ]
        self.versions = [
            sla.HoursVersion(
                _instant(v["effective_from"]),
                BusinessCalendar.from_json(v),
            )
            for v in row["hours"]
        ]
        self.pause_statuses = tuple(row["pause_statuses"])


def _instant(text: str | datetime) -> datetime:
    if isinstance(text, datetime):
        return text
    return datetime.fromisoformat(text).astimezone(UTC)


def _arrays(keys) -> dict[str, list[int]]:
    keys = list(keys)
    return {"account_ids": [k[0] for k in keys], "ticket_ids": [k[1] for k in keys]}


def ingest(cur, max_rows: int = INGEST_BATCH) -> int:
    """Move captured changes into the history; return how many rows were taken."""
    return sql.escalation_runtime.ingest_changes.one(cur, max_rows=max_rows)["ingested"]


def claim_recompute(cur, batch: int = RECOMPUTE_BATCH) -> int:
    """Cut the next batch off a pending recompute request; how many tickets it holds (1 when
    the request was finished instead, so that the caller looks for the next one; 0: no work).

    A short transaction of its own: the batch (a row of escalation_recompute_batches) is
    decided by `recompute`, by this worker or another one.
    """
    row = sql.escalation_runtime.recompute_claim.one(cur, batch=batch)
    if row is None:
        return 0
    return row["picked"] or int(row["finished"])


def recompute(cur) -> dict[str, Any] | None:
    """Decide one claimed recompute batch no other transaction holds; None when there is none.

    The batch is decided in one statement (sql/escalation_runtime.sql, recompute_arm) as
    `sla.decide` would decide each ticket; the tickets it leaves (see there) are marked for
    `process`, which decides them one by one. Business time is measured in the business
    ranges (under the hours in force at each instant) from the batch's oldest ticket's
    creation to where a clock running from now would reach the longest business-hours
    target, so every due time of a clock running now lies inside them.
    """
    runtime = sql.escalation_runtime
    batch = runtime.recompute_take.one(cur)
    if batch is None:
        return None
    account_id = batch["account_id"]
    first, last = batch["first_created"], batch["last_created"]
    (row,) = runtime.account_rules.all(cur, account_ids=[account_id])
    config = AccountConfig(row)
    longest = max((r.minutes for r in config.rules if r.enabled and r.business_hours), default=0)
    ranges = business_window(config.versions, first, max(last, batch["now"]), longest)
    business_known = not longest or ranges is not None
    starts, befores, afters = sla.walk_arrays(ranges or ())
    # Each table is read by the batch's id range and joined in memory: hash joins, never a
    # nested loop rescanning a CTE (the planner's estimates for the CTEs are guesses). That
    # makes the plan's cost look huge, which must not buy a JIT compilation (seconds, for a
    # statement that runs in a fraction of one). (Like ANALYZE below, not a named query: two
    # settings in one round trip.)
    cur.execute("SET LOCAL enable_nestloop = off; SET LOCAL jit = off")
    counts = runtime.recompute_arm.one(
        cur,
        account_id=account_id,
        batch_id=batch["id"],
        after_id=batch["after_ticket_id"],
        last_id=batch["last_ticket_id"],
        first_created=first,
        last_created=last,
        starts=starts,
        business_known=business_known,
        befores=befores,
        afters=afters,
    )
    if batch["after_ticket_id"] == 0 and counts["decided"] + counts["handed_on"] >= ANALYZE_AFTER:
        # The first batch of a large recompute: the timers (an account's first escalation)
        # and the marks it hands on may grow from (nearly) none to an account's size within
        # seconds, far faster than autovacuum's analyze follows, and believing them empty
        # the planner would join each of `process`'s batches against all of them (tens of
        # tickets a second). (A statement that cannot be prepared, so not a named query,
        # like the worker's VACUUM.)
        cur.execute("ANALYZE sla_dirty_tickets, escalation_timers")
    return {
        "account_id": account_id,
        "after_ticket_id": batch["after_ticket_id"],
        "last_ticket_id": batch["last_ticket_id"],
        **counts,
    }


def business_window(
    versions: list[sla.HoursVersion], first: datetime, since: datetime, minutes: int
) -> list[tuple[datetime, datetime]] | None:
    """The business ranges from `first` to where a clock running from `since` reaches
    `minutes` of business time; None if some business hours in force in between have no
    business time to count (the full decision then declines to arm, and says why)."""
    if not minutes:
        return []
    amount = timedelta(minutes=minutes)
    try:
        end = sla.reach([(since, None)], amount, versions)
        for lo, _hi, hours in sla.business_pieces(versions, first, end):
            due_after(hours, lo, timedelta(microseconds=1))
            due_after(hours, lo, amount)
    except NoBusinessTime:
        return None
    return sla.business_ranges(versions, first, end) if end is not None else None


def load(cur, tickets: dict[Key, dict]) -> tuple[dict, dict, dict]:
    """Histories, firings and account configs of the given tickets (rows of lock_tickets)."""
    ids = _arrays(tickets)
    statuses: dict[Key, list] = defaultdict(list)
    for r in sql.escalation_runtime.status_history.all(cur, **ids):
        statuses[(r["account_id"], r["ticket_id"])].append((r["at"], r["status"]))
    activities: dict[Key, list] = defaultdict(list)
    for r in sql.escalation_runtime.public_activities.all(cur, **ids):
        activities[(r["account_id"], r["ticket_id"])].append((r["at"], r["kind"]))
    fired: dict[Key, list] = defaultdict(list)
    for r in sql.escalation_runtime.ticket_firings.all(cur, **ids):
        fired[(r["account_id"], r["ticket_id"])].append(
            (r["escalation_id"], r["metric"], r["cycle"])
        )
    histories = {
        key: sla.History(
            t["created_at"],
            statuses.get(key) or [(t["created_at"], t["status"])],
            activities.get(key, []),
        )
        for key, t in tickets.items()
    }
    accounts = sorted({k[0] for k in tickets})
    configs = {
        r["account_id"]: AccountConfig(r)
        for r in sql.escalation_runtime.account_rules.all(cur, account_ids=accounts)
    }
    return histories, fired, configs


def decide(ticket: dict, history: sla.History, config: AccountConfig, fired, now: datetime):
    rules = config.rules if ticket.get("feature", True) else []
    return sla.decide(
        history,
        sla.TicketNow(ticket["status"], ticket["queue_id"], ticket["priority"]),
        rules,
        config.versions,
        now,
        pause_statuses=config.pause_statuses,
        fired=fired,
    )


def process(cur, limit: int = PROCESS_BATCH) -> dict[str, int]:
    """Decide one batch of due or changed tickets; fire what is due. Counts of what happened."""
    runtime = sql.escalation_runtime
    candidates = {
        (r["account_id"], r["ticket_id"]) for r in runtime.candidates.all(cur, limit=limit)
    }
    if not candidates:
        return {"decided": 0, "fired": 0, "forgotten": 0}
    locked = {
        (r["account_id"], r["id"]): r
        for r in runtime.lock_tickets.all(cur, **_arrays(sorted(candidates)))
    }
    forgotten = 0
    missing = candidates - locked.keys()
    if missing:
        exists = {
            (r["account_id"], r["id"])
            for r in runtime.existing_tickets.all(cur, **_arrays(missing))
        }
        if gone := missing - exists:
            runtime.forget_tickets.run(cur, **_arrays(gone))
            forgotten = len(gone)
    if not locked:
        return {"decided": 0, "fired": 0, "forgotten": forgotten}
    ids = _arrays(locked)
    runtime.pull_changes.run(cur, **ids)
    cur.execute("SELECT now() AS now")
    now = cur.fetchone()["now"]
    histories, fired, configs = load(cur, locked)

    planned: list[tuple[Key, dict, sla.Decision]] = []
    timers: list[tuple[Key, sla.Decision]] = []
    for key, ticket in locked.items():
        config = configs[key[0]]
        queue_id, priority = ticket["queue_id"], ticket["priority"]
        for d in decide(ticket, histories[key], config, fired.get(key, ()), now):
            if not d.fire:
                if d.armed:
                    timers.append((key, d))
                continue
            escalation = config.escalations[d.rule_id]
            rule = next(r for r in config.rules if r.id == d.rule_id)
            # Conditions hold for the ticket as the actions fired before left it.
            if not rule.matches(queue_id, priority):
                continue
            planned.append((key, escalation, d))
            for action in escalation["actions"]:
                if action["type"] == "set_priority":
                    priority = action["priority"]
                elif action["type"] == "move_to_queue":
                    queue_id = action["queue_id"]

    done = fire(cur, planned, locked) if planned else 0
    runtime.delete_timers.run(cur, **ids)
    if timers:
        runtime.arm_timers.run(
            cur,
            account_ids=[k[0] for k, _ in timers],
            ticket_ids=[k[1] for k, _ in timers],
            escalation_ids=[d.rule_id for _, d in timers],
            metrics=[d.metric for _, d in timers],
            cycles=[d.cycle for _, d in timers],
            due_ats=[d.due_at for _, d in timers],
        )
    runtime.clear_dirty.run(cur, **ids)
    return {"decided": len(locked), "fired": done, "forgotten": forgotten}


def fire(cur, planned: list[tuple[Key, dict, sla.Decision]], locked: dict[Key, dict]) -> int:
    """Write the firings and, for each one written, run its actions. Return how many fired."""
    runtime = sql.escalation_runtime
    rows = runtime.insert_firings.all(
        cur,
        account_ids=[k[0] for k, _, _ in planned],
        ticket_ids=[k[1] for k, _, _ in planned],
        escalation_ids=[e["id"] for _, e, _ in planned],
        versions=[e["version"] for _, e, _ in planned],
        metrics=[d.metric for _, _, d in planned],
        cycles=[d.cycle for _, _, d in planned],
        due_ats=[d.due_at for _, _, d in planned],
        actions=[json.dumps(e["actions"]) for _, e, _ in planned],
    )
    written = {(r["account_id"], r["ticket_id"], r["escalation_id"]): r for r in rows}
    state = {key: (t["queue_id"], t["priority"]) for key, t in locked.items()}
    changed: set[Key] = set()
    moves: list[tuple[Key, int, int]] = []
    notes: list[tuple[int, str, int, str]] = []
    for key, escalation, d in planned:
        row = written.get((*key, escalation["id"]))
        if row is None:
            continue
        queue_id, priority = state[key]
        for action in escalation["actions"]:
            if action["type"] == "set_priority" and action["priority"] != priority:
                priority = action["priority"]
                changed.add(key)
            elif action["type"] == "move_to_queue" and action["queue_id"] != queue_id:
                moves.append((key, queue_id, action["queue_id"]))
                queue_id = action["queue_id"]
                changed.add(key)
            elif action["type"] == "notify_users":
                payload = _payload(key, escalation, d, row)
                firing = f"{key[0]}:{key[1]}:{escalation['id']}:{d.metric}:{d.cycle}"
                for user_id in action["user_ids"]:
                    notes.append((key[0], f"escalation:{firing}:{user_id}", user_id, payload))
        state[key] = (queue_id, priority)
    if changed:
        keys = sorted(changed)
        runtime.apply_ticket_changes.run(
            cur,
            **_arrays(keys),
            queue_ids=[state[k][0] for k in keys],
            priorities=[state[k][1] for k in keys],
        )
    if moves:
        runtime.insert_moves.run(
            cur,
            **_arrays(k for k, _, _ in moves),
            from_queue_ids=[f for _, f, _ in moves],
            to_queue_ids=[t for _, _, t in moves],
        )
    if notes:
        runtime.insert_notifications.run(
            cur,
            account_ids=[n[0] for n in notes],
            keys=[n[1] for n in notes],
            user_ids=[n[2] for n in notes],
            payloads=[n[3] for n in notes],
        )
    return len(rows)


def _payload(key: Key, escalation: dict, d: sla.Decision, row: dict) -> str:
    return json.dumps(
        {
            "firing_id": row["id"],
            "ticket_id": key[1],
            "escalation_id": escalation["id"],
            "metric": d.metric,
            "cycle": d.cycle,
            "due_at": _iso(row["due_at"]),
            "fired_at": _iso(row["fired_at"]),
        }
    )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def would_fire_immediately(
    cur, account_id: int, escalation_id: int, metric: str, enabled: bool
) -> dict[str, Any]:
    """How many tickets the saved escalation fires at once, by the worker's own decision.

    Looked at: the tickets of the account's first IMMEDIATE_MAX_TIMERS armed clocks of the
    escalation's metric, earliest due first, i.e. the clocks closest to (or past) any target.
    ``capped`` says the limit was reached, so ``tickets`` may be a lower bound. A clock that no
    escalation had armed (paused, no escalation of the metric matching the ticket) is not
    looked at; the background recompute decides it like every other ticket.
    """
    if not enabled:
        return {"tickets": 0, "examined": 0, "capped": False}
    found = sql.escalation_api.immediate_candidates.one(
        cur, account_id=account_id, metric=metric, max_rows=IMMEDIATE_MAX_TIMERS
    )
    capped = found["timer_rows"] >= IMMEDIATE_MAX_TIMERS
    if not found["ticket_ids"]:
        return {"tickets": 0, "examined": 0, "capped": capped}
    tickets = {
        (r["account_id"], r["id"]): r
        for r in sql.escalation_api.tickets_now.all(
            cur, account_id=account_id, ticket_ids=found["ticket_ids"]
        )
    }
    now = found["now"]
    histories, fired, configs = load(cur, tickets)
    config = configs[account_id]
    rules = [r for r in config.rules if r.id == escalation_id]
    count = 0
    for key, ticket in tickets.items():
        decisions = sla.decide(
            histories[key],
            sla.TicketNow(ticket["status"], ticket["queue_id"], ticket["priority"]),
            rules,
            config.versions,
            now,
            pause_statuses=config.pause_statuses,
            fired=fired.get(key, ()),
        )
        count += any(d.fire for d in decisions)
    return {"tickets": count, "examined": len(tickets), "capped": capped}


def oldest_overdue_seconds(cur) -> float | None:
    """How late the oldest unfired due timer is (None: nothing overdue)."""
    return sql.escalation_runtime.oldest_overdue.one(cur)["seconds"]


def explain(cur, account_id: int, ticket_id: int) -> dict[str, Any] | None:
    """Every escalation's clock for one ticket, as the worker would decide it now."""
    runtime = sql.escalation_runtime
    key = (account_id, ticket_id)
    ticket = sql.escalation_api.get_ticket.one(cur, account_id=account_id, ticket_id=ticket_id)
    if ticket is None:
        return None
    cur.execute("SELECT now() AS now")
    now = cur.fetchone()["now"]
    tickets = {key: ticket}
    ids = _arrays(tickets)
    pending = runtime.pending_changes.all(cur, **ids)
    histories, fired, configs = load(cur, tickets)
    history = histories[key]
    if pending:
        history = sla.History(
            history.created_at,
            [*history.statuses, *((r["at"], r["status"]) for r in pending)],
            history.activities,
        )
    config = configs[account_id]
    firings = sql.escalation_api.ticket_firings.all(cur, account_id=account_id, ticket_id=ticket_id)
    timers = {
        (r["escalation_id"], r["metric"], r["cycle"]): r["due_at"]
        for r in sql.escalation_api.ticket_timers.all(
            cur, account_id=account_id, ticket_id=ticket_id
        )
    }
    clocks = []
    for d in decide(ticket, history, config, fired.get(key, ()), now):
        escalation = config.escalations[d.rule_id]
        cycle = d.clock
        business = config.versions if escalation["business_hours"] else None
        clocks.append(
            {
                "escalation_id": d.rule_id,
                "metric": d.metric,
                "cycle": d.cycle,
                "target_minutes": escalation["minutes"],
                "business_hours": escalation["business_hours"],
                "cycle_started_at": cycle and cycle.start,
                "cycle_ended_at": cycle and cycle.end,
                "running_ranges": [
                    {"start": a, "end": b} for a, b in (cycle.ranges if cycle else [])
                ],
                "consumed_calendar_seconds": _seconds(cycle, now, None),
                "consumed_business_seconds": _seconds(cycle, now, config.versions),
                "consumed_seconds": _seconds(cycle, now, business),
                "due_at": d.due_at,
                "armed": d.armed and not d.fire,
                "armed_due_at": timers.get((d.rule_id, d.metric, d.cycle or 0)),
                "due_now": d.fire,
                "not_armed_because": d.reason,
            }
        )
    return {
        "ticket": {
            "id": ticket_id,
            "status": ticket["status"],
            "queue_id": ticket["queue_id"],
            "priority": ticket["priority"],
            "created_at": ticket["created_at"],
        },
        "evaluated_at": now,
        "pause_statuses": list(config.pause_statuses),
        "clocks": clocks,
        "firings": firings,
    }


def _seconds(cycle: sla.Cycle | None, now: datetime, versions) -> float:
    if cycle is None:
        return 0.0
    try:
        return sla.consumed(cycle.ranges, now, versions).total_seconds()
    except sla.NoBusinessTime:
        return 0.0
