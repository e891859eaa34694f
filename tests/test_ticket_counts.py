"""The per-queue counters stay equal to a real count under concurrent writers of every kind."""

from __future__ import annotations

import random
import threading

import psycopg

REAL_COUNTS = """
SELECT q.id AS queue_id, count(t.id) AS ticket_count,
       count(t.id) FILTER (WHERE t.status NOT IN ('solved', 'closed')) AS open_ticket_count
FROM queues q LEFT JOIN tickets t ON t.account_id = q.account_id AND t.queue_id = q.id
WHERE q.account_id = %s GROUP BY q.id
"""
STATUSES = ["new", "open", "pending", "on_hold", "solved", "closed"]


def listed_counts(tenant) -> dict[int, tuple[int, int]]:
    return {
        q["id"]: (q["ticket_count"], q["open_ticket_count"])
        for q in tenant.ok("queues", {})["queues"]
    }


def real_counts(factory, account_id: int) -> dict[int, tuple[int, int]]:
    return {
        r["queue_id"]: (r["ticket_count"], r["open_ticket_count"])
        for r in factory.sql(REAL_COUNTS, (account_id,))
    }


def test_counts_stay_exact_under_concurrent_writers(tenant, factory, database_url):
    queue_ids = [tenant.inbox_id] + [tenant.queue()["id"] for _ in range(3)]
    for q in queue_ids:
        tenant.tickets(q, 50, "open")
    account = tenant.account_id
    errors: list[BaseException] = []

    def sql_writer(seed: int):
        rng = random.Random(seed)
        try:
            with psycopg.connect(database_url, autocommit=True) as conn:
                for _ in range(60):
                    action = rng.choice(["insert", "status", "requeue", "delete", "multi"])
                    q = rng.choice(queue_ids)
                    if action == "insert":
                        conn.execute(
                            "INSERT INTO tickets (account_id, queue_id, status, priority, subject)"
                            " SELECT %s, %s, %s, 'low', 'x' FROM generate_series(1, %s)",
                            (account, q, rng.choice(STATUSES), rng.randint(1, 5)),
                        )
                    elif action == "status":
                        conn.execute(
                            "UPDATE tickets SET status = %s WHERE account_id = %s AND id IN"
                            " (SELECT id FROM tickets WHERE account_id = %s AND queue_id = %s"
                            "  ORDER BY random() LIMIT 5)",
                            (rng.choice(STATUSES), account, account, q),
                        )
                    elif action == "requeue":
                        conn.execute(
                            "UPDATE tickets SET queue_id = %s, status = %s WHERE account_id = %s"
                            " AND id IN (SELECT id FROM tickets WHERE account_id = %s"
                            " ORDER BY random() LIMIT 3)",
                            (q, rng.choice(STATUSES), account, account),
                        )
                    elif action == "delete":
                        conn.execute(
                            "DELETE FROM tickets WHERE account_id = %s AND id IN"
                            " (SELECT id FROM tickets WHERE account_id = %s AND queue_id = %s"
                            "  ORDER BY random() LIMIT 2)",
                            (account, account, q),
                        )
                    else:
                        with conn.transaction():
                            conn.execute(
                                "INSERT INTO tickets (account_id, queue_id, status, priority,"
                                " subject) VALUES (%s, %s, 'new', 'low', 'y')",
                                (account, q),
                            )
                            conn.execute(
                                "UPDATE tickets SET status = 'closed' WHERE account_id = %s"
                                " AND queue_id = %s AND status = 'new'",
                                (account, q),
                            )
        except psycopg.errors.DeadlockDetected:
            pass  # PostgreSQL rolled the loser back whole; the counts must still be exact
        except BaseException as exc:
            errors.append(exc)

    def api_mover(seed: int):
        rng = random.Random(seed)
        try:
            for _ in range(15):
                source, target = rng.sample(queue_ids, 2)
                response = tenant.post(
                    "queues/move", {"from_queue_id": source, "to_queue_id": target}
                )
                assert response.status_code in (200, 503), response.get_json()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=sql_writer, args=(i,)) for i in range(4)]
    threads += [threading.Thread(target=api_mover, args=(100 + i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert listed_counts(tenant) == real_counts(factory, account)


def test_counts_after_a_queue_is_deleted_with_reassignment(tenant, factory):
    doomed = tenant.queue()
    tenant.tickets(doomed["id"], 7, "solved")
    tenant.tickets(doomed["id"], 3, "open")
    tenant.ok("queues/delete", {"queue_id": doomed["id"], "reassign_to_queue_id": tenant.inbox_id})
    assert listed_counts(tenant) == {tenant.inbox_id: (10, 3)}
    assert listed_counts(tenant) == real_counts(factory, tenant.account_id)
