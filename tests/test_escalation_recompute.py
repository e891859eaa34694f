"""The background recompute's set-based path decides exactly as the full decision does.

A configuration change recomputes every ticket of the account. Plain tickets (no message, no
status change, no firing) are decided in one statement per batch (sql/escalation_runtime.sql,
recompute_arm), the others one by one (tickiti_workflow/sla.py). These tests hold the first to
the second: the same timers to the microsecond, and every ticket it cannot decide handed on.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.types.json import Jsonb

from tests.test_business_time import scenarios
from tests.test_escalation_runtime import settle
from tickiti_workflow import escalation_runtime, sla
from tickiti_workflow.business_time import BusinessCalendar
from tickiti_workflow.worker import Worker

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)


def arrays_of(ranges: list[tuple[datetime, datetime]]) -> dict:
    starts, befores, afters = sla.walk_arrays(ranges)
    return {"starts": starts, "befores": befores, "afters": afters}


def sql_walk(factory, start: datetime, minutes: int, arrays: dict) -> datetime | None:
    return factory.one(
        "SELECT business_time_reached(business_time_before(%(start)s, %(starts)s::timestamptz[],"
        "   %(befores)s::bigint[], %(afters)s::bigint[]) + %(amount)s,"
        " %(starts)s::timestamptz[], %(befores)s::bigint[], %(afters)s::bigint[]) AS due",
        {"start": start, "amount": minutes * 60_000_000, **arrays},
    )["due"]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    scenarios(),
    st.integers(1, 20_000),
    st.integers(0, 5 * 86400),
    st.integers(-3 * 86400, 3 * 86400),
    st.booleans(),
)
def test_the_sql_walk_is_the_engines_due_time(factory, scenario, minutes, spread, switch, second):
    """Through DST changes, holidays, gaps and a change of business hours part way; and the
    business time between two instants is the engine's."""
    hours, first = scenario
    if not any(hours.schedule.values()):
        return
    first = first.astimezone(UTC)  # as the database gives it (local arithmetic would differ)
    versions = [sla.HoursVersion(EPOCH, hours)]
    if second:
        other = BusinessCalendar(
            "America/New_York", {"monday": [(0, 1440)], "friday": [(600, 660)]}
        )
        versions.append(sla.HoursVersion(first + timedelta(seconds=switch), other))
    last = first + timedelta(seconds=spread)
    amount = timedelta(minutes=minutes)
    end = sla.reach([(last, None)], amount, versions)
    arrays = arrays_of(sla.business_ranges(versions, first, end))
    for start in (first, first + (last - first) / 3, last):
        expected = sla.reach([(start, None)], amount, versions)
        assert sql_walk(factory, start, minutes, arrays) == expected
    used = factory.one(
        "SELECT business_time_before(%(b)s, %(starts)s::timestamptz[], %(befores)s::bigint[],"
        "   %(afters)s::bigint[])"
        " - business_time_before(%(a)s, %(starts)s::timestamptz[], %(befores)s::bigint[],"
        "   %(afters)s::bigint[]) AS used",
        {"a": first, "b": last, **arrays},
    )["used"]
    assert used * US == sla.consumed([(first, last)], last, versions)


def test_the_sql_walk_ends_with_its_ranges(factory):
    hours = BusinessCalendar("UTC", {"monday": [(540, 1020)]})
    start = datetime(2025, 6, 2, 9, tzinfo=UTC)
    arrays = arrays_of(sla.business_ranges([sla.HoursVersion(EPOCH, hours)], start, start))
    assert sql_walk(factory, start, 1, arrays) is None
    end = datetime(2025, 6, 2, 17, tzinfo=UTC)
    arrays = arrays_of(sla.business_ranges([sla.HoursVersion(EPOCH, hours)], start, end))
    # Reached exactly at closing time: due at the closing instant.
    assert sql_walk(factory, start, 480, arrays) == end
    assert sql_walk(factory, start, 481, arrays) is None
    # Before the first range, the walk starts at its opening.
    early = datetime(2025, 6, 2, 3, tzinfo=UTC)
    assert sql_walk(factory, early, 60, arrays) == datetime(2025, 6, 2, 10, tzinfo=UTC)


