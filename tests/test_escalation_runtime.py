"""The escalation runtime against a real database: capture, arming, firing exactly once, actions.

Tickets, messages and status changes are written with plain SQL, the way other services write
them; tickets are created in the past (created_at) so targets are reached without waiting.
"""

from __future__ import annotations

import time

import pytest

from tests.factories import assert_error
from tickiti_workflow.worker import Worker


def settle(worker: Worker, rounds: int = 50) -> None:
    """Run the escalation work until there is nothing left to do now."""
    for _ in range(rounds):
        if not worker.run_escalations():
            return
    raise AssertionError("the escalation work did not settle")


def escalation(tenant, **overrides) -> dict:
    """The tenant's default escalation under a name of its own (a test makes several)."""
    return tenant.escalation(f"Esc {time.monotonic_ns()}", **overrides)


def ticket(factory, tenant, age: str, status: str = "open", priority: str = "normal") -> int:
    return factory.one(
        "INSERT INTO tickets (account_id, queue_id, status, priority, created_at)"
        " VALUES (%s, %s, %s, %s, now() - %s::interval) RETURNING id",
        (tenant.account_id, tenant.inbox_id, status, priority, age),
    )["id"]


def activity(factory, tenant, ticket_id: int, kind: str, ago: str = "0 seconds") -> None:
    factory.sql(
        "INSERT INTO ticket_activities (account_id, ticket_id, kind, occurred_at)"
        " VALUES (%s, %s, %s, now() - %s::interval)",
        (tenant.account_id, ticket_id, kind, ago),
    )


def firings(factory, tenant, ticket_id: int) -> list[dict]:
    return factory.sql(
        "SELECT escalation_id, metric, cycle, due_at, fired_at FROM escalation_firings"
        " WHERE account_id = %s AND ticket_id = %s ORDER BY id",
        (tenant.account_id, ticket_id),
    )


def timers(factory, tenant, ticket_id: int) -> list[dict]:
    return factory.sql(
        "SELECT escalation_id, metric, cycle, due_at FROM escalation_timers"
        " WHERE account_id = %s AND ticket_id = %s",
        (tenant.account_id, ticket_id),
    )


def test_an_overdue_ticket_fires_once_with_all_its_actions(factory, tenant, worker):
    target = tenant.queue()
    esc = escalation(
        tenant,
        actions=[
            {"type": "set_priority", "priority": "urgent"},
            {"type": "move_to_queue", "queue_id": target["id"]},
            {"type": "notify_users", "user_ids": [tenant.user_id]},
        ],
    )
    t = ticket(factory, tenant, "61 minutes")
    settle(worker)
    (fired,) = firings(factory, tenant, t)
    assert (fired["escalation_id"], fired["metric"], fired["cycle"]) == (
        esc["id"],
        "first_response",
        1,
    )
    row = factory.one(
        "SELECT priority, queue_id FROM tickets WHERE account_id = %s AND id = %s",
        (tenant.account_id, t),
    )
    assert row == {"priority": "urgent", "queue_id": target["id"]}
    events = factory.sql(
        "SELECT from_queue_id, to_queue_id, actor_user_id FROM ticket_events"
        " WHERE account_id = %s AND ticket_id = %s",
        (tenant.account_id, t),
    )
    assert events == [
        {"from_queue_id": tenant.inbox_id, "to_queue_id": target["id"], "actor_user_id": None}
    ]
    outbox = factory.sql(
        "SELECT user_id, dedupe_key, payload FROM notification_outbox WHERE account_id = %s"
        " AND payload->>'ticket_id' = %s",
        (tenant.account_id, str(t)),
    )
    assert [o["user_id"] for o in outbox] == [tenant.user_id]
    key = f"escalation:{tenant.account_id}:{t}:{esc['id']}:first_response:1:{tenant.user_id}"
    assert outbox[0]["dedupe_key"] == key
    # The actions changed the ticket (a captured write): deciding again fires nothing more.
    settle(worker)
    assert len(firings(factory, tenant, t)) == 1
    assert timers(factory, tenant, t) == []


def test_a_due_time_is_armed_and_fires_within_two_seconds_of_it(factory, tenant, worker):
    escalation(tenant)
    t = ticket(factory, tenant, "59 minutes 58 seconds")
    settle(worker)
    (armed,) = timers(factory, tenant, t)
    assert firings(factory, tenant, t) == []
    deadline = time.monotonic() + 10
    while not firings(factory, tenant, t) and time.monotonic() < deadline:
        worker.run_escalations()
        time.sleep(0.05)
    (fired,) = firings(factory, tenant, t)
    assert fired["due_at"] == armed["due_at"]
    assert 0 <= (fired["fired_at"] - fired["due_at"]).total_seconds() <= 2


