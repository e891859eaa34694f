"""Escalations under faults: a worker SIGKILLed mid-batch, a database restart while timers are
due, two workers on 20,000 due timers, replies committed 1 ms before the due instant, and
workers whose only route to the database is PgBouncer in transaction pooling mode.

Every escalation here moves the ticket to another queue: ticket_events has no unique key, so
one history row per ticket proves the actions ran exactly once (the firing row's UNIQUE key
alone would hide a second run of the actions)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from .conftest import wait_until, with_database
from .test_worker import start_worker  # noqa: F401 (fixture)

pytestmark = pytest.mark.faults

MANY = 20_000


def escalated_tickets(fault_db, count: int, age: str = "2 minutes") -> tuple:
    """A tenant with a 1-minute first-response escalation moving tickets to a queue, and
    ``count`` tickets created ``age`` ago."""
    tenant = fault_db.tenant()
    target = fault_db.sql(
        "INSERT INTO queues (account_id, name) VALUES (%s, %s) RETURNING id",
        (tenant.account_id, f"Escalated {time.monotonic_ns()}"),
    )[0]["id"]
    fault_db.sql(
        "INSERT INTO escalations (account_id, name, position, target_metric, target_minutes,"
        " actions) VALUES (%s, 'Late', 1, 'first_response', 1, %s::jsonb)",
        (
            tenant.account_id,
            f'[{{"type": "move_to_queue", "queue_id": {target}}},'
            f' {{"type": "notify_users", "user_ids": [{tenant.user_id}]}}]',
        ),
    )
    ids = [
        r["id"]
        for r in fault_db.sql(
            "INSERT INTO tickets (account_id, queue_id, status, created_at)"
            " SELECT %s, %s, 'open', now() - %s::interval FROM generate_series(1, %s)"
            " RETURNING id",
            (tenant.account_id, tenant.inbox_id, age, count),
        )
    ]
    return tenant, target, ids


def fired(fault_db, tenant) -> int:
    return fault_db.sql(
        "SELECT count(*) AS n FROM escalation_firings WHERE account_id = %s", (tenant.account_id,)
    )[0]["n"]


def assert_fired_exactly_once(fault_db, tenant, target: int, ids: list[int]) -> None:
    rows = fault_db.sql(
        "SELECT t.queue_id, (SELECT count(*) FROM ticket_events e WHERE e.account_id ="
        " t.account_id AND e.ticket_id = t.id) AS events, (SELECT count(*) FROM"
        " escalation_firings f WHERE f.account_id = t.account_id AND f.ticket_id = t.id) AS firings"
        " FROM tickets t WHERE t.account_id = %s AND t.id = ANY(%s)",
        (tenant.account_id, ids),
    )
    assert len(rows) == len(ids)
    assert {(r["queue_id"], r["events"], r["firings"]) for r in rows} == {(target, 1, 1)}
    outbox = fault_db.sql(
        "SELECT count(*) AS n FROM notification_outbox WHERE account_id = %s",
        (tenant.account_id,),
    )[0]["n"]
    assert outbox == len(ids)


def wait_all_fired(fault_db, tenant, count: int, workers, timeout: float = 240) -> None:
    def done():
        for worker in workers:
            if worker.process.poll() is not None:
                raise AssertionError("a worker exited:\n" + worker.log())
        return fired(fault_db, tenant) >= count

    wait_until(done, timeout, interval=0.2, what=f"{count} firings")


class TestEscalationFaults:
    def test_sigkill_mid_batch_loses_and_repeats_nothing(self, fault_db, start_worker):  # noqa: F811
        tenant, target, ids = escalated_tickets(fault_db, MANY)
        first = start_worker(fault_db.url)
        wait_until(lambda: fired(fault_db, tenant) >= 1_000, 120, what="the first firings")
        first.process.kill()
        first.process.wait(10)
        assert fired(fault_db, tenant) < MANY
        second = start_worker(fault_db.url)
        wait_all_fired(fault_db, tenant, MANY, [second])
        assert_fired_exactly_once(fault_db, tenant, target, ids)

    def test_database_restart_while_timers_are_due(self, fault_db, pg_server, start_worker):  # noqa: F811
        tenant, target, ids = escalated_tickets(fault_db, 2_000, age="55 seconds")
        worker = start_worker(fault_db.url)
        wait_until(
            lambda: (
                fault_db.sql(
                    "SELECT count(*) AS n FROM escalation_timers WHERE account_id = %s",
                    (tenant.account_id,),
                )[0]["n"]
                == len(ids)
            ),
            60,
            what="the timers to be armed",
        )
        pg_server.stop("fast")
        time.sleep(6)  # every timer falls due while the database is down
        pg_server.start()
        wait_all_fired(fault_db, tenant, len(ids), [worker])
        assert_fired_exactly_once(fault_db, tenant, target, ids)

    def test_two_workers_on_20000_due_timers(self, fault_db, start_worker):  # noqa: F811
        tenant, target, ids = escalated_tickets(fault_db, MANY)
        workers = [start_worker(fault_db.url) for _ in range(2)]
        wait_all_fired(fault_db, tenant, MANY, workers)
        time.sleep(1)
        assert_fired_exactly_once(fault_db, tenant, target, ids)

    def test_a_reply_committed_just_before_the_due_instant_never_fires(
        self,
        fault_db,
        start_worker,  # noqa: F811
    ):
        rounds = 30
        tenant, _, _ = escalated_tickets(fault_db, 0)
        start_worker(fault_db.url, WORKER_POLL_MS=10)
        base = fault_db.sql("SELECT now() AS now")[0]["now"] + timedelta(seconds=3)
        dues = [base + timedelta(milliseconds=300 * i) for i in range(rounds)]
        ids = [
            fault_db.sql(
                "INSERT INTO tickets (account_id, queue_id, status, created_at)"
                " VALUES (%s, %s, 'open', %s) RETURNING id",
                (tenant.account_id, tenant.inbox_id, due - timedelta(minutes=1)),
            )[0]["id"]
            for due in dues
        ]
        committed: dict[int, bool] = {}

        def reply(ticket_id: int, due, lead: float) -> None:
            with fault_db.connect(autocommit=True) as conn:
                time.sleep(max(0.0, due.timestamp() - lead - time.time()))
                conn.execute(
                    "INSERT INTO ticket_activities (account_id, ticket_id, kind)"
                    " VALUES (%s, %s, 'agent_reply')",
                    (tenant.account_id, ticket_id),
                )
                committed[ticket_id] = time.time() < due.timestamp()

        # Aimed from 1 ms to 30 ms before the due instant: on a busy machine an INSERT's round
        # trip takes a few ms, and only replies that had committed before it count.
        threads = [
            threading.Thread(target=reply, args=(ticket_id, due, 0.001 * (i + 1)))
            for i, (ticket_id, due) in enumerate(zip(ids, dues, strict=True))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        time.sleep(2)
        early = [t for t, before in committed.items() if before]
        assert early, "no reply committed before its due instant; the machine is too slow"
        firings = fault_db.sql(
            "SELECT ticket_id FROM escalation_firings"
            " WHERE account_id = %s AND ticket_id = ANY(%s)",
            (tenant.account_id, early),
        )
        assert firings == []

    def test_behind_pgbouncer_without_a_direct_connection(
        self,
        fault_db,
        pgbouncer,
        start_worker,  # noqa: F811
    ):
        """Transaction pooling hands each transaction to any server connection: nothing may
        rely on session state (advisory locks, LISTEN, prepared statements, SET). Two workers
        given only PgBouncer's address arm timers, fire the overdue ones and the ones falling
        due a few seconds later, each exactly once."""
        url = with_database(pgbouncer.url, fault_db.name) + "?pgbouncer=true"
        overdue, overdue_target, overdue_ids = escalated_tickets(fault_db, 4_000)
        soon, soon_target, soon_ids = escalated_tickets(fault_db, 2_000, age="50 seconds")
        workers = [start_worker(url) for _ in range(2)]
        wait_all_fired(fault_db, overdue, len(overdue_ids), workers)
        wait_all_fired(fault_db, soon, len(soon_ids), workers)
        time.sleep(1)
        assert_fired_exactly_once(fault_db, overdue, overdue_target, overdue_ids)
        assert_fired_exactly_once(fault_db, soon, soon_target, soon_ids)
        for worker in workers:
            assert worker.process.poll() is None, worker.log()
            assert "Traceback" not in worker.log()