def interval(start: str, end: str) -> dict:
    return {"start": start, "end": end}


def configure(tenant) -> int:
    """Escalations of every kind, two versions of business hours, a pause status."""
    tenant.ok(
        "business-hours/update",
        {
            "timezone": "America/New_York",
            "schedule": {
                **{
                    day: [interval("09:00", "12:00"), interval("13:00", "17:30")]
                    for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
                },
                "saturday": [interval("10:00", "14:00")],
            },
            "holidays": [
                {
                    "name": "Thanksgiving",
                    "start_date": "2026-11-26",
                    "end_date": "2026-11-27",
                    "recurring": False,
                }
            ],
        },
    )
    # A second version from now on: the clocks count each stretch under its own hours.
    tenant.ok("business-hours/update", {"timezone": "Europe/Berlin"})
    tenant.ok("escalation-settings/update", {"pause_statuses": ["pending"]})
    other = tenant.queue()
    notify = [{"type": "notify_users", "user_ids": [tenant.user_id]}]
    for n, (metric, minutes, business, conditions, enabled) in enumerate(
        [
            ("first_response", 30 * 1440, False, {}, True),
            ("resolution", 15_000, True, {}, True),
            ("idle", 6000, True, {"priorities": ["high", "urgent"]}, True),
            ("next_response", 30, False, {}, True),
            ("first_response", 9000, True, {"queue_ids": [other["id"]]}, True),
            ("resolution", 20, False, {}, False),
        ]
    ):
        body = {"target": {"metric": metric, "minutes": minutes, "business_hours": business}}
        if conditions:
            body["conditions"] = conditions
        tenant.ok(
            "escalations/create",
            tenant.escalation_body(f"E{n}", actions=notify, enabled=enabled, **body),
            status=201,
        )
    return other["id"]


def fill(factory, tenant, queue_ids: list[int], count: int, seed: int) -> None:
    """Tickets of every shape, created over the last three weeks (some already overdue)."""
    rng = random.Random(seed)
    for _ in range(count):
        age = timedelta(seconds=rng.randrange(21 * 86400), microseconds=rng.randrange(10**6))
        t = factory.one(
            "INSERT INTO tickets (account_id, queue_id, status, priority, created_at)"
            " VALUES (%s, %s, %s, %s, now() - %s) RETURNING id",
            (
                tenant.account_id,
                rng.choice(queue_ids),
                rng.choice(["new", "open", "open", "open", "pending", "on_hold", "solved"]),
                rng.choice(["low", "normal", "high", "urgent"]),
                age,
            ),
        )["id"]
        for _ in range(rng.choice([0, 0, 1, 2, 3])):
            kind = rng.choice(["customer_message", "agent_reply", "agent_note"])
            factory.sql(
                "INSERT INTO ticket_activities (account_id, ticket_id, kind, occurred_at)"
                " VALUES (%s, %s, %s, now() - %s)",
                (tenant.account_id, t, kind, age * rng.random()),
            )
        if rng.random() < 0.5:
            # A past of status changes (paused and solved stretches among them), as the
            # worker takes captured changes into the history; then the ticket's status now.
            changes = sorted(age * rng.random() for _ in range(rng.randrange(1, 4)))
            status = "open"
            for ago in reversed(changes):
                status = rng.choice(["new", "open", "pending", "on_hold", "solved"])
                factory.sql(
                    "INSERT INTO sla_status_history (account_id, ticket_id, at, status)"
                    " VALUES (%s, %s, now() - %s, %s)",
                    (tenant.account_id, t, ago, status),
                )
            factory.sql(
                "UPDATE tickets SET status = %s WHERE account_id = %s AND id = %s",
                (status, tenant.account_id, t),
            )


def decidable(history: sla.History, status: str, next_response: bool) -> bool:
    """What the set-based path decides itself: everything but a next_response cycle (when an
    escalation measures it), two status changes at one instant, or a last status that is
    not the ticket's (a change not taken into the history yet)."""
    if status in sla.STOPPED:
        return True
    changes = [(max(at, history.created_at), s) for at, s in history.statuses]
    if len({at for at, _ in changes}) != len(changes):
        return False
    if changes and max(changes)[1] != status:
        return False
    return not (next_response and sla.cycles(history, "next_response"))


