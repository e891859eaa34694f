"""The audit-events endpoint: newest first, cursor pages, filters, tenancy and its gates."""

from __future__ import annotations

import pytest

from tests.factories import assert_error


def events(tenant, **query) -> list[dict]:
    return tenant.ok("audit-events", query)["audit_events"]


class TestListAuditEvents:
    def test_newest_first_with_cursor_pagination(self, tenant):
        made = [tenant.queue(f"Q{i}") for i in range(5)]
        page = tenant.ok("audit-events", {"limit": 2})
        assert [e["after"]["name"] for e in page["audit_events"]] == ["Q4", "Q3"]
        seen = list(page["audit_events"])
        while page["next_cursor"]:
            page = tenant.ok("audit-events", {"limit": 2, "cursor": page["next_cursor"]})
            seen += page["audit_events"]
        assert [e["object_id"] for e in seen] == [q["id"] for q in reversed(made)]

    def test_filters(self, tenant, factory):
        first, second = tenant.queue("A"), tenant.queue("B")
        tenant.ok("queues/update", {"queue_id": first["id"], "name": "A2"})
        about_first = events(tenant, object_type="queue", object_id=first["id"])
        assert [e["action"] for e in about_first] == ["queue.update", "queue.create"]
        assert events(tenant, object_type="escalation") == []
        factory.sql(
            "UPDATE audit_events SET occurred_at = '2020-01-01T00:00:00Z'"
            " WHERE account_id = %s AND object_id = %s",
            (tenant.account_id, second["id"]),
        )
        old = events(tenant, until="2021-01-01T00:00:00Z")
        assert [e["object_id"] for e in old] == [second["id"]]
        recent = events(tenant, since="2021-01-01T00:00:00+02:00")
        assert {e["object_id"] for e in recent} == {first["id"]}

    def test_other_accounts_events_are_invisible(self, tenant, other_tenant):
        other_tenant.queue("Theirs")
        assert events(tenant) == []
        assert len(events(other_tenant)) == 1

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ({"limit": 0}, "limit"),
            ({"limit": 201}, "limit"),
            ({"cursor": "garbage!"}, "cursor"),
            ({"cursor": "YWU6eA"}, "cursor"),  # "ae:x"
            ({"object_type": "ticket"}, "object_type"),
            ({"since": "2026-01-01T00:00:00"}, "since"),  # no offset
            ({"since": "yesterday"}, "since"),
            ({"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "until"),
            ({"object_id": -1}, "object_id"),
        ],
    )
    def test_invalid_queries(self, tenant, query, field):
        response = tenant.post("audit-events", query)
        assert_error(response, 422, "validation_failed", field)

    def test_agents_may_not_read_it(self, factory):
        agent = factory.tenant(role="agent")
        assert_error(agent.post("audit-events", {}), 403, "admin_required")


class TestCategoryAndInterventionEvents:
    def test_filter_by_object_type_and_id(self, tenant):
        made = tenant.category("Fixed")
        tenant.intervention("Refund")
        tenant.ok("resolution-categories/update", {"id": made["id"], "name": "Done"})
        page = tenant.ok(
            "audit-events", {"object_type": "resolution_category", "object_id": made["id"]}
        )
        assert [e["action"] for e in page["audit_events"]] == [
            "resolution_category.update",
            "resolution_category.create",
        ]
        page = tenant.ok("audit-events", {"object_type": "intervention"})
        assert [e["action"] for e in page["audit_events"]] == ["intervention.create"]
