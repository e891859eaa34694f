"""Gates cost one SQL round trip; each handler a fixed number, whatever the data size."""

from __future__ import annotations


def test_gates_cost_exactly_one_round_trip(tenant, factory, round_trips):
    def refused(call) -> int:
        return round_trips(call, refused=True)

    read_only = tenant.token_for(abilities=("workflow:read",))
    assert refused(lambda: tenant.post("queues/create", {"name": "x"}, token=read_only)) == 1
    agent = factory.tenant(role="agent")
    assert refused(lambda: agent.post("queues", {})) == 1
    starter = factory.tenant(plan="starter")
    assert refused(lambda: starter.post("escalations", {})) == 1
    assert refused(lambda: tenant.post("queues", {}, token="tkt_" + "n" * 43)) == 1
    assert refused(lambda: tenant.post("queues", {}, token="tkt_nope")) == 0  # malformed
    assert refused(lambda: tenant.post("queues", {"bad": 1})) == 1


def test_queue_endpoints_cost_the_same_for_small_and_large_accounts(factory, round_trips):
    def costs(tenant, tickets_per_queue: int, queues: int) -> dict[str, int]:
        made = [tenant.queue() for _ in range(queues)]
        for queue in made:
            tenant.tickets(queue["id"], tickets_per_queue)
        first, second = made[0]["id"], made[1]["id"]
        some = tenant.tickets(first, 3)
        return {
            "list": round_trips(lambda: tenant.post("queues", {})),
            "create": round_trips(lambda: tenant.post("queues/create", {"name": "New"})),
            "update": round_trips(
                lambda: tenant.post("queues/update", {"queue_id": first, "name": "Renamed"})
            ),
            "move_listed": round_trips(
                lambda: tenant.post(
                    "queues/move",
                    {"from_queue_id": first, "to_queue_id": second, "ticket_ids": some},
                )
            ),
            "move_all": round_trips(
                lambda: tenant.post("queues/move", {"from_queue_id": second, "to_queue_id": first})
            ),
            "delete_reassign": round_trips(
                lambda: tenant.post(
                    "queues/delete", {"queue_id": first, "reassign_to_queue_id": tenant.inbox_id}
                )
            ),
        }

    small = costs(factory.tenant(), tickets_per_queue=1, queues=2)
    large = costs(factory.tenant(), tickets_per_queue=500, queues=30)
    assert small == large
    assert small["list"] == 2  # auth, the list query (autocommit: db.read_cursor)
