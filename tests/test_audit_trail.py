"""The audit trail: every successful write records one event with who, what, when, before and
after; refused, failed and unchanged writes and idempotent replays record nothing."""

from __future__ import annotations

import json

from tests.factories import REMOTE_URL, assert_error
from tickiti_workflow.tokens import hash_token

# --- helpers ------------------------------------------------------------------------------


def events(tenant) -> list[dict]:
    """The tenant's audit events as stored, oldest first."""
    return tenant.factory.sql(
        "SELECT action, object_type, object_id, before, after, actor_user_id, token_id,"
        " request_id, before::text AS before_text, after::text AS after_text"
        " FROM audit_events WHERE account_id = %s ORDER BY id",
        (tenant.account_id,),
    )


def only_event(tenant, action: str, object_type: str, object_id: int | None) -> dict:
    """The tenant's one audit event, checked for who did what to which object."""
    recorded = events(tenant)
    assert [e["action"] for e in recorded] == [action]
    event = recorded[0]
    assert event["object_type"] == object_type
    assert event["object_id"] == object_id
    assert event["actor_user_id"] == tenant.user_id
    assert event["token_id"] == tenant.token_id
    assert event["request_id"]
    return event


def listed(tenant, **query) -> list[dict]:
    """The tenant's audit events as the audit-events endpoint lists them, newest first."""
    return tenant.ok("audit-events", query)["audit_events"]


def clear(tenant) -> None:
    """Forget the events of the set-up so a test sees only those of the call it checks."""
    tenant.factory.sql("DELETE FROM audit_events WHERE account_id = %s", (tenant.account_id,))


def select_field(key: str = "outcome") -> dict:
    return {
        "key": key,
        "label": "Outcome",
        "type": "select",
        "required": True,
        "options": [{"value": "fixed", "label": "Fixed"}, {"value": "wontfix", "label": "No"}],
        "help_text": "Pick one.",
    }


# --- queues -------------------------------------------------------------------------------


class TestQueueWritesAreRecorded:
    def test_create_update_move_delete(self, tenant):
        queue = tenant.queue("Audited")
        tenant.tickets(tenant.inbox_id, 2)
        updated = tenant.ok("queues/update", {"queue_id": queue["id"], "name": "Renamed"})["queue"]
        tenant.ok("queues/move", {"from_queue_id": tenant.inbox_id, "to_queue_id": queue["id"]})
        tenant.ok(
            "queues/delete", {"queue_id": queue["id"], "reassign_to_queue_id": tenant.inbox_id}
        )
        recorded = listed(tenant)
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
        assert listed(tenant)[0]["request_id"] == "trace-9"

    def test_failed_and_refused_writes_record_nothing(self, tenant, factory):
        tenant.post("queues/create", {"name": "inbox"})  # 409
        tenant.post("queues/create", {"name": ""})  # 422
        tenant.post("queues/delete", {"queue_id": tenant.inbox_id})  # 409 builtin
        tenant.post(
            "queues/create", {"name": "x"}, token=tenant.token_for(abilities=("workflow:read",))
        )
        tenant.ok("queues/update", {"queue_id": tenant.inbox_id, "name": "Inbox"})  # no change
        assert listed(tenant) == []

    def test_idempotent_replay_records_once(self, tenant):
        headers = {"Idempotency-Key": "audit-once"}
        for _ in range(3):
            tenant.post("queues/create", {"name": "Once"}, headers=headers)
        assert len(listed(tenant)) == 1


# --- resolution categories ----------------------------------------------------------------


class TestResolutionCategoryCreate:
    def test_records_the_new_category(self, tenant):
        created = tenant.category("Fixed", description="Solved for good")
        event = only_event(
            tenant, "resolution_category.create", "resolution_category", created["id"]
        )
        assert event["before"] is None
        assert event["after"] == created

    def test_refused_creates_record_nothing(self, tenant, factory):
        tenant.category("Fixed")
        clear(tenant)
        assert tenant.post("resolution-categories/create", {"name": "FIXED"}).status_code == 409
        assert tenant.post("resolution-categories/create", {"name": ""}).status_code == 422
        read_only = tenant.token_for(abilities=("workflow:read",))
        response = tenant.post("resolution-categories/create", {"name": "x"}, token=read_only)
        assert response.status_code == 403
        factory.sql(
            "INSERT INTO resolution_categories (account_id, name, position)"
            " SELECT %s, 'Bulk ' || n, n + 1 FROM generate_series(1, 299) n",
            (tenant.account_id,),
        )
        response = tenant.post("resolution-categories/create", {"name": "One too many"})
        assert_error(response, 409, "limit_reached")
        assert events(tenant) == []

    def test_idempotent_replay_records_once(self, tenant):
        headers = {"Idempotency-Key": "category-once"}
        for _ in range(3):
            tenant.post("resolution-categories/create", {"name": "Once"}, headers=headers)
        assert [e["action"] for e in events(tenant)] == ["resolution_category.create"]


