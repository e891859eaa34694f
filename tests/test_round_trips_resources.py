"""Every endpoint of every resource costs a fixed number of SQL round trips, the same for a
small account as for a large one (many objects, many tickets, long audit history); reads cost
the authentication statement plus one query (a list repeated while nothing it shows changed
costs the authentication statement alone: tests/test_list_cache.py)."""

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


def _category(tenant, name):
    return tenant.ok("resolution-categories/create", {"name": name}, status=201)[
        "resolution_category"
    ]["id"]


def _intervention(tenant, name):
    body = {"name": name, "remote_url": URL, "fields": FIELDS}
    return tenant.ok("interventions/create", body, status=201)["intervention"]["id"]


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
        category = _category(tenant, f"Filler {i}")
        factory.sql(
            "INSERT INTO tickets (account_id, queue_id, resolution_category_id, status, subject)"
            " SELECT %s, %s, c, 'solved', 'x' FROM generate_series(1, %s),"
            " (VALUES (%s::bigint), (NULL::bigint)) v (c)",
            (tenant.account_id, queue, tickets, category),
        )
        _intervention(tenant, f"Filler {i}")
        _escalation(tenant, f"Filler {i}", queue)


def costs(tenant, factory, objects: int, tickets: int, measure) -> dict[str, int]:
    fill(tenant, factory, objects, tickets)
    queue = tenant.queue()["id"]
    a, b = _category(tenant, "A"), _category(tenant, "B")
    factory.tickets(tenant.account_id, queue, 3)
    factory.sql(
        "UPDATE tickets SET resolution_category_id = %s WHERE account_id = %s AND queue_id = %s",
        (a, tenant.account_id, queue),
    )
    order = [c["id"] for c in tenant.ok("resolution-categories")["resolution_categories"]]
    intervention = _intervention(tenant, "Refund")
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