@pytest.mark.parametrize("seed", [13, 14, 15])
def test_the_set_based_recompute_arms_what_the_full_decision_arms(factory, worker, seed):
    tenant = factory.tenant()
    other = configure(tenant)
    fill(factory, tenant, [tenant.inbox_id, other], count=400, seed=seed)
    settle(worker)  # everything decided once, the overdue ones fired
    # A change of target: the account's recompute, batch by batch, compared in its transaction.
    escalation = tenant.ok("escalations", {})["escalations"][0]
    tenant.ok(
        "escalations/update",
        {"id": escalation["id"], "target": {"metric": "first_response", "minutes": 25 * 1440}},
    )
    checked = handed = 0
    for _ in range(500):
        with worker.transaction() as cur:
            escalation_runtime.claim_recompute(cur, batch=70)
        with worker.transaction() as cur:
            done = escalation_runtime.recompute(cur)
            if done is None and sql_progress(cur, tenant.account_id)["finished"]:
                break
            if done is None or done["account_id"] != tenant.account_id:
                continue  # another account's recompute took this turn
            tickets, handed_on = compare(
                cur, tenant.account_id, done["after_ticket_id"], done["last_ticket_id"]
            )
            assert (done["decided"], done["handed_on"]) == (tickets - handed_on, handed_on)
            checked += tickets
            handed += handed_on
    assert checked > 100
    assert 0 < handed < checked / 2


def sql_progress(cur, account_id: int) -> dict:
    cur.execute(
        "SELECT after_ticket_id, finished_at IS NOT NULL AS finished FROM escalation_recomputes"
        " WHERE account_id = %s",
        (account_id,),
    )
    return cur.fetchone()


def compare(
    cur, account_id: int, after_id: int, last_id: int, strict: bool = True
) -> tuple[int, int]:
    """Check one batch inside the recompute's transaction (its `now()`): decided, handed on.

    A ticket decided set-based has the timers of the full decision, which fires nothing for
    it; with `strict`, every ticket handed on is one `decidable` refuses or one that fires."""
    cur.execute(
        "SELECT t.account_id, t.id, t.status, t.queue_id, t.priority, t.created_at, true AS feature"
        " FROM tickets t WHERE t.account_id = %s AND t.id > %s AND t.id <= %s"
        " AND t.status <> 'closed'",
        (account_id, after_id, last_id),
    )
    tickets = {(r["account_id"], r["id"]): r for r in cur.fetchall()}
    cur.execute("SELECT now() AS now")
    now = cur.fetchone()["now"]
    cur.execute("SELECT ticket_id FROM sla_dirty_tickets WHERE account_id = %s", (account_id,))
    marked = {r["ticket_id"] for r in cur.fetchall()}
    cur.execute(
        "SELECT ticket_id, escalation_id, metric, cycle, due_at FROM escalation_timers"
        " WHERE account_id = %s AND ticket_id > %s AND ticket_id <= %s",
        (account_id, after_id, last_id),
    )
    armed: dict[int, set] = {}
    for r in cur.fetchall():
        armed.setdefault(r["ticket_id"], set()).add(
            (r["escalation_id"], r["metric"], r["cycle"], r["due_at"])
        )
    histories, fired, configs = escalation_runtime.load(cur, tickets)
    config = configs[account_id]
    handed = 0
    for key, ticket in tickets.items():
        decisions = escalation_runtime.decide(
            ticket, histories[key], configs[account_id], fired.get(key, ()), now
        )
        next_response = any(r.metric == "next_response" and r.enabled for r in config.rules)
        sql_decides = decidable(histories[key], ticket["status"], next_response)
        if key[1] in marked:
            handed += 1
            if strict:
                assert not sql_decides or any(d.fire for d in decisions), ticket
            continue
        assert sql_decides, ticket
        assert not any(d.fire for d in decisions), ticket
        expected = {(d.rule_id, d.metric, d.cycle, d.due_at) for d in decisions if d.armed}
        assert armed.get(key[1], set()) == expected, ticket
    return len(tickets), handed


