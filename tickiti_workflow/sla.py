"""SLA clocks: when each escalation of a ticket is due, and whether it fires now.

Pure functions of a ticket's history (its status changes and public messages), the account's
escalations, business-hours versions and pause statuses, and the current instant. The worker
(tickiti_workflow/escalation_runtime.py) and the explain endpoint both decide with this module,
so what the API explains is what the worker does. The rules are written out in docs/API.md
("Escalation clocks").

A clock runs per (ticket, metric) in cycles: `first_response` and `resolution` have one cycle,
`next_response` one per unanswered stretch after the first response, `idle` one per public
message. A cycle consumes time over its running ranges; its due time is the instant at which
the consumed time reaches an escalation's target, counted in calendar time or in business time
under the business hours in force at each instant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .business_time import (
    BusinessCalendar,
    NoBusinessTime,
    business_time_between,
    due_after,
    open_ranges,
)

METRICS = ("first_response", "next_response", "resolution", "idle")
DEFAULT_PAUSE_STATUSES = ("pending", "on_hold")
# Statuses in which no clock runs and no cycle can fire.
STOPPED = ("solved", "closed")
# Statuses an account may make pause statuses (migration 0018's CHECK), in workflow order.
PAUSE_STATUS_CHOICES = ("new", "open", "pending", "on_hold")
PUBLIC = ("customer_message", "agent_reply")
PAUSABLE = ("first_response", "next_response", "resolution")
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class HoursVersion:
    """Business hours in force from `effective_from` until the next version's."""

    effective_from: datetime
    hours: BusinessCalendar


@dataclass(frozen=True)
class Rule:
    """What the clocks need of one escalation."""

    id: int
    metric: str
    minutes: int
    business_hours: bool = False
    enabled: bool = True
    queue_ids: tuple[int, ...] = ()
    priorities: tuple[str, ...] = ()
    position: int = 1

    def matches(self, queue_id: int, priority: str) -> bool:
        return (not self.queue_ids or queue_id in self.queue_ids) and (
            not self.priorities or priority in self.priorities
        )


@dataclass(frozen=True)
class History:
    """A ticket's past: creation, status changes (time, new status) and messages (time, kind)."""

    created_at: datetime
    statuses: Sequence[tuple[datetime, str]]
    activities: Sequence[tuple[datetime, str]] = ()


@dataclass
class Cycle:
    metric: str
    number: int
    start: datetime
    # When the cycle was completed (an agent reply, a new public message); None while open.
    end: datetime | None
    # Running ranges in time order; only the last may be open-ended (None: running now).
    ranges: list[tuple[datetime, datetime | None]] = field(default_factory=list)


@dataclass
class Decision:
    """One escalation's verdict on one ticket at one instant."""

    rule_id: int
    metric: str
    cycle: int | None
    due_at: datetime | None
    armed: bool
    fire: bool
    reason: str | None
    clock: Cycle | None = None


def status_segments(history: History) -> list[tuple[datetime, datetime | None, str]]:
    """(from, until, status) from creation on; the last segment is open-ended."""
    latest: dict[datetime, str] = {}
    for at, status in sorted(history.statuses, key=lambda change: change[0]):
        latest[max(at, history.created_at)] = status  # at one instant, the later change holds
    changes = sorted(latest.items())
    if not changes or changes[0][0] > history.created_at:
        changes.insert(0, (history.created_at, changes[0][1] if changes else "new"))
    segments: list[tuple[datetime, datetime | None, str]] = []
    for at, status in changes:
        if segments and segments[-1][2] == status:
            continue
        if segments:
            segments[-1] = (segments[-1][0], at, segments[-1][2])
        segments.append((at, None, status))
    return segments


