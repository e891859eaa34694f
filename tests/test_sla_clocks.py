"""The clock rules of docs/API.md ("Escalation clocks"), one test per rule, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tickiti_workflow.business_time import DEFAULT, WEEKDAYS, BusinessCalendar
from tickiti_workflow.sla import History, HoursVersion, Rule, TicketNow, decide

ALWAYS = datetime(1970, 1, 1, tzinfo=UTC)
OPEN = TicketNow("open", 1, "normal")


def z(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def hours(zone: str) -> BusinessCalendar:
    return BusinessCalendar(zone, {day: [(9 * 60, 17 * 60)] for day in WEEKDAYS[:5]})


UTC_HOURS = (HoursVersion(ALWAYS, DEFAULT),)


def one(history, rule, now, ticket=OPEN, versions=UTC_HOURS, **kw):
    (decision,) = decide(history, ticket, [rule], list(versions), now, **kw)
    return decision


def simulate(history, rule, start, stop, ticket_at=lambda now: OPEN, versions=None):
    """Decide every minute with only what had happened by then; return the firings."""
    fired: list[tuple[int, datetime]] = []
    now = start
    while now <= stop:
        known = History(
            history.created_at,
            [s for s in history.statuses if s[0] <= now],
            [a for a in history.activities if a[0] <= now],
        )
        decision = one(
            known,
            rule,
            now,
            ticket=ticket_at(now),
            versions=versions or UTC_HOURS,
            fired=[(rule.id, rule.metric, c) for c, _ in fired],
        )
        if decision.fire:
            fired.append((decision.cycle, decision.due_at))
        now += timedelta(minutes=1)
    return fired


def test_a_target_reached_at_closing_time_is_due_at_the_closing_instant():
    created = z("2025-01-10T12:00Z")  # Friday 13:00 in Berlin
    rule = Rule(1, "first_response", 240, business_hours=True)
    versions = [HoursVersion(ALWAYS, hours("Europe/Berlin"))]
    decision = one(History(created, [(created, "new")]), rule, created, versions=versions)
    assert decision.armed and decision.due_at == z("2025-01-10T16:00Z")


def test_a_pause_freezes_the_clock_and_resuming_continues_it():
    created = z("2025-11-03T15:00Z")  # Monday 10:00 in New York
    rule = Rule(1, "first_response", 240, business_hours=True)
    versions = [HoursVersion(ALWAYS, hours("America/New_York"))]
    statuses = [(created, "new"), (z("2025-11-03T16:30Z"), "pending")]
    paused = one(
        History(created, statuses),
        rule,
        z("2025-11-03T19:00Z"),
        ticket=TicketNow("pending", 1, "normal"),
        versions=versions,
    )
    assert not paused.armed and not paused.fire and paused.due_at is None
    assert paused.reason == "clock paused (status pending)"
    statuses.append((z("2025-11-04T19:00Z"), "open"))
    resumed = one(History(created, statuses), rule, z("2025-11-04T19:00Z"), versions=versions)
    assert resumed.armed and resumed.due_at == z("2025-11-04T21:30Z")
    fired = simulate(
        History(created, statuses),
        rule,
        created,
        z("2025-11-05T00:00Z"),
        ticket_at=lambda now: TicketNow(
            "pending" if z("2025-11-03T16:30Z") <= now < z("2025-11-04T19:00Z") else "open",
            1,
            "normal",
        ),
        versions=versions,
    )
    assert fired == [(1, z("2025-11-04T21:30Z"))]


def test_next_response_runs_in_cycles_and_fires_once_for_cycle_two():
    day = "2025-06-02T"
    acts = [
        ("10:00", "customer_message"),
        ("10:20", "agent_reply"),
        ("11:00", "customer_message"),
        ("11:30", "customer_message"),
        ("11:50", "agent_reply"),
        ("13:00", "customer_message"),
        ("13:30", "agent_note"),
        ("14:30", "customer_message"),
        ("15:00", "agent_reply"),
        ("15:10", "customer_message"),
        ("15:40", "agent_reply"),
    ]
    created = z(day + "10:00Z")
    history = History(created, [(created, "open")], [(z(f"{day}{t}Z"), k) for t, k in acts])
    rule = Rule(7, "next_response", 60)
    fired = simulate(history, rule, created, z(day + "17:00Z"))
    assert fired == [(2, z(day + "14:00Z"))]


def test_more_customer_messages_do_not_reset_next_response():
    created = z("2025-06-02T10:00Z")
    acts = [(created, "customer_message"), (z("2025-06-02T10:05Z"), "agent_reply")]
    acts += [
        (z("2025-06-02T10:10Z"), "customer_message"),
        (z("2025-06-02T10:50Z"), "customer_message"),
    ]
    decision = one(History(created, [], acts), Rule(1, "next_response", 60), z("2025-06-02T10:55Z"))
    assert decision.cycle == 1 and decision.due_at == z("2025-06-02T11:10Z")


def test_business_hours_count_as_they_were_in_force_at_each_instant():
    created = z("2025-01-06T10:00Z")  # Monday
    versions = [
        HoursVersion(ALWAYS, hours("UTC")),
        HoursVersion(z("2025-01-06T12:00Z"), hours("America/New_York")),
    ]
    rule = Rule(1, "first_response", 480, business_hours=True)
    decision = one(
        History(created, [(created, "new")]), rule, z("2025-01-06T12:00Z"), versions=versions
    )
    assert decision.due_at == z("2025-01-06T20:00Z")


def test_notes_never_count():
    created = z("2025-06-02T10:00Z")
    notes = [(created + timedelta(minutes=m), "agent_note") for m in (5, 10, 20)]
    history = History(created, [], notes)
    first = one(history, Rule(1, "first_response", 30), z("2025-06-02T10:30Z"))
    assert first.fire and first.due_at == z("2025-06-02T10:30Z")
    idle = one(history, Rule(2, "idle", 30), z("2025-06-02T10:30Z"))
    assert idle.cycle == 1 and idle.fire
    replied = History(
        created,
        [],
        [
            (created, "customer_message"),
            (created + timedelta(minutes=1), "agent_reply"),
            (created + timedelta(minutes=2), "customer_message"),
            *notes[1:],
        ],
    )
    nxt = one(replied, Rule(3, "next_response", 30), z("2025-06-02T10:40Z"))
    assert nxt.cycle == 1 and nxt.fire and nxt.due_at == z("2025-06-02T10:32Z")


def test_toggling_the_conditions_never_fires_twice_for_one_cycle():
    created = z("2025-06-02T10:00Z")
    rule = Rule(1, "resolution", 30, priorities=("high",))

    def ticket_at(now):  # high and normal in turns of 7 minutes
        return TicketNow("open", 1, "high" if (now - created).seconds // 420 % 2 else "normal")

    fired = simulate(History(created, []), rule, created, z("2025-06-02T12:00Z"), ticket_at)
    assert fired == [(1, z("2025-06-02T10:30Z"))]


def test_a_ticket_that_starts_matching_late_fires_at_once():
    created = z("2025-06-02T10:00Z")
    rule = Rule(1, "first_response", 30, priorities=("urgent",))
    history = History(created, [])
    before = one(history, rule, z("2025-06-02T11:00Z"))
    assert not before.fire and before.reason == "ticket does not match the conditions"
    after = one(history, rule, z("2025-06-02T11:00Z"), ticket=TicketNow("open", 1, "urgent"))
    assert after.fire and after.due_at == z("2025-06-02T10:30Z")


def test_a_target_lowered_below_the_consumed_time_fires_at_once_even_while_paused():
    created = z("2025-06-02T10:00Z")
    history = History(created, [(created, "open"), (z("2025-06-02T10:45Z"), "on_hold")])
    held = TicketNow("on_hold", 1, "normal")
    assert not one(history, Rule(1, "resolution", 60), z("2025-06-02T12:00Z"), ticket=held).armed
    lowered = one(history, Rule(1, "resolution", 40), z("2025-06-02T12:00Z"), ticket=held)
    assert lowered.fire and lowered.due_at == z("2025-06-02T10:40Z")


def test_resolution_stops_at_solved_and_a_reopen_resumes_it():
    created = z("2025-06-02T10:00Z")
    statuses = [
        (created, "open"),
        (z("2025-06-02T10:20Z"), "solved"),
        (z("2025-06-02T11:00Z"), "open"),
    ]
    solved = one(
        History(created, statuses[:2]),
        Rule(1, "resolution", 60),
        z("2025-06-02T10:50Z"),
        ticket=TicketNow("solved", 1, "normal"),
    )
    assert not solved.armed and solved.reason == "ticket is solved"
    reopened = one(History(created, statuses), Rule(1, "resolution", 60), z("2025-06-02T11:00Z"))
    assert reopened.armed and reopened.due_at == z("2025-06-02T11:40Z")


def test_pause_statuses_are_per_account_and_do_not_pause_idle():
    created = z("2025-06-02T10:00Z")
    history = History(created, [(created, "open"), (z("2025-06-02T10:10Z"), "pending")])
    pending = TicketNow("pending", 1, "normal")
    idle = one(history, Rule(1, "idle", 30), z("2025-06-02T10:30Z"), ticket=pending)
    assert idle.fire and idle.due_at == z("2025-06-02T10:30Z")
    counted = one(
        history,
        Rule(2, "resolution", 30),
        z("2025-06-02T10:30Z"),
        ticket=pending,
        pause_statuses=["on_hold"],
    )
    assert counted.fire
    frozen = one(history, Rule(2, "resolution", 30), z("2025-06-02T10:30Z"), ticket=pending)
    assert not frozen.armed


def test_idle_restarts_at_every_public_message_and_stops_at_solved():
    created = z("2025-06-02T10:00Z")
    acts = [
        (created, "customer_message"),
        (z("2025-06-02T10:20Z"), "agent_reply"),
        (z("2025-06-02T10:40Z"), "customer_message"),
    ]
    decision = one(History(created, [], acts), Rule(1, "idle", 30), z("2025-06-02T10:45Z"))
    assert decision.cycle == 3 and decision.due_at == z("2025-06-02T11:10Z")
    solved = one(
        History(created, [(z("2025-06-02T10:41Z"), "solved")], acts),
        Rule(1, "idle", 30),
        z("2025-06-02T12:00Z"),
        ticket=TicketNow("solved", 1, "normal"),
    )
    assert not solved.fire and not solved.armed


def test_closed_stops_every_clock():
    created = z("2025-06-02T10:00Z")
    history = History(created, [(created, "new"), (z("2025-06-02T10:05Z"), "closed")])
    closed = TicketNow("closed", 1, "normal")
    for metric in ("first_response", "resolution", "idle"):
        decision = one(history, Rule(1, metric, 10), z("2025-06-02T12:00Z"), ticket=closed)
        assert not decision.armed and not decision.fire and decision.reason == "ticket is closed"


def test_the_locked_ticket_status_wins_over_a_history_that_lags():
    created = z("2025-06-02T10:00Z")
    history = History(created, [(created, "open")])
    decision = one(
        history,
        Rule(1, "resolution", 30),
        z("2025-06-02T10:40Z"),
        ticket=TicketNow("pending", 1, "normal"),
    )
    # Consumed 40 minutes of which the last moments were in an unrecorded pause: still due.
    assert decision.fire and decision.due_at == z("2025-06-02T10:30Z")
    early = one(
        history,
        Rule(1, "resolution", 30),
        z("2025-06-02T10:20Z"),
        ticket=TicketNow("pending", 1, "normal"),
    )
    assert not early.fire and not early.armed


def test_a_first_response_ends_its_cycle():
    created = z("2025-06-02T10:00Z")
    history = History(created, [], [(z("2025-06-02T10:10Z"), "agent_reply")])
    decision = one(history, Rule(1, "first_response", 30), z("2025-06-02T11:00Z"))
    assert not decision.fire and decision.reason == "cycle completed"