def test_a_ticket_another_transaction_holds_is_handed_on_not_skipped(factory, worker):
    tenant = factory.tenant()
    tickets = [
        factory.one(
            "INSERT INTO tickets (account_id, queue_id, status, created_at)"
            " VALUES (%s, %s, 'open', now() - interval '1 hour') RETURNING id",
            (tenant.account_id, tenant.inbox_id),
        )["id"]
        for _ in range(3)
    ]
    settle(worker)
    held = tickets[1]
    with psycopg.connect(worker.url) as other:
        other.execute(
            "SELECT 1 FROM tickets WHERE account_id = %s AND id = %s FOR UPDATE",
            (tenant.account_id, held),
        )
        tenant.escalation("Resolve", target={"metric": "resolution", "minutes": 600})
        for _ in range(100):
            with worker.transaction() as cur:
                escalation_runtime.claim_recompute(cur)
            with worker.transaction() as cur:
                escalation_runtime.recompute(cur)
                if sql_progress(cur, tenant.account_id)["finished"]:
                    break
        marked = factory.sql(
            "SELECT ticket_id FROM sla_dirty_tickets WHERE account_id = %s", (tenant.account_id,)
        )
        assert [r["ticket_id"] for r in marked] == [held]
    settle(worker)  # the lock is gone: the worker decides it
    assert armed_tickets(factory, tenant) == tickets


def plain_tickets(factory, tenant, count: int) -> list[int]:
    return [
        factory.one(
            "INSERT INTO tickets (account_id, queue_id, status, created_at)"
            " VALUES (%s, %s, 'open', now() - interval '1 hour') RETURNING id",
            (tenant.account_id, tenant.inbox_id),
        )["id"]
        for _ in range(count)
    ]


def armed_tickets(factory, tenant) -> list[int]:
    rows = factory.sql(
        "SELECT DISTINCT ticket_id FROM escalation_timers WHERE account_id = %s ORDER BY 1",
        (tenant.account_id,),
    )
    return [r["ticket_id"] for r in rows]


def own_batches(factory, tenant) -> list[dict]:
    return factory.sql(
        "SELECT after_ticket_id, last_ticket_id FROM escalation_recompute_batches"
        " WHERE account_id = %s ORDER BY id",
        (tenant.account_id,),
    )


def claim_own(worker: Worker, tenant, batch: int) -> None:
    """Cut one batch off this tenant's request (other accounts' requests may come first)."""
    for _ in range(100):
        with worker.transaction() as cur:
            cur.execute(
                "SELECT after_ticket_id FROM escalation_recomputes WHERE account_id = %s",
                (tenant.account_id,),
            )
            before = cur.fetchone()["after_ticket_id"]
            escalation_runtime.claim_recompute(cur, batch=batch)
            if sql_progress(cur, tenant.account_id)["after_ticket_id"] != before:
                return
        with worker.transaction() as cur:
            escalation_runtime.recompute(cur)
    raise AssertionError("the tenant's request was never cut")


def test_two_workers_decide_batches_of_one_recompute_side_by_side(factory, worker, app):
    tenant = factory.tenant()
    tickets = plain_tickets(factory, tenant, 4)
    settle(worker)
    tenant.escalation("Resolve", target={"metric": "resolution", "minutes": 600})
    claim_own(worker, tenant, batch=2)
    claim_own(worker, tenant, batch=2)
    assert [b["last_ticket_id"] for b in own_batches(factory, tenant)] == [tickets[1], tickets[3]]
    second = Worker(worker.url, dataclasses.replace(app.config["SETTINGS"]))
    try:
        with worker.transaction() as first_cur:
            taken = escalation_runtime.recompute(first_cur)
            # The first worker holds its batch: the second one decides the other.
            with second.transaction() as second_cur:
                other = escalation_runtime.recompute(second_cur)
            assert {taken["last_ticket_id"], other["last_ticket_id"]} == {tickets[1], tickets[3]}
    finally:
        second.close()
    assert own_batches(factory, tenant) == []
    assert armed_tickets(factory, tenant) == tickets