class TestResolutionCategoryUpdate:
    def test_records_before_and_after(self, tenant):
        created = tenant.category("Fixed")
        tenant.categorise(created["id"], 2)
        before = tenant.ok("resolution-categories", {})["resolution_categories"][0]
        clear(tenant)
        updated = tenant.ok(
            "resolution-categories/update",
            {"id": created["id"], "name": "Resolved", "expected_version": 1},
        )["resolution_category"]
        event = only_event(
            tenant, "resolution_category.update", "resolution_category", created["id"]
        )
        assert event["before"] == before and before["ticket_count"] == 2
        assert event["after"] == updated
        assert (event["before"]["name"], event["after"]["name"]) == ("Fixed", "Resolved")
        assert event["after"]["version"] == 2

    def test_an_update_that_changes_nothing_records_nothing(self, tenant):
        created = tenant.category("Fixed", description="d")
        clear(tenant)
        body = {"id": created["id"], "name": "Fixed", "description": "d"}
        assert tenant.ok("resolution-categories/update", body)["resolution_category"] == created
        assert tenant.ok("resolution-categories/update", {"id": created["id"]})
        assert events(tenant) == []

    def test_refused_updates_record_nothing(self, tenant, other_tenant):
        created, other = tenant.category("Fixed"), tenant.category("Other")
        theirs = other_tenant.category()
        clear(tenant)
        for body, status in (
            ({"id": created["id"], "name": "Other"}, 409),  # name_taken
            ({"id": created["id"], "name": "New", "expected_version": 5}, 409),
            ({"id": theirs["id"], "name": "Mine"}, 404),
            ({"id": 10**12, "name": "Nobody"}, 404),
            ({"id": other["id"], "name": "x" * 101}, 422),
        ):
            response = tenant.post("resolution-categories/update", body)
            assert response.status_code == status, response.get_json()
        assert events(tenant) == []


class TestResolutionCategoryDelete:
    def test_records_the_deleted_category(self, tenant):
        created = tenant.category("Gone")
        clear(tenant)
        tenant.ok("resolution-categories/delete", {"id": created["id"]})
        event = only_event(
            tenant, "resolution_category.delete", "resolution_category", created["id"]
        )
        assert event["before"] == created
        assert event["after"] == {"deleted": True, "replace_with_id": None, "recategorised": 0}

    def test_records_the_replacement(self, tenant):
        gone, kept = tenant.category("Gone"), tenant.category("Kept")
        tenant.categorise(gone["id"], 3)
        before = tenant.ok("resolution-categories", {})["resolution_categories"][0]
        clear(tenant)
        tenant.ok("resolution-categories/delete", {"id": gone["id"], "replace_with_id": kept["id"]})
        event = only_event(tenant, "resolution_category.delete", "resolution_category", gone["id"])
        assert event["before"] == before and before["ticket_count"] == 3
        assert event["after"] == {
            "deleted": True,
            "replace_with_id": kept["id"],
            "recategorised": 3,
        }

    def test_refused_deletes_record_nothing(self, tenant, other_tenant):
        used = tenant.category("Used")
        tenant.categorise(used["id"], 1)
        theirs = other_tenant.category()
        clear(tenant)
        for body, status in (
            ({"id": used["id"]}, 409),  # category_in_use
            ({"id": used["id"], "replace_with_id": theirs["id"]}, 422),
            ({"id": theirs["id"]}, 404),
            ({"id": used["id"], "replace_with_id": used["id"]}, 422),
        ):
            response = tenant.post("resolution-categories/delete", body)
            assert response.status_code == status, response.get_json()
        assert events(tenant) == []


