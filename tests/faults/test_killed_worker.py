"""A gunicorn worker SIGKILLed in the middle of a bulk move. The move is applied
wholly or not at all (with its history rows), and the service keeps answering: gunicorn's
master replaces the worker, and the other worker never stopped.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import threading
import time

import pytest

from .conftest import wait_until

pytestmark = pytest.mark.faults

TICKETS = 3000


def placement(fault_db, tenant, ids) -> tuple[set[int], set[int]]:
    """(queues the tickets are in, how many history rows each ticket has)."""
    rows = fault_db.sql(
        "SELECT t.queue_id, (SELECT count(*) FROM ticket_events e WHERE e.account_id ="
        " t.account_id AND e.ticket_id = t.id) AS events FROM tickets t"
        " WHERE t.account_id = %s AND t.id = ANY(%s)",
        (tenant.account_id, ids),
    )
    assert len(rows) == len(ids)
    return {r["queue_id"] for r in rows}, {r["events"] for r in rows}


def post_in_background(service, *args, **kwargs):
    result: dict = {}

    def run():
        try:
            result["response"] = service.post(*args, **kwargs)
        except OSError as exc:  # the worker died under the request: expected here
            result["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def keeps_answering(service, tenant, n: int = 20):
    responses = [service.post("queues", token=tenant.token, timeout=10) for _ in range(n)]
    assert [r.status for r in responses] == [200] * n, [r.body for r in responses]


def backend_gone(fault_db, pid: int) -> bool:
    return not fault_db.sql("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,))


class TestKilledWorker:
    def test_worker_killed_while_its_move_is_half_done(self, start_service, fault_db):
        """The move has updated part of the tickets and waits on a row lock when its worker is
        killed: none of it may stay."""
        service = start_service(
            fault_db.url, DATABASE_LOCK_TIMEOUT_MS=30000, DATABASE_STATEMENT_TIMEOUT_MS=30000
        )
        tenant = fault_db.tenant()
        source = service.post("queues/create", {"name": "From"}, token=tenant.token).body["queue"]
        target = service.post("queues/create", {"name": "To"}, token=tenant.token).body["queue"]
        ids = fault_db.tickets(tenant, source["id"], TICKETS)
        holder = fault_db.connect(autocommit=False)
        try:
            holder.execute(
                "SELECT 1 FROM tickets WHERE account_id = %s AND id = ANY(%s) FOR UPDATE",
                (tenant.account_id, ids[TICKETS // 2 :: 7]),
            )
            thread, result = post_in_background(
                service,
                "queues/move",
                {"from_queue_id": source["id"], "to_queue_id": target["id"], "ticket_ids": ids},
                token=tenant.token,
                timeout=60,
            )
            blocked = wait_until(
                lambda: fault_db.sql(
                    "SELECT pid, application_name FROM pg_stat_activity WHERE"
                    " wait_event_type = 'Lock' AND application_name LIKE 'tickiti-workflow/%%'"
                ),
                10,
                what="the move to block on the locked tickets",
            )[0]
            worker = int(blocked["application_name"].split("/")[1])
            assert worker in service.workers()
            os.kill(worker, signal.SIGKILL)
            thread.join(30)
            assert "error" in result or result["response"].status >= 500
        finally:
            holder.rollback()
            holder.close()
        wait_until(lambda: backend_gone(fault_db, blocked["pid"]), 15, what="the backend to end")

        assert placement(fault_db, tenant, ids) == ({source["id"]}, {0})  # not applied at all
        keeps_answering(service, tenant)
        wait_until(lambda: len(service.workers()) == 2, 15, what="gunicorn to replace the worker")
        assert worker not in service.workers()
        # The tickets are untouched, so the same move now simply works.
        moved = service.post(
            "queues/move",
            {"from_queue_id": source["id"], "to_queue_id": target["id"], "ticket_ids": ids},
            token=tenant.token,
        )
        assert moved.status == 200 and moved.body["moved"] == TICKETS, moved.body
        assert placement(fault_db, tenant, ids) == ({target["id"]}, {1})

    def test_worker_killed_at_random_moments_of_moves(self, start_service, fault_db):
        """Kill the only worker at a random moment of a whole-queue move, a few times: each move
        is all or nothing, the history matches, and the service comes back each time."""
        service = start_service(fault_db.url, WEB_CONCURRENCY=1)
        tenant = fault_db.tenant()
        a = service.post("queues/create", {"name": "A"}, token=tenant.token).body["queue"]["id"]
        b = service.post("queues/create", {"name": "B"}, token=tenant.token).body["queue"]["id"]
        ids = fault_db.tickets(tenant, a, TICKETS)
        rng = random.Random(7)
        here, there = a, b
        for _ in range(4):
            (worker,) = wait_until(service.workers, 15, what="a worker")
            keeps_answering(service, tenant, 3)
            thread, result = post_in_background(
                service,
                "queues/move",
                {"from_queue_id": here, "to_queue_id": there},
                token=tenant.token,
                timeout=60,
            )
            time.sleep(rng.uniform(0.0, 0.15))
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker, signal.SIGKILL)
            thread.join(60)
            # Wait for the killed worker's backend to finish (commit or roll back).
            wait_until(
                lambda w=worker: (
                    not fault_db.sql(
                        "SELECT 1 FROM pg_stat_activity WHERE application_name = %s",
                        (f"tickiti-workflow/{w}",),
                    )
                ),
                15,
                what="the killed worker's connections to end",
            )
            queues, events = placement(fault_db, tenant, ids)
            assert len(queues) == 1 and len(events) == 1, (queues, events)  # all or nothing
            if queues == {there}:
                here, there = there, here
            response = result.get("response")
            if response is not None and response.status == 200:
                assert queues == {here}  # answered success → applied (already swapped)
        keeps_answering(service, tenant)