def cycles(history: History, metric: str) -> list[Cycle]:
    """The metric's cycles (ranges not filled in yet), oldest first."""
    created = history.created_at
    acts = sorted(
        ((max(at, created), kind) for at, kind in history.activities if kind in PUBLIC),
        key=lambda a: a[0],
    )
    replies = [at for at, kind in acts if kind == "agent_reply"]
    if metric == "first_response":
        return [Cycle(metric, 1, created, replies[0] if replies else None)]
    if metric == "resolution":
        return [Cycle(metric, 1, created, None)]
    if metric == "idle":
        found = [Cycle(metric, 1, created, None)]
        for at, _kind in acts:
            if at > found[-1].start:
                found[-1].end = at
                found.append(Cycle(metric, len(found) + 1, at, None))
        return found
    if metric == "next_response":
        if not replies:
            return []
        found = []
        for at, kind in acts:
            if at < replies[0] or (at == replies[0] and kind == "customer_message"):
                continue
            waiting = bool(found) and found[-1].end is None
            if kind == "customer_message" and not waiting:
                found.append(Cycle(metric, len(found) + 1, at, None))
            elif kind == "agent_reply" and waiting:
                found[-1].end = at
        return found
    raise ValueError(f"unknown metric {metric!r}")


def _runs(metric: str, status: str, pause_statuses: Iterable[str]) -> bool:
    if status in STOPPED:
        return False
    return not (metric in PAUSABLE and status in pause_statuses)


def fill_ranges(
    cycle: Cycle,
    segments: list[tuple[datetime, datetime | None, str]],
    pause_statuses: Iterable[str],
) -> Cycle:
    """Set the cycle's running ranges: its span intersected with the running statuses."""
    pause = tuple(pause_statuses)
    ranges: list[tuple[datetime, datetime | None]] = []
    for seg_from, seg_until, status in segments:
        if not _runs(cycle.metric, status, pause):
            continue
        a = max(seg_from, cycle.start)
        if seg_until is None:
            b = cycle.end
        elif cycle.end is None:
            b = seg_until
        else:
            b = min(seg_until, cycle.end)
        if b is not None and b <= a:
            continue
        if ranges and ranges[-1][1] == a:
            ranges[-1] = (ranges[-1][0], b)
        else:
            ranges.append((a, b))
    cycle.ranges = ranges
    return cycle


def business_pieces(
    versions: Sequence[HoursVersion], a: datetime, b: datetime | None
) -> list[tuple[datetime, datetime | None, BusinessCalendar]]:
    """Split [a, b) where the business hours in force change."""
    out = []
    for i, version in enumerate(versions):
        start = version.effective_from
        until = versions[i + 1].effective_from if i + 1 < len(versions) else None
        lo = max(a, start) if i else a
        hi = until if b is None else (b if until is None else min(b, until))
        if hi is not None and hi <= lo:
            continue
        out.append((lo, hi, version.hours))
    return out


def consumed(
    ranges: Sequence[tuple[datetime, datetime | None]],
    until: datetime,
    versions: Sequence[HoursVersion] | None,
) -> timedelta:
    """Time consumed over the ranges up to `until` (business time when versions are given)."""
    total = timedelta(0)
    for a, b in ranges:
        b = until if b is None else min(b, until)
        if b <= a:
            continue
        if versions is None:
            total += b - a
        else:
            for lo, hi, hours in business_pieces(versions, a, b):
                total += business_time_between(hours, lo, hi)  # type: ignore[arg-type]
    return total


def reach(
    ranges: Sequence[tuple[datetime, datetime | None]],
    amount: timedelta,
    versions: Sequence[HoursVersion] | None,
) -> datetime | None:
    """The earliest instant at which the ranges have consumed `amount`; None if they never do."""
    remaining = amount
    for a, b in ranges:
        if versions is None:
            if b is None or b - a >= remaining:
                return a + remaining
            remaining -= b - a
            continue
        for lo, hi, hours in business_pieces(versions, a, b):
            due = due_after(hours, lo, remaining)
            if hi is None or due <= hi:
                return due
            remaining -= business_time_between(hours, lo, hi)
    return None