def test_a_batch_whose_worker_died_is_taken_again(factory, worker, app):
    tenant = factory.tenant()
    tickets = plain_tickets(factory, tenant, 3)
    settle(worker)
    tenant.escalation("Resolve", target={"metric": "resolution", "minutes": 600})
    claim_own(worker, tenant, batch=10)
    (batch,) = own_batches(factory, tenant)
    # A worker takes the batch and dies before committing: its transaction is rolled back.
    dying = psycopg.connect(worker.url)
    dying.execute(
        "SELECT 1 FROM escalation_recompute_batches WHERE account_id = %s FOR UPDATE",
        (tenant.account_id,),
    )
    dying.close()
    assert own_batches(factory, tenant) == [batch]
    settle(worker)
    assert own_batches(factory, tenant) == []
    assert sql_progress_of(factory, tenant) == {"queued": 3, "finished": True}
    assert armed_tickets(factory, tenant) == tickets


def sql_progress_of(factory, tenant) -> dict:
    return factory.one(
        "SELECT queued, finished_at IS NOT NULL AS finished FROM escalation_recomputes"
        " WHERE account_id = %s",
        (tenant.account_id,),
    )


def recompute_and_compare(worker: Worker, tenant) -> set[int]:
    """Run the tenant's recompute batch by batch, each batch checked against the full
    decision inside its transaction; the tickets handed on to it."""
    handed: set[int] = set()
    for _ in range(500):
        with worker.transaction() as cur:
            escalation_runtime.claim_recompute(cur)
        with worker.transaction() as cur:
            done = escalation_runtime.recompute(cur)
            if done is None and sql_progress(cur, tenant.account_id)["finished"]:
                return handed
            if done is None or done["account_id"] != tenant.account_id:
                continue
            compare(cur, tenant.account_id, done["after_ticket_id"], done["last_ticket_id"], False)
            cur.execute(
                "SELECT ticket_id FROM sla_dirty_tickets WHERE account_id = %s",
                (tenant.account_id,),
            )
            handed |= {r["ticket_id"] for r in cur.fetchall()}
    raise AssertionError("the recompute did not finish")


ALL_DAY = {
    day: [{"start": "00:00", "end": "24:00"}]
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
}


def hours_versions(factory, tenant, *versions: tuple[str, dict]) -> None:
    """Business hours around the clock since ever, then each (age, schedule) from then on."""
    factory.sql(
        "UPDATE business_hours_versions SET schedule = %s WHERE account_id = %s",
        (Jsonb(ALL_DAY), tenant.account_id),
    )
    for n, (age, schedule) in enumerate(versions, start=2):
        factory.sql(
            "INSERT INTO business_hours_versions"
            " (account_id, version, effective_from, timezone, schedule, holidays)"
            " VALUES (%s, %s, now() - %s::interval, 'UTC', %s, '[]')",
            (tenant.account_id, n, age, Jsonb(schedule)),
        )


def aged_ticket(factory, tenant, age: str, *changes: tuple[str, str]) -> int:
    """A ticket created `age` ago, with its status changes (instant, status) in the history."""
    t = factory.one(
        "INSERT INTO tickets (account_id, queue_id, status, created_at)"
        " VALUES (%s, %s, %s, now() - %s::interval) RETURNING id",
        (tenant.account_id, tenant.inbox_id, changes[-1][1] if changes else "open", age),
    )["id"]
    for at, status in changes:
        factory.sql(
            "INSERT INTO sla_status_history (account_id, ticket_id, at, status)"
            " VALUES (%s, %s, now() - %s::interval, %s)",
            (tenant.account_id, t, at, status),
        )
    return t


def test_business_hours_with_no_business_time_now_hand_the_clocks_on(factory, worker):
    """The ranges cannot reach past now: a clock paused since is left to the full decision,
    which finds its target reached back then, and fires."""
    tenant = factory.tenant()
    hours_versions(factory, tenant, ("1 day", {}))
    t = aged_ticket(factory, tenant, "3 days", ("3 days", "open"), ("2 days 22 hours", "pending"))
    settle(worker)
    tenant.escalation(
        "Resolve", target={"metric": "resolution", "minutes": 60, "business_hours": True}
    )
    assert t in recompute_and_compare(worker, tenant)
    settle(worker)
    fired = factory.sql(
        "SELECT cycle FROM escalation_firings WHERE account_id = %s AND ticket_id = %s",
        (tenant.account_id, t),
    )
    assert fired == [{"cycle": 1}]