def test_a_reply_before_the_due_time_stops_the_clock(factory, tenant, worker):
    escalation(tenant)
    t = ticket(factory, tenant, "61 minutes")
    activity(factory, tenant, t, "agent_reply", ago="2 minutes")
    settle(worker)
    assert firings(factory, tenant, t) == []
    assert timers(factory, tenant, t) == []


def test_a_note_is_no_reply(factory, tenant, worker):
    escalation(tenant)
    t = ticket(factory, tenant, "61 minutes")
    activity(factory, tenant, t, "agent_note", ago="2 minutes")
    settle(worker)
    assert len(firings(factory, tenant, t)) == 1


def test_a_reply_not_ingested_yet_is_seen_before_firing(factory, tenant, worker):
    escalation(tenant)
    t = ticket(factory, tenant, "59 minutes 59 seconds")
    settle(worker)
    assert len(timers(factory, tenant, t)) == 1
    activity(factory, tenant, t, "agent_reply")
    time.sleep(1.2)
    # Only the due timer is decided: the reply's captured row is still in the log.
    with worker.transaction() as cur:
        from tickiti_workflow import escalation_runtime

        escalation_runtime.process(cur)
    assert firings(factory, tenant, t) == []


def test_toggling_the_priority_never_fires_twice(factory, tenant, worker):
    escalation(tenant, conditions={"priorities": ["high"]})
    t = ticket(factory, tenant, "2 hours")
    settle(worker)
    assert firings(factory, tenant, t) == []  # not matching: not armed
    assert timers(factory, tenant, t) == []
    for priority in ("high", "normal", "high", "normal", "high"):
        factory.sql(
            "UPDATE tickets SET priority = %s WHERE account_id = %s AND id = %s",
            (priority, tenant.account_id, t),
        )
        settle(worker)
    assert len(firings(factory, tenant, t)) == 1


def test_a_pause_status_freezes_the_clock(factory, tenant, worker):
    escalation(tenant, target={"metric": "resolution", "minutes": 60})
    t = ticket(factory, tenant, "50 minutes")
    factory.sql(
        "UPDATE tickets SET status = 'pending' WHERE account_id = %s AND id = %s",
        (tenant.account_id, t),
    )
    settle(worker)
    assert timers(factory, tenant, t) == []
    # The pause counts from when the database saw it: running again, ~10 minutes remain.
    factory.sql(
        "UPDATE tickets SET status = 'open' WHERE account_id = %s AND id = %s",
        (tenant.account_id, t),
    )
    settle(worker)
    (armed,) = timers(factory, tenant, t)
    now = factory.one("SELECT now() AS now")["now"]
    assert 9 * 60 < (armed["due_at"] - now).total_seconds() < 10 * 60 + 5


def test_a_due_time_moved_later_never_fires_early(factory, tenant, worker):
    esc = escalation(tenant)
    t = ticket(factory, tenant, "59 minutes 59 seconds")
    settle(worker)
    (armed,) = timers(factory, tenant, t)
    target = {"metric": "first_response", "minutes": 120}
    tenant.ok("escalations/update", {"id": esc["id"], "target": target})
    time.sleep(1.2)  # the old due time passes; its timer is still stored
    settle(worker)
    assert firings(factory, tenant, t) == []
    (later,) = timers(factory, tenant, t)
    assert (later["due_at"] - armed["due_at"]).total_seconds() == pytest.approx(3600, abs=1)


def test_a_deleted_ticket_forgets_its_clocks(factory, tenant, worker):
    escalation(tenant)
    t = ticket(factory, tenant, "30 minutes")
    settle(worker)
    assert len(timers(factory, tenant, t)) == 1
    factory.sql("DELETE FROM tickets WHERE account_id = %s AND id = %s", (tenant.account_id, t))
    settle(worker)
    assert timers(factory, tenant, t) == []


def test_accounts_without_the_feature_never_fire(factory, worker):
    tenant = factory.tenant()
    escalation(tenant)
    factory.sql("UPDATE accounts SET plan_code = 'growth' WHERE id = %s", (tenant.account_id,))
    t = ticket(factory, tenant, "2 hours")
    settle(worker)
    assert firings(factory, tenant, t) == []


