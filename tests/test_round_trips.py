"""Round-trip budgets: the gates cost one SQL round trip; every endpoint of every resource costs
a fixed number, the same for a small account as for a large one (many objects, many tickets,
long audit history); reads cost the authentication statement plus one query (a list repeated
while nothing it shows changed costs the authentication statement alone:
tests/test_list_cache.py)."""

from __future__ import annotations

FIELDS = [
    {"key": "order_id", "label": "Order", "type": "text", "required": True},
    {
        "key": "reason",
        "label": "Reason",
        "type": "select",
        "options": [{"value": "late", "label": "Late"}, {"value": "lost", "label": "Lost"}],
    },
]
URL = "https://actions.example.com/hook"


def _escalation(tenant, name, queue_id):
    body = {
        "name": name,
        "conditions": {"queue_ids": [queue_id], "priorities": ["high"]},
        "target": {"metric": "first_response", "minutes": 60},
        "actions": [{"type": "move_to_queue", "queue_id": queue_id}],
    }
    return tenant.ok("escalations/create", body, status=201)["escalation"]["id"]


def fill(tenant, factory, objects: int, tickets: int) -> None:
    """``objects`` of each kind, ``tickets`` tickets per category (and as many uncategorised);
    at least one, so moving an escalation to position 1 is a real move in every account."""
    queue = tenant.queue()["id"]
    for i in range(objects):
        category = tenant.category(f"Filler {i}")["id"]
        factory.sql(
            "INSERT INTO tickets (account_id, queue_id, resolution_category_id, status, subject)"
            " SELECT %s, %s, c, 'solved', 'x' FROM generate_series(1, %s),"
            " (VALUES (%s::bigint), (NULL::bigint)) v (c)",
            (tenant.account_id, queue, tickets, category),
        )
        tenant.intervention(f"Filler {i}", remote_url=URL, fields=FIELDS)
        _escalation(tenant, f"Filler {i}", queue)


def costs(tenant, factory, objects: int, tickets: int, measure) -> dict[str, int]:
    fill(tenant, factory, objects, tickets)
    queue = tenant.queue()["id"]
    a, b = tenant.category("A")["id"], tenant.category("B")["id"]
    factory.tickets(tenant.account_id, queue, 3)
    factory.sql(
        "UPDATE tickets SET resolution_category_id = %s WHERE account_id = %s AND queue_id = %s",
        (a, tenant.account_id, queue),
    )
    order = [c["id"] for c in tenant.ok("resolution-categories")["resolution_categories"]]
    intervention = tenant.intervention("Refund", remote_url=URL, fields=FIELDS)["id"]
    escalation = _escalation(tenant, "Late", queue)

    def post(path, body=None):
        return lambda: tenant.post(path, body if body is not None else {})

    preview = {"start": "2026-03-02T10:00:00Z", "minutes": 600}
    return {
        "categories.list": measure(post("resolution-categories")),
        "categories.reorder": measure(post("resolution-categories/reorder", {"ids": order[::-1]})),
        "categories.create": measure(post("resolution-categories/create", {"name": "C"})),
        "categories.update": measure(post("resolution-categories/update", {"id": a, "name": "A2"})),
        "categories.delete": measure(
            post("resolution-categories/delete", {"id": a, "replace_with_id": b})
        ),
        "interventions.list": measure(post("interventions")),
        "interventions.create": measure(
            post("interventions/create", {"name": "New", "remote_url": URL, "fields": FIELDS})
        ),
        "interventions.update": measure(
            post("interventions/update", {"intervention_id": intervention, "name": "Refund 2"})
        ),
        "interventions.generate_token": measure(
            post("interventions/generate-token", {"intervention_id": intervention})
        ),
        "interventions.delete": measure(
            post("interventions/delete", {"intervention_id": intervention})
        ),
        "escalations.list": measure(post("escalations")),
        "escalations.update": measure(post("escalations/update", {"id": escalation, "name": "L"})),
        "escalations.move": measure(post("escalations/update", {"id": escalation, "position": 1})),
        "escalations.delete": measure(post("escalations/delete", {"id": escalation})),
        "escalations.create": measure(
            lambda: tenant.post(
                "escalations/create",
                {
                    "name": "Again",
                    "target": {"metric": "resolution", "minutes": 30},
                    "actions": [{"type": "set_priority", "priority": "urgent"}],
                },
            )
        ),
        "business_hours.update": measure(
            post("business-hours/update", {"timezone": "Europe/Berlin"})
        ),
        "business_hours.preview": measure(post("business-hours/preview", preview)),
        "escalation_settings.get": measure(post("escalation-settings")),
        "escalation_settings.update": measure(
            post("escalation-settings/update", {"pause_statuses": ["on_hold"]})
        ),
        "audit.list": measure(post("audit-events")),
        "audit.list_filtered": measure(
            post("audit-events", {"object_type": "resolution_category", "limit": 10})
        ),
    }


def test_every_endpoint_costs_the_same_for_small_and_large_accounts(factory, round_trips):
    small = costs(factory.tenant(), factory, objects=1, tickets=1, measure=round_trips)
    large = costs(factory.tenant(), factory, objects=40, tickets=200, measure=round_trips)
    assert small == large


def test_reads_cost_authentication_plus_one_statement(tenant, round_trips):
    for path, body in (
        ("queues", {}),
        ("resolution-categories", {}),
        ("interventions", {}),
        ("escalations", {}),
        ("audit-events", {}),
        ("escalation-settings", {}),
        ("business-hours/preview", {"start": "2026-03-02T10:00:00Z", "minutes": 60}),
    ):
        assert round_trips(lambda p=path, b=body: tenant.post(p, b)) == 2, path


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