def test_business_hours_with_no_business_time_on_the_way_hand_the_clocks_on(factory, worker):
    """The full decision declines to count through hours that have no business time; the
    set-based one would walk past them, so it leaves the ticket to the full decision."""
    tenant = factory.tenant()
    hours_versions(factory, tenant, ("2 days", {}), ("1 day", ALL_DAY))
    t = aged_ticket(factory, tenant, "3 days")
    settle(worker)
    tenant.escalation(
        "Resolve", target={"metric": "resolution", "minutes": 3 * 1440, "business_hours": True}
    )
    assert t in recompute_and_compare(worker, tenant)
    settle(worker)
    assert (
        factory.sql(
            "SELECT 1 FROM escalation_timers WHERE account_id = %s AND ticket_id = %s",
            (tenant.account_id, t),
        )
        == []
    )


def test_a_status_change_not_in_the_history_yet_hands_the_ticket_on(factory, worker):
    """Even one with the ticket's status now: where it falls among the others is unknown."""
    tenant = factory.tenant()
    t = aged_ticket(
        factory, tenant, "5 hours", ("5 hours", "pending"), ("3 hours", "pending"),
        ("1 hour", "open"),
    )  # fmt: skip
    plain = aged_ticket(factory, tenant, "5 hours")
    settle(worker)
    factory.sql(
        "INSERT INTO sla_ticket_changes (account_id, ticket_id, at, status)"
        " VALUES (%s, %s, now() - interval '4 hours', 'open')",
        (tenant.account_id, t),
    )
    tenant.escalation("Resolve", target={"metric": "resolution", "minutes": 600})
    handed = recompute_and_compare(worker, tenant)
    assert t in handed
    assert plain not in handed
    settle(worker)
    (timer,) = factory.sql(
        "SELECT due_at - now() AS left FROM escalation_timers"
        " WHERE account_id = %s AND ticket_id = %s",
        (tenant.account_id, t),
    )
    # Pending, open from 4 to 3 hours ago, pending, open for the last hour: 2 of 10 hours used.
    assert timedelta(hours=7, minutes=59) < timer["left"] <= timedelta(hours=8)


def test_a_ticket_created_outside_its_batchs_span_is_handed_on(factory, worker):
    """The business ranges cover the creations the batch was cut with: a ticket whose
    creation lies outside them since (reopened, or back-dated by an import) is not measured
    in them."""
    tenant = factory.tenant()
    hours_versions(factory, tenant)
    tickets = [aged_ticket(factory, tenant, "2 hours") for _ in range(3)]
    settle(worker)
    tenant.escalation(
        "Resolve", target={"metric": "resolution", "minutes": 600, "business_hours": True}
    )
    claim_own(worker, tenant, batch=10)
    factory.sql(
        "UPDATE tickets SET created_at = created_at - interval '20 days'"
        " WHERE account_id = %s AND id = %s",
        (tenant.account_id, tickets[1]),
    )
    assert recompute_and_compare(worker, tenant) == {tickets[1]}


def test_a_request_with_a_batch_waiting_lets_another_account_cut_first(factory, worker):
    """Cutting goes oldest request first, but not while that request's batch waits: one
    account's long recompute does not hold back another's."""
    first, second = factory.tenant(), factory.tenant()
    plain_tickets(factory, first, 3)
    plain_tickets(factory, second, 3)
    settle(worker)
    first.escalation("Resolve", target={"metric": "resolution", "minutes": 600})
    claim_own(worker, first, batch=1)
    second.escalation("Resolve", target={"metric": "resolution", "minutes": 600})
    with worker.transaction() as cur:
        escalation_runtime.claim_recompute(cur, batch=1)
    assert len(own_batches(factory, first)) == 1
    assert len(own_batches(factory, second)) == 1
    settle(worker)
    assert sql_progress_of(factory, first) == {"queued": 3, "finished": True}
    assert sql_progress_of(factory, second) == {"queued": 3, "finished": True}
