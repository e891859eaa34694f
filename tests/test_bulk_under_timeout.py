"""No request does work that grows with the number of tickets: the bulk cases of the API, run
against queues of 100,000 tickets with a statement timeout far below what a scan of such a queue
takes, all answer at once (the work itself goes to the worker)."""

from __future__ import annotations

import dataclasses

import pytest

from app import create_app
from tests.factories import Factory, assert_error

BIG = 100_000
# A scan or an update of BIG tickets takes well over this; every statement a request needs
# takes a few milliseconds.
TIMEOUT_MS = 150


@pytest.fixture(scope="module")
def strict(database_url, conn):
    app = create_app({"DATABASE_URL": database_url, "DATABASE_STATEMENT_TIMEOUT_MS": TIMEOUT_MS})
    app.config["TESTING"] = False
    yield Factory(app, conn)
    app.extensions["tickiti.db"].close()


@pytest.fixture
def tenant(strict):
    """A tenant whose queued jobs are dropped afterwards, so that no later test's worker
    spends its steps on them."""
    tenant = strict.tenant()
    yield tenant
    strict.sql("DELETE FROM jobs WHERE account_id = %s", (tenant.account_id,))


def fill(factory: Factory, account_id: int, queue_id: int, count: int) -> None:
    """Tickets written as another service writes them, their count changes folded as the
    worker folds them (a second after they commit)."""
    factory.sql(
        "INSERT INTO tickets (account_id, queue_id, status)"
        " SELECT %s, %s, CASE WHEN n %% 4 = 0 THEN 'solved' ELSE 'open' END"
        " FROM generate_series(1, %s) n",
        (account_id, queue_id, count),
    )
    factory.sql("SELECT fold_ticket_count_changes(%s)", (count,))
    factory.sql("VACUUM ticket_count_changes")


def test_bulk_cases_answer_within_a_statement_timeout_far_below_a_scan(strict, tenant):
    big = tenant.queue("Big")
    doomed = tenant.queue("Doomed")
    target, other = tenant.queue("Target"), tenant.queue("Other")
    fill(strict, tenant.account_id, big["id"], BIG)
    fill(strict, tenant.account_id, doomed["id"], BIG)

    listed = {q["name"]: q for q in tenant.ok("queues", {})["queues"]}
    assert (listed["Big"]["ticket_count"], listed["Big"]["open_ticket_count"]) == (
        BIG,
        BIG * 3 // 4,
    )

    job = tenant.ok(
        "queues/move", {"from_queue_id": big["id"], "to_queue_id": target["id"]}, status=202
    )["job"]
    assert job["total"] == BIG
    busy = tenant.post("queues/move", {"from_queue_id": big["id"], "to_queue_id": other["id"]})
    assert busy.status_code == 409, busy.get_json()
    for queue_id in (big["id"], target["id"]):
        refused = tenant.post(
            "queues/delete", {"queue_id": queue_id, "reassign_to_queue_id": other["id"]}
        )
        assert refused.status_code == 409, refused.get_json()

    deleting = tenant.ok(
        "queues/delete", {"queue_id": doomed["id"], "reassign_to_queue_id": other["id"]},
        status=202,
    )["job"]  # fmt: skip
    assert deleting["total"] == BIG
    assert tenant.ok("jobs/get", {"job_id": deleting["id"]})["job"]["status"] == "queued"
    assert [j["id"] for j in tenant.ok("jobs", {})["jobs"]] == [deleting["id"], job["id"]]

    # A listed move stays synchronous and all-or-nothing, bounded by its 10,000 ids.
    some = [
        r["id"]
        for r in strict.sql(
            "SELECT id FROM tickets WHERE account_id = %s AND queue_id = %s LIMIT 100",
            (tenant.account_id, big["id"]),
        )
    ]
    moved = tenant.ok(
        "queues/move", {"from_queue_id": big["id"], "to_queue_id": other["id"], "ticket_ids": some}
    )
    assert moved["moved"] == 100
    listed = {q["name"]: q["ticket_count"] for q in tenant.ok("queues", {})["queues"]}
    assert (listed["Big"], listed["Other"], listed["Doomed"]) == (BIG - 100, 100, BIG)


def test_the_timeout_does_catch_a_request_that_scans(strict, tenant):
    """The control: with the threshold raised so the move runs in the request, it times out."""
    source, target = tenant.queue(), tenant.queue()
    fill(strict, tenant.account_id, source["id"], BIG)
    settings = strict.app.config["SETTINGS"]
    strict.app.config["SETTINGS"] = dataclasses.replace(settings, bulk_sync_max_tickets=10 * BIG)
    try:
        response = tenant.post(
            "queues/move", {"from_queue_id": source["id"], "to_queue_id": target["id"]}
        )
    finally:
        strict.app.config["SETTINGS"] = settings
    assert_error(response, 503, "database_timeout")


def test_an_escalation_change_counts_its_immediate_firings_within_the_timeout(strict, tenant):
    """However many clocks the account has armed, the create or update answer decides only
    the first IMMEDIATE_MAX_TIMERS of them again (tickiti_workflow/escalation_runtime.py)."""
    from tickiti_workflow.escalation_runtime import IMMEDIATE_MAX_TIMERS

    account = tenant.account_id
    created = tenant.ok(
        "escalations/create",
        {
            "name": "Solved within a week",
            "target": {"metric": "resolution", "minutes": 10_080},
            "actions": [{"type": "set_priority", "priority": "urgent"}],
        },
        status=201,
    )
    esc = created["escalation"]
    try:
        strict.sql(
            "INSERT INTO tickets (account_id, queue_id, status, created_at)"
            " SELECT %s, %s, 'open', now() - interval '2 hours' FROM generate_series(1, %s)",
            (account, tenant.inbox_id, BIG),
        )
        strict.sql(
            "INSERT INTO escalation_timers (account_id, ticket_id, escalation_id, metric, cycle,"
            " due_at) SELECT account_id, id, %s, 'resolution', 1, created_at + interval '7 days'"
            " FROM tickets WHERE account_id = %s",
            (esc["id"], account),
        )
        strict.sql("ANALYZE escalation_timers")
        lowered = tenant.ok(
            "escalations/update",
            {"id": esc["id"], "target": {"metric": "resolution", "minutes": 60}},
        )
        assert lowered["would_fire_immediately"] == {
            "tickets": IMMEDIATE_MAX_TIMERS,
            "examined": IMMEDIATE_MAX_TIMERS,
            "capped": True,
        }
        again = tenant.ok(
            "escalations/create",
            {
                "name": "Urgent ones sooner",
                "conditions": {"priorities": ["urgent"]},
                "target": {"metric": "resolution", "minutes": 30},
                "actions": [{"type": "set_priority", "priority": "high"}],
            },
            status=201,
        )
        assert again["would_fire_immediately"] == {
            "tickets": 0,
            "examined": IMMEDIATE_MAX_TIMERS,
            "capped": True,
        }
    finally:
        # Leave no recompute of these tickets for later tests' workers.
        strict.sql("DELETE FROM escalations WHERE account_id = %s", (account,))
        strict.sql("DELETE FROM escalation_timers WHERE account_id = %s", (account,))
        strict.sql("SELECT fold_ticket_count_changes(%s)", (BIG,))
        strict.sql("DELETE FROM sla_ticket_changes WHERE account_id = %s", (account,))
        strict.sql("DELETE FROM sla_dirty_tickets WHERE account_id = %s", (account,))
        strict.sql("DELETE FROM escalation_recomputes WHERE account_id = %s", (account,))