def test_business_hours_keep_their_versions(factory, tenant):
    tenant.ok("business-hours/update", {"timezone": "America/New_York"})
    rows = factory.sql(
        "SELECT version, timezone, effective_from > now() - interval '1 minute' AS recent"
        " FROM business_hours_versions WHERE account_id = %s ORDER BY version",
        (tenant.account_id,),
    )
    assert [(r["timezone"], r["recent"]) for r in rows] == [
        ("UTC", False),
        ("America/New_York", True),
    ]


def test_explain_shows_each_clock_and_the_firings(factory, tenant, worker):
    paused_rule = escalation(tenant, target={"metric": "resolution", "minutes": 600})
    fired_rule = escalation(tenant)
    waiting = escalation(tenant, target={"metric": "next_response", "minutes": 30})
    t = ticket(factory, tenant, "2 hours")
    factory.sql(
        "UPDATE tickets SET status = 'pending' WHERE account_id = %s AND id = %s",
        (tenant.account_id, t),
    )
    settle(worker)
    found = tenant.ok("escalations/explain", {"ticket_id": t})
    clocks = {c["escalation_id"]: c for c in found["clocks"]}
    assert found["ticket"]["status"] == "pending"
    assert clocks[paused_rule["id"]]["not_armed_because"] == "clock paused (status pending)"
    assert clocks[paused_rule["id"]]["consumed_calendar_seconds"] == pytest.approx(7200, abs=30)
    (running,) = clocks[paused_rule["id"]]["running_ranges"]
    assert running["end"] is not None
    assert clocks[fired_rule["id"]]["not_armed_because"] == "already fired for this cycle"
    assert clocks[waiting["id"]]["not_armed_because"] == "no customer message awaits an answer"
    assert [f["escalation_id"] for f in found["firings"]] == [fired_rule["id"]]
    missing = tenant.post("escalations/explain", {"ticket_id": 2**60})
    assert missing.status_code == 404


def test_firings_are_listed_newest_first_with_a_cursor_and_filters(factory, tenant, worker):
    first = escalation(tenant)
    second = escalation(tenant, target={"metric": "resolution", "minutes": 30})
    tickets = [ticket(factory, tenant, "2 hours") for _ in range(3)]
    settle(worker)
    seen, cursor = [], None
    while True:
        page = tenant.ok("escalation-firings", {"limit": 2, "cursor": cursor})
        seen += page["firings"]
        if not (cursor := page["next_cursor"]):
            break
    assert len(seen) == 6
    assert [f["id"] for f in seen] == sorted((f["id"] for f in seen), reverse=True)
    only = tenant.ok("escalation-firings", {"escalation_id": second["id"]})["firings"]
    assert {f["ticket_id"] for f in only} == set(tickets)
    one = tenant.ok("escalation-firings", {"ticket_id": tickets[0], "escalation_id": first["id"]})
    assert [(f["metric"], f["cycle"]) for f in one["firings"]] == [("first_response", 1)]
    bad = tenant.post("escalation-firings", {"cursor": "nope"})
    assert bad.status_code == 422


def test_healthz_shows_how_late_the_oldest_due_timer_is(factory, tenant, worker):
    escalation(tenant)
    t = ticket(factory, tenant, "59 minutes 59 seconds")
    settle(worker)
    assert len(timers(factory, tenant, t)) == 1
    time.sleep(1.5)  # no worker runs: the timer is overdue
    body = factory.client.get("/healthz").get_json()
    assert body["escalations"]["oldest_overdue_seconds"] >= 0.4
    settle(worker)
    assert (
        factory.client.get("/healthz").get_json()["escalations"]["oldest_overdue_seconds"] is None
    )


def test_a_configuration_change_recomputes_the_accounts_tickets(factory, worker):
    tenant = factory.tenant()
    older = [ticket(factory, tenant, "2 hours") for _ in range(3)]
    settle(worker)  # no escalation yet: nothing to decide
    esc = escalation(tenant, target={"metric": "resolution", "minutes": 600})
    settle(worker)
    progress = factory.one(
        "SELECT queued, finished_at IS NOT NULL AS finished FROM escalation_recomputes"
        " WHERE account_id = %s",
        (tenant.account_id,),
    )
    assert progress == {"queued": 3, "finished": True}
    assert all(len(timers(factory, tenant, t)) == 1 for t in older)
    tenant.ok(
        "escalations/update", {"id": esc["id"], "target": {"metric": "resolution", "minutes": 60}}
    )
    settle(worker)
    assert all(len(firings(factory, tenant, t)) == 1 for t in older)
    assert all(timers(factory, tenant, t) == [] for t in older)


