"""Per-category ticket counters (migration 0008) stay equal to a real count under concurrent
writers of every kind: direct SQL inserts, re-categorisations (to and from NULL), deletes,
multi-statement transactions, and API deletes that re-categorise tickets."""

from __future__ import annotations

import random
import threading

import psycopg

REAL_COUNTS = """
SELECT rc.id, count(t.id) AS ticket_count
FROM resolution_categories rc
LEFT JOIN tickets t ON t.account_id = rc.account_id AND t.resolution_category_id = rc.id
WHERE rc.account_id = %s GROUP BY rc.id
"""


def listed_counts(tenant) -> dict[int, int]:
    listed = tenant.ok("resolution-categories", {})["resolution_categories"]
    return {c["id"]: c["ticket_count"] for c in listed}


def real_counts(factory, account_id: int) -> dict[int, int]:
    return {r["id"]: r["ticket_count"] for r in factory.sql(REAL_COUNTS, (account_id,))}


def categorise(factory, account_id: int, queue_id: int, category_id: int | None, n: int):
    factory.sql(
        "INSERT INTO tickets (account_id, queue_id, resolution_category_id, status, subject)"
        " SELECT %s, %s, %s, 'solved', 'x' FROM generate_series(1, %s)",
        (account_id, queue_id, category_id, n),
    )


class TestCounters:
    def test_counts_stay_exact_under_concurrent_writers(self, tenant, factory, database_url):
        account, inbox = tenant.account_id, tenant.inbox_id
        kept = [tenant.category(f"Kept {i}")["id"] for i in range(3)]
        doomed = [tenant.category(f"Doomed {i}")["id"] for i in range(4)]
        for c in kept + doomed:
            categorise(factory, account, inbox, c, 20)
        categorise(factory, account, inbox, None, 20)
        choices = [*kept, None]
        errors: list[BaseException] = []

        def sql_writer(seed: int):
            rng = random.Random(seed)
            try:
                with psycopg.connect(database_url, autocommit=True) as conn:
                    for _ in range(60):
                        action = rng.choice(["insert", "recategorise", "delete", "multi"])
                        c = rng.choice(choices)
                        if action == "insert":
                            conn.execute(
                                "INSERT INTO tickets (account_id, queue_id,"
                                " resolution_category_id, status, subject)"
                                " SELECT %s, %s, %s, 'solved', 'x' FROM generate_series(1, %s)",
                                (account, inbox, c, rng.randint(1, 5)),
                            )
                        elif action == "recategorise":
                            conn.execute(
                                "UPDATE tickets SET resolution_category_id = %s"
                                " WHERE account_id = %s AND id IN (SELECT id FROM tickets"
                                " WHERE account_id = %s AND (resolution_category_id IS NULL"
                                " OR resolution_category_id = ANY(%s)) ORDER BY random() LIMIT 4)",
                                (c, account, account, kept),
                            )
                        elif action == "delete":
                            conn.execute(
                                "DELETE FROM tickets WHERE account_id = %s AND id IN"
                                " (SELECT id FROM tickets WHERE account_id = %s"
                                " AND resolution_category_id IS NOT DISTINCT FROM %s"
                                " ORDER BY random() LIMIT 2)",
                                (account, account, c),
                            )
                        else:
                            with conn.transaction():
                                conn.execute(
                                    "INSERT INTO tickets (account_id, queue_id,"
                                    " resolution_category_id, status, subject)"
                                    " VALUES (%s, %s, %s, 'open', 'y')",
                                    (account, inbox, c),
                                )
                                conn.execute(
                                    "UPDATE tickets SET resolution_category_id = NULL"
                                    " WHERE account_id = %s AND resolution_category_id = %s"
                                    " AND status = 'open'",
                                    (account, kept[0]),
                                )
            except psycopg.errors.DeadlockDetected:
                pass  # PostgreSQL rolled the loser back whole; the counts must still be exact
            except BaseException as exc:
                errors.append(exc)

        survivors = list(kept)

        def api_deleter():
            try:
                for i, c in enumerate(doomed):
                    body = {"id": c, "replace_with_id": kept[i % len(kept)]}
                    response = tenant.post("resolution-categories/delete", body)
                    assert response.status_code in (200, 503), response.get_json()
                    if response.status_code == 503:  # a deadlock or lock timeout rolled it back
                        survivors.append(c)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=sql_writer, args=(i,)) for i in range(4)]
        threads.append(threading.Thread(target=api_deleter))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert listed_counts(tenant) == real_counts(factory, account)
        assert set(listed_counts(tenant)) == set(survivors)


class TestSingleWrites:
    def test_uncategorised_tickets_are_not_counted(self, tenant, factory):
        c = tenant.category("Fixed")["id"]
        categorise(factory, tenant.account_id, tenant.inbox_id, None, 5)
        categorise(factory, tenant.account_id, tenant.inbox_id, c, 2)
        assert listed_counts(tenant) == {c: 2}

    def test_recategorise_to_and_from_null(self, tenant, factory):
        a, b = tenant.category("A")["id"], tenant.category("B")["id"]
        categorise(factory, tenant.account_id, tenant.inbox_id, a, 4)
        factory.sql(
            "UPDATE tickets SET resolution_category_id = NULL WHERE account_id = %s"
            " AND id IN (SELECT id FROM tickets WHERE account_id = %s LIMIT 1)",
            (tenant.account_id, tenant.account_id),
        )
        factory.sql(
            "UPDATE tickets SET resolution_category_id = %s WHERE account_id = %s"
            " AND resolution_category_id = %s",
            (b, tenant.account_id, a),
        )
        assert listed_counts(tenant) == {a: 0, b: 3}
        assert listed_counts(tenant) == real_counts(factory, tenant.account_id)

    def test_delete_with_replacement_moves_the_count(self, tenant, factory):
        a, b = tenant.category("A")["id"], tenant.category("B")["id"]
        categorise(factory, tenant.account_id, tenant.inbox_id, a, 3)
        categorise(factory, tenant.account_id, tenant.inbox_id, b, 1)
        done = tenant.ok("resolution-categories/delete", {"id": a, "replace_with_id": b})
        assert done["recategorised"] == 3
        assert listed_counts(tenant) == {b: 4}
        assert (
            factory.sql(
                "SELECT 1 FROM resolution_category_ticket_counts WHERE account_id = %s"
                " AND category_id = %s",
                (tenant.account_id, a),
            )
            == []
        )

    def test_queue_moves_leave_category_counts_alone(self, tenant, factory):
        a = tenant.category("A")["id"]
        other = tenant.queue()["id"]
        categorise(factory, tenant.account_id, tenant.inbox_id, a, 6)
        tenant.ok("queues/move", {"from_queue_id": tenant.inbox_id, "to_queue_id": other})
        assert listed_counts(tenant) == {a: 6}

    def test_get_and_list_agree(self, tenant, factory):
        a = tenant.category("A")["id"]
        categorise(factory, tenant.account_id, tenant.inbox_id, a, 2)
        updated = tenant.ok("resolution-categories/update", {"id": a, "name": "A2"})
        assert updated["resolution_category"]["ticket_count"] == 2