class TestResolutionCategoryReorder:
    def test_records_the_old_and_new_order(self, tenant):
        a, b, c = (tenant.category(name)["id"] for name in "ABC")
        clear(tenant)
        tenant.ok("resolution-categories/reorder", {"ids": [c, a, b]})
        event = only_event(tenant, "resolution_category.reorder", "resolution_category", None)
        assert event["before"] == [a, b, c]
        assert event["after"] == [c, a, b]

    def test_the_same_order_records_nothing(self, tenant):
        ids = [tenant.category()["id"] for _ in range(3)]
        clear(tenant)
        tenant.ok("resolution-categories/reorder", {"ids": ids})
        assert events(tenant) == []

    def test_refused_reorders_record_nothing(self, tenant):
        a, b = tenant.category()["id"], tenant.category()["id"]
        clear(tenant)
        for ids in ([a], [b, a, a], [b, a, 10**12]):
            response = tenant.post("resolution-categories/reorder", {"ids": ids})
            assert response.status_code == 422, response.get_json()
        assert events(tenant) == []


# --- interventions ------------------------------------------------------------------------


class TestInterventionCreate:
    def test_records_the_new_intervention(self, tenant):
        created = tenant.intervention("Refund", fields=[select_field()], enabled=False)
        event = only_event(tenant, "intervention.create", "intervention", created["id"])
        assert event["before"] is None
        assert event["after"] == created
        assert event["after"]["fields"][0]["options"][1] == {"value": "wontfix", "label": "No"}

    def test_refused_creates_record_nothing(self, tenant):
        tenant.intervention("Refund")
        clear(tenant)
        for body, status in (
            ({"name": "REFUND", "remote_url": REMOTE_URL}, 409),
            ({"name": "Local", "remote_url": "https://127.0.0.1/x"}, 422),
            (
                {
                    "name": "Bad",
                    "remote_url": REMOTE_URL,
                    "fields": [{"key": "x", "type": "select"}],
                },
                422,
            ),
        ):
            response = tenant.post("interventions/create", body)
            assert response.status_code == status, response.get_json()
        assert events(tenant) == []


class TestInterventionUpdate:
    def test_records_before_and_after(self, tenant):
        created = tenant.intervention("Refund")
        clear(tenant)
        updated = tenant.ok(
            "interventions/update",
            {"intervention_id": created["id"], "fields": [select_field()], "enabled": False},
        )["intervention"]
        event = only_event(tenant, "intervention.update", "intervention", created["id"])
        assert event["before"] == created
        assert event["after"] == updated
        assert event["before"]["fields"] == [] and event["after"]["fields"] == [select_field()]

    def test_an_update_that_changes_nothing_records_nothing(self, tenant):
        created = tenant.intervention("Refund", fields=[select_field()])
        clear(tenant)
        body = {
            "intervention_id": created["id"],
            "name": "Refund",
            "remote_url": REMOTE_URL,
            "enabled": True,
            "fields": [select_field()],
        }
        assert tenant.ok("interventions/update", body)["intervention"] == created
        assert events(tenant) == []

    def test_refused_updates_record_nothing(self, tenant, other_tenant):
        created, other = tenant.intervention("Refund"), tenant.intervention("Other")
        theirs = other_tenant.intervention()
        clear(tenant)
        for body, status in (
            ({"intervention_id": created["id"], "name": "other"}, 409),  # name_taken
            ({"intervention_id": created["id"], "enabled": False, "expected_version": 9}, 409),
            ({"intervention_id": theirs["id"], "enabled": False}, 404),
            ({"intervention_id": other["id"], "remote_url": "http://example.com"}, 422),
        ):
            response = tenant.post("interventions/update", body)
            assert response.status_code == status, response.get_json()
        assert events(tenant) == []


class TestInterventionDelete:
    def test_records_the_deleted_intervention(self, tenant):
        created = tenant.intervention("Gone", fields=[select_field()])
        tenant.ok("interventions/generate-token", {"intervention_id": created["id"]})
        before = tenant.ok("interventions", {})["interventions"][0]
        clear(tenant)
        tenant.ok("interventions/delete", {"intervention_id": created["id"]})
        event = only_event(tenant, "intervention.delete", "intervention", created["id"])
        assert event["before"] == before and before["has_remote_token"]
        assert event["after"] == {"deleted": True}

    def test_refused_deletes_record_nothing(self, tenant, other_tenant):
        theirs = other_tenant.intervention()
        for body in ({"intervention_id": theirs["id"]}, {"intervention_id": 10**12}):
            assert tenant.post("interventions/delete", body).status_code == 404
        assert events(tenant) == []
        assert len(events(other_tenant)) == 1  # only its create