def business_ranges(
    versions: Sequence[HoursVersion], start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The business hours within [start, end) under the versions in force, as UTC ranges.

    Walking them until an amount is used up gives `reach([(start, None)], amount, versions)`
    for any start inside [start, end) whose due time falls before `end`.
    """
    ranges: list[tuple[datetime, datetime]] = []
    for lo, hi, hours in business_pieces(versions, start, end):
        for a, b in open_ranges(hours, lo, hi):  # type: ignore[arg-type]
            if ranges and ranges[-1][1] == a:
                ranges[-1] = (ranges[-1][0], b)
            else:
                ranges.append((a, b))
    return ranges


def walk_arrays(
    ranges: Sequence[tuple[datetime, datetime]],
) -> tuple[list[datetime], list[int], list[int]]:
    """The ranges as the database's business-time functions take them (migration 0023): each
    range's start, and the business time in microseconds before it and up to its end."""
    starts, befores, afters, total = [], [], [], 0
    for a, b in ranges:
        starts.append(a)
        befores.append(total)
        total += (b - a) // _MICROSECOND
        afters.append(total)
    return starts, befores, afters


@dataclass(frozen=True)
class TicketNow:
    """The ticket as it is (locked) at the deciding instant."""

    status: str
    queue_id: int
    priority: str


def decide(
    history: History,
    ticket: TicketNow,
    rules: Sequence[Rule],
    versions: Sequence[HoursVersion],
    now: datetime,
    *,
    pause_statuses: Iterable[str] = DEFAULT_PAUSE_STATUSES,
    fired: Iterable[tuple[int, str, int]] = (),
) -> list[Decision]:
    """Each rule's verdict at `now`, in rule position order.

    A rule is armed when the last cycle of its metric is open, its due time is known and it
    has not fired for that cycle; it fires when armed, due by `now`, enabled and matching the
    ticket as it is now.
    """
    pause = tuple(pause_statuses)
    done = set(fired)
    segments = status_segments(history)
    # The locked ticket's status is the truth now, even if its change is not in the history yet.
    if segments[-1][2] != ticket.status:
        at = max(now, segments[-1][0])
        segments[-1] = (segments[-1][0], at, segments[-1][2])
        segments.append((at, None, ticket.status))
    by_metric: dict[str, list[Cycle]] = {}
    decisions = []
    for rule in sorted(rules, key=lambda r: (r.position, r.id)):
        if rule.metric not in by_metric:
            by_metric[rule.metric] = [
                fill_ranges(c, segments, pause) for c in cycles(history, rule.metric)
            ]
        found = by_metric[rule.metric]
        decisions.append(_decide_rule(rule, found, ticket, versions, now, done))
    return decisions


def _decide_rule(
    rule: Rule,
    found: list[Cycle],
    ticket: TicketNow,
    versions: Sequence[HoursVersion],
    now: datetime,
    done: set[tuple[int, str, int]],
) -> Decision:
    def verdict(cycle: Cycle | None, due: datetime | None, armed: bool, reason: str | None):
        fire = armed and due is not None and due <= now and reason is None
        return Decision(
            rule.id, rule.metric, cycle.number if cycle else None, due, armed, fire, reason, cycle
        )

    if not found:
        return verdict(None, None, False, "no customer message awaits an answer")
    cycle = found[-1]
    target = timedelta(minutes=rule.minutes)
    try:
        due = reach(cycle.ranges, target, versions if rule.business_hours else None)
    except NoBusinessTime:
        return verdict(cycle, None, False, "the business hours leave no time to count")
    if (rule.id, rule.metric, cycle.number) in done:
        return verdict(cycle, due, False, "already fired for this cycle")
    if cycle.end is not None:
        return verdict(cycle, due, False, "cycle completed")
    if ticket.status in STOPPED:
        return verdict(cycle, due, False, f"ticket is {ticket.status}")
    if not rule.enabled:
        return verdict(cycle, due, False, "escalation disabled")
    if due is None:
        return verdict(cycle, None, False, f"clock paused (status {ticket.status})")
    if not rule.matches(ticket.queue_id, ticket.priority):
        return verdict(cycle, due, False, "ticket does not match the conditions")
    return verdict(cycle, due, True, None)
