"""Races over the same tickets and queues lose no ticket and leave history consistent."""

from __future__ import annotations

from tests.factories import assert_error, race


def assert_consistent(factory, account_id: int, ticket_count: int):
    """Every ticket still exists, and its last history row names the queue it is in."""
    rows = factory.sql(
        """
        SELECT t.id, t.queue_id, last.to_queue_id
        FROM tickets t
        LEFT JOIN LATERAL (
            SELECT to_queue_id FROM ticket_events e
            WHERE e.account_id = t.account_id AND e.ticket_id = t.id
            ORDER BY e.id DESC LIMIT 1
        ) last ON true
        WHERE t.account_id = %s
        """,
        (account_id,),
    )
    assert len(rows) == ticket_count
    for row in rows:
        assert row["to_queue_id"] in (None, row["queue_id"]), row


class TestRaces:
    def test_two_moves_of_the_same_listed_tickets(self, tenant, factory):
        for _ in range(5):
            a, b = tenant.queue(), tenant.queue()
            ids = tenant.tickets(tenant.inbox_id, 200)
            first, second = race(
                lambda a=a, ids=ids: tenant.post(
                    "queues/move",
                    {"from_queue_id": tenant.inbox_id, "to_queue_id": a["id"], "ticket_ids": ids},
                ),
                lambda b=b, ids=ids: tenant.post(
                    "queues/move",
                    {"from_queue_id": tenant.inbox_id, "to_queue_id": b["id"], "ticket_ids": ids},
                ),
            )
            assert sorted([first.status_code, second.status_code]) == [200, 422]
            winner = a if first.status_code == 200 else b
            placed = factory.sql("SELECT DISTINCT queue_id FROM tickets WHERE id = ANY(%s)", (ids,))
            assert placed == [{"queue_id": winner["id"]}]
            events = factory.sql(
                "SELECT count(*) AS n FROM ticket_events WHERE ticket_id = ANY(%s)", (ids,)
            )
            assert events == [{"n": 200}]
        assert_consistent(factory, tenant.account_id, 1000)

    def test_two_moves_of_whole_queues_in_opposite_directions(self, tenant, factory):
        other = tenant.queue()
        tenant.tickets(tenant.inbox_id, 300)
        tenant.tickets(other["id"], 300)
        for _ in range(5):
            responses = race(
                lambda: tenant.post(
                    "queues/move", {"from_queue_id": tenant.inbox_id, "to_queue_id": other["id"]}
                ),
                lambda: tenant.post(
                    "queues/move", {"from_queue_id": other["id"], "to_queue_id": tenant.inbox_id}
                ),
            )
            assert all(r.status_code == 200 for r in responses), [r.get_json() for r in responses]
        assert_consistent(factory, tenant.account_id, 600)

    def test_delete_with_reassignment_racing_a_move(self, tenant, factory):
        for _ in range(5):
            doomed, target, elsewhere = tenant.queue(), tenant.queue(), tenant.queue()
            tenant.tickets(doomed["id"], 100)
            delete, move = race(
                lambda d=doomed, t=target: tenant.post(
                    "queues/delete", {"queue_id": d["id"], "reassign_to_queue_id": t["id"]}
                ),
                lambda d=doomed, e=elsewhere: tenant.post(
                    "queues/move", {"from_queue_id": d["id"], "to_queue_id": e["id"]}
                ),
            )
            assert delete.status_code == 200, delete.get_json()
            assert move.status_code in (200, 404), move.get_json()
            assert delete.get_json()["moved"] + (move.get_json().get("moved") or 0) == 100
        assert_consistent(factory, tenant.account_id, 500)

    def test_delete_without_reassignment_racing_a_move_into_the_queue(self, tenant, factory):
        for _ in range(5):
            doomed = tenant.queue()
            tenant.tickets(tenant.inbox_id, 20)
            delete, move = race(
                lambda d=doomed: tenant.post("queues/delete", {"queue_id": d["id"]}),
                lambda d=doomed: tenant.post(
                    "queues/move", {"from_queue_id": tenant.inbox_id, "to_queue_id": d["id"]}
                ),
            )
            if delete.status_code == 200:
                assert move.status_code == 422  # the target vanished before the move
            else:
                assert_error(delete, 409, "queue_in_use")
                assert move.status_code == 200
                # Put the tickets back so the next round starts from the same state.
                tenant.ok(
                    "queues/move", {"from_queue_id": doomed["id"], "to_queue_id": tenant.inbox_id}
                )
        assert_consistent(factory, tenant.account_id, 100)

    def test_concurrent_creates_respect_the_limit(self, tenant, factory):
        factory.sql(
            "INSERT INTO queues (account_id, name)"
            " SELECT %s, 'Q' || n FROM generate_series(1, 495) n",
            (tenant.account_id,),
        )
        responses = race(
            *[lambda i=i: tenant.post("queues/create", {"name": f"Racer {i}"}) for i in range(10)]
        )
        assert sorted(r.status_code for r in responses) == [201] * 4 + [409] * 6
        count = factory.one(
            "SELECT count(*) AS n FROM queues WHERE account_id = %s", (tenant.account_id,)
        )
        assert count["n"] == 500

    def test_concurrent_renames_to_one_name(self, tenant):
        queues = [tenant.queue() for _ in range(6)]
        responses = race(
            *[
                lambda q=q: tenant.post("queues/update", {"queue_id": q["id"], "name": "Winner"})
                for q in queues
            ]
        )
        assert sorted(r.status_code for r in responses) == [200] + [409] * 5
        names = [q["name"] for q in tenant.ok("queues", {})["queues"]]
        assert names.count("Winner") == 1