class TestInterventionGenerateToken:
    def test_records_the_token_state_but_never_the_token_or_its_hash(self, tenant):
        created = tenant.intervention("Refund")
        clear(tenant)
        first = tenant.ok("interventions/generate-token", {"intervention_id": created["id"]})
        second = tenant.ok(
            "interventions/generate-token",
            {"intervention_id": created["id"], "grace_minutes": 30},
        )
        recorded = events(tenant)
        assert [e["action"] for e in recorded] == ["intervention.generate_token"] * 2
        assert {e["object_id"] for e in recorded} == {created["id"]}
        assert recorded[0]["before"] == {"remote_token_hint": None, "remote_token_created_at": None}
        assert recorded[0]["after"] == {
            "remote_token_hint": first["remote_token_hint"],
            "remote_token_created_at": first["created_at"],
            "grace_minutes": 0,
        }
        assert recorded[1]["before"] == {
            "remote_token_hint": first["remote_token_hint"],
            "remote_token_created_at": first["created_at"],
        }
        assert recorded[1]["after"] == {
            "remote_token_hint": second["remote_token_hint"],
            "remote_token_created_at": second["created_at"],
            "grace_minutes": 30,
        }
        stored = tenant.factory.one(
            "SELECT remote_token_hash, previous_remote_token_hash FROM interventions"
            " WHERE account_id = %s AND id = %s",
            (tenant.account_id, created["id"]),
        )
        secrets_ = {
            first["remote_token"],
            second["remote_token"],
            hash_token(first["remote_token"]),
            hash_token(second["remote_token"]),
            stored["remote_token_hash"],
            stored["previous_remote_token_hash"],
        }
        for event in recorded:
            text = event["before_text"] + event["after_text"] + json.dumps(event, default=str)
            assert "tkr_" not in text
            assert not any(secret in text for secret in secrets_)
            assert "hash" not in text

    def test_idempotent_replay_records_once(self, tenant):
        created = tenant.intervention()
        clear(tenant)
        headers = {"Idempotency-Key": "token-once"}
        body = {"intervention_id": created["id"]}
        for _ in range(3):
            assert (
                tenant.post("interventions/generate-token", body, headers=headers).status_code
                == 200
            )
        assert [e["action"] for e in events(tenant)] == ["intervention.generate_token"]

    def test_refused_mints_record_nothing(self, tenant, other_tenant):
        created, theirs = tenant.intervention(), other_tenant.intervention()
        clear(tenant)
        for body, status in (
            ({"intervention_id": theirs["id"]}, 404),
            ({"intervention_id": 10**12}, 404),
            ({"intervention_id": created["id"], "grace_minutes": 1441}, 422),
        ):
            response = tenant.post("interventions/generate-token", body)
            assert response.status_code == status, response.get_json()
        assert events(tenant) == []


# --- business hours and escalations -------------------------------------------------------


class TestBusinessHoursUpdate:
    def test_update_is_recorded_with_before_and_after(self, tenant):
        before = tenant.ok("escalations", {})["business_hours"]
        tenant.ok("business-hours/update", {"timezone": "UTC"})  # no change: not recorded
        after = tenant.ok("business-hours/update", {"timezone": "Europe/Berlin"})["business_hours"]
        recorded = tenant.ok("audit-events", {"object_type": "business_hours"})["audit_events"]
        assert [e["action"] for e in recorded] == ["business_hours.update"]
        assert recorded[0]["before"] == before
        assert recorded[0]["after"] == after


class TestEscalationWrites:
    def test_writes_are_recorded_and_a_no_op_is_not(self, tenant):
        escalation = tenant.escalation("Audited")
        tenant.ok("escalations/update", {"id": escalation["id"], "name": "Audited"})  # no change
        updated = tenant.ok("escalations/update", {"id": escalation["id"], "enabled": False})
        tenant.ok("escalations/delete", {"id": escalation["id"]})
        recorded = tenant.ok("audit-events", {"object_type": "escalation"})["audit_events"]
        assert [e["action"] for e in recorded] == [
            "escalation.delete",
            "escalation.update",
            "escalation.create",
        ]
        delete, update, create_event = recorded
        assert create_event["after"] == escalation
        assert update["before"] == escalation
        assert update["after"] == updated["escalation"]
        assert delete["before"] == updated["escalation"]
        assert {e["object_id"] for e in recorded} == {escalation["id"]}

    def test_refused_writes_record_nothing(self, tenant):
        tenant.post("escalations/create", tenant.escalation_body(actions=[]))
        tenant.post("escalations/delete", {"id": 2**62})
        assert tenant.ok("audit-events", {"object_type": "escalation"})["audit_events"] == []
