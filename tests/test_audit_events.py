"""The audit trail: every successful write is recorded with who, what, when, before and after."""

from __future__ import annotations

import pytest

from tests.factories import assert_error


def events(tenant, **query) -> list[dict]:
    return tenant.ok("audit-events", query)["audit_events"]


class TestQueueWritesAreRecorded:
    def test_create_update_move_delete(self, tenant):
        queue = tenant.queue("Audited")
        tenant.tickets(tenant.inbox_id, 2)
        updated = tenant.ok("queues/update", {"queue_id": queue["id"], "name": "Renamed"})["queue"]
        tenant.ok("queues/move", {"from_queue_id": tenant.inbox_id, "to_queue_id": queue["id"]})
        tenant.ok(
            "queues/delete", {"queue_id": queue["id"], "reassign_to_queue_id": tenant.inbox_id}
        )
        recorded = events(tenant)
        assert [e["action"] for e in recorded] == [
            "queue.delete", "queue.move_tickets", "queue.update", "queue.create",
        ]  # fmt: skip
        delete, move, update, create = recorded
        assert create["after"] == queue and create["before"] is None
        assert update["before"] == queue and update["after"] == updated
        assert move["object_id"] == tenant.inbox_id
        assert move["before"] == {"queue_id": tenant.inbox_id, "ticket_ids": None}
        assert move["after"] == {"queue_id": queue["id"], "moved": 2}
        assert delete["before"]["ticket_count"] == 2 and delete["after"]["moved"] == 2
        for event in recorded:
            assert event["actor_user_id"] == tenant.user_id
            assert event["token_id"] == tenant.token_id
            assert event["object_type"] == "queue"
            assert event["occurred_at"].endswith("Z")
            assert event["request_id"]

    def test_request_id_links_the_event_to_the_log(self, tenant):
        tenant.ok("queues/create", {"name": "R"}, status=201, headers={"X-Request-ID": "trace-9"})
        assert events(tenant)[0]["request_id"] == "trace-9"

    def test_failed_and_refused_writes_record_nothing(self, tenant, factory):
        tenant.post("queues/create", {"name": "inbox"})  # 409
        tenant.post("queues/create", {"name": ""})  # 422
        tenant.post("queues/delete", {"queue_id": tenant.inbox_id})  # 409 builtin
        tenant.post(
            "queues/create", {"name": "x"}, token=tenant.token_for(abilities=("workflow:read",))
        )
        tenant.ok("queues/update", {"queue_id": tenant.inbox_id, "name": "Inbox"})  # no change
        assert events(tenant) == []

    def test_idempotent_replay_records_once(self, tenant):
        headers = {"Idempotency-Key": "audit-once"}
        for _ in range(3):
            tenant.post("queues/create", {"name": "Once"}, headers=headers)
        assert len(events(tenant)) == 1


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