def test_another_accounts_tickets_and_firings_are_not_found(factory, tenant, other_tenant, worker):
    escalation(tenant)
    t = ticket(factory, tenant, "2 hours")
    settle(worker)
    assert len(firings(factory, tenant, t)) == 1
    response = other_tenant.post("escalations/explain", {"ticket_id": t})
    error = assert_error(response, 404, "not_found")
    assert error["details"] == {"resource": "ticket", "id": t}
    assert other_tenant.ok("escalation-firings", {})["firings"] == []
    assert other_tenant.ok("escalation-firings", {"ticket_id": t})["firings"] == []
    assert len(tenant.ok("escalation-firings", {"ticket_id": t})["firings"]) == 1


def immediate(response: dict) -> dict:
    return response["would_fire_immediately"]


def test_a_lowered_target_reports_the_tickets_it_fires_at_once(factory, tenant, worker):
    esc = escalation(tenant, target={"metric": "resolution", "minutes": 600})
    overdue = ticket(factory, tenant, "2 hours")
    ticket(factory, tenant, "30 minutes")
    settle(worker)
    lowered = tenant.ok(
        "escalations/update", {"id": esc["id"], "target": {"metric": "resolution", "minutes": 60}}
    )
    # Beside the escalation, which keeps its shape.
    assert list(lowered) == ["escalation", "would_fire_immediately"]
    assert immediate(lowered) == {"tickets": 1, "examined": 2, "capped": False}
    settle(worker)
    assert len(firings(factory, tenant, overdue)) == 1
    # Fired: the same target again fires nothing more.
    again = tenant.ok("escalations/update", {"id": esc["id"], "name": "Renamed"})
    assert immediate(again) == {"tickets": 0, "examined": 1, "capped": False}


def test_a_new_escalation_counts_the_clocks_others_armed(factory, tenant, worker):
    escalation(tenant, target={"metric": "first_response", "minutes": 600})
    ticket(factory, tenant, "2 hours")
    ticket(factory, tenant, "3 hours", priority="urgent")
    settle(worker)
    body = {
        "name": "Urgent within an hour",
        "conditions": {"priorities": ["urgent"]},
        "target": {"metric": "first_response", "minutes": 60},
        "actions": [{"type": "notify_users", "user_ids": [tenant.user_id]}],
    }
    created = tenant.ok("escalations/create", body, status=201)
    assert immediate(created) == {"tickets": 1, "examined": 2, "capped": False}
    disabled = tenant.ok(
        "escalations/update", {"id": created["escalation"]["id"], "enabled": False}
    )
    assert immediate(disabled) == {"tickets": 0, "examined": 0, "capped": False}
    # Another metric's clocks are not looked at.
    other = tenant.ok(
        "escalations/create",
        {**body, "name": "Idle", "target": {"metric": "resolution", "minutes": 60}},
        status=201,
    )
    assert immediate(other) == {"tickets": 0, "examined": 0, "capped": False}


def test_the_count_looks_at_a_bounded_number_of_clocks(factory, tenant, monkeypatch):
    from tickiti_workflow import escalation_runtime

    monkeypatch.setattr(escalation_runtime, "IMMEDIATE_MAX_TIMERS", 5)
    esc = escalation(tenant, target={"metric": "resolution", "minutes": 600})
    ids = [ticket(factory, tenant, f"{n} hours") for n in range(2, 10)]
    factory.sql(
        "INSERT INTO escalation_timers (account_id, ticket_id, escalation_id, metric, cycle,"
        " due_at) SELECT account_id, id, %s, 'resolution', 1, created_at + interval '10 hours'"
        " FROM tickets WHERE account_id = %s AND id = ANY(%s)",
        (esc["id"], tenant.account_id, ids),
    )
    lowered = tenant.ok(
        "escalations/update", {"id": esc["id"], "target": {"metric": "resolution", "minutes": 60}}
    )
    assert immediate(lowered) == {"tickets": 5, "examined": 5, "capped": True}


def test_another_accounts_clocks_are_never_counted(factory, tenant, other_tenant, worker):
    escalation(other_tenant, target={"metric": "resolution", "minutes": 600})
    ticket(factory, other_tenant, "2 hours")
    settle(worker)
    body = {
        "name": "Solved within an hour",
        "target": {"metric": "resolution", "minutes": 60},
        "actions": [{"type": "notify_users", "user_ids": [tenant.user_id]}],
    }
    created = tenant.ok("escalations/create", body, status=201)
    assert immediate(created) == {"tickets": 0, "examined": 0, "capped": False}
