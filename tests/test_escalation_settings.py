"""The account's escalation clock settings: read, update, validation, and the recompute a
change requests. The runtime behaviour of pause statuses is in test_escalation_runtime.py."""

from __future__ import annotations

import pytest

from tests.test_escalation_runtime import escalation, settle, ticket, timers
from tickiti_workflow.schemas.escalation_settings import STOPPED_MESSAGE


def settings(tenant) -> dict:
    return tenant.ok("escalation-settings", {})["escalation_settings"]


def update(tenant, **body) -> dict:
    return tenant.ok("escalation-settings/update", body)["escalation_settings"]


def stored(factory, tenant) -> list[dict]:
    return factory.sql(
        "SELECT pause_statuses, version, updated_at FROM escalation_settings WHERE account_id = %s",
        (tenant.account_id,),
    )


def recompute(factory, tenant) -> dict | None:
    rows = factory.sql(
        "SELECT requested_at, finished_at FROM escalation_recomputes WHERE account_id = %s",
        (tenant.account_id,),
    )
    return rows[0] if rows else None


def assert_422(response, *paths: str) -> dict:
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert set(error["details"]["fields"]) == set(paths), error["details"]["fields"]
    return error


class TestRead:
    def test_defaults_without_a_saved_row(self, tenant, factory):
        body = tenant.ok("escalation-settings", {})
        assert list(body) == ["escalation_settings", "recompute"]
        assert body["escalation_settings"]["pause_statuses"] == ["pending", "on_hold"]
        assert body["escalation_settings"]["version"] == 1
        assert body["recompute"] is None
        assert stored(factory, tenant) == []

    def test_read_token_may_read(self, tenant):
        token = tenant.token_for(abilities=("workflow:read",))
        response = tenant.post("escalation-settings", {}, token=token)
        assert response.status_code == 200

    def test_unknown_field(self, tenant):
        assert_422(tenant.post("escalation-settings", {"account_id": 1}), "account_id")

    def test_only_the_callers_account(self, tenant, other_tenant):
        update(tenant, pause_statuses=[])
        assert settings(other_tenant)["pause_statuses"] == ["pending", "on_hold"]
        assert tenant.ok("escalation-settings", {})["recompute"] is not None
        assert other_tenant.ok("escalation-settings", {})["recompute"] is None


class TestUpdate:
    def test_replaces_the_pause_statuses_and_bumps_the_version(self, tenant, factory):
        before = settings(tenant)
        after = update(tenant, pause_statuses=["on_hold"], expected_version=1)
        assert after["pause_statuses"] == ["on_hold"]
        assert after["version"] == 2
        assert after["updated_at"] > before["updated_at"]
        assert settings(tenant) == after
        assert update(tenant, pause_statuses=["pending", "on_hold"])["version"] == 3

    def test_stored_in_workflow_order(self, tenant):
        assert update(tenant, pause_statuses=["on_hold", "new", "pending"])["pause_statuses"] == [
            "new",
            "pending",
            "on_hold",
        ]

    def test_an_empty_list_pauses_nothing(self, tenant, factory):
        assert update(tenant, pause_statuses=[])["pause_statuses"] == []
        assert stored(factory, tenant)[0]["pause_statuses"] == []

    def test_no_change_keeps_the_version_and_requests_no_recompute(self, tenant, factory):
        # The defaults in another order, and an empty body, change nothing.
        assert update(tenant, pause_statuses=["on_hold", "pending"])["version"] == 1
        assert update(tenant)["version"] == 1
        assert stored(factory, tenant) == []
        assert recompute(factory, tenant) is None
        update(tenant, pause_statuses=["pending"])
        again = update(tenant, pause_statuses=["pending"], expected_version=2)
        assert again["version"] == 2

    def test_expected_version_mismatch(self, tenant, factory):
        update(tenant, pause_statuses=["pending"])
        before = stored(factory, tenant)
        response = tenant.post(
            "escalation-settings/update", {"pause_statuses": [], "expected_version": 1}
        )
        assert response.status_code == 409
        error = response.get_json()["error"]
        assert error["code"] == "version_conflict"
        assert error["details"] == {"current_version": 2}
        assert stored(factory, tenant) == before

    def test_only_the_callers_account(self, tenant, other_tenant, factory):
        update(other_tenant, pause_statuses=["on_hold"])
        theirs = stored(factory, other_tenant)
        update(tenant, pause_statuses=[])
        assert stored(factory, other_tenant) == theirs
        assert settings(other_tenant)["pause_statuses"] == ["on_hold"]

    def test_idempotency_key_replays(self, tenant, factory):
        headers = {"Idempotency-Key": "settings-1"}
        body = {"pause_statuses": ["new"]}
        first = tenant.post("escalation-settings/update", body, headers=headers)
        again = tenant.post("escalation-settings/update", body, headers=headers)
        assert first.status_code == again.status_code == 200
        assert again.headers.get("Idempotent-Replayed") == "true"
        assert again.get_json() == first.get_json()
        assert stored(factory, tenant)[0]["version"] == 2


class TestValidation:
    @pytest.mark.parametrize(
        "payload, paths",
        [
            ({"pause_statuses": ["waiting"]}, ["pause_statuses.0"]),
            ({"pause_statuses": ["pending", "Pending"]}, ["pause_statuses.1"]),
            ({"pause_statuses": ["pending", "pending"]}, ["pause_statuses"]),
            ({"pause_statuses": ["solved"]}, ["pause_statuses.0"]),
            ({"pause_statuses": ["open", "closed"]}, ["pause_statuses.1"]),
            ({"pause_statuses": "pending"}, ["pause_statuses"]),
            ({"pause_statuses": None}, ["pause_statuses"]),
            ({"pause_statuses": [1]}, ["pause_statuses.0"]),
            ({"pause_statuses": ["new", "open", "pending", "on_hold", "new"]}, ["pause_statuses"]),
            ({"expected_version": "1"}, ["expected_version"]),
            ({"pause_status": ["pending"]}, ["pause_status"]),
        ],
    )
    def test_rejected_with_the_path(self, tenant, factory, payload, paths):
        assert_422(tenant.post("escalation-settings/update", payload), *paths)
        assert stored(factory, tenant) == []
        assert recompute(factory, tenant) is None

    @pytest.mark.parametrize("status", ["solved", "closed"])
    def test_solved_and_closed_are_refused_with_the_reason(self, tenant, status):
        error = assert_422(
            tenant.post("escalation-settings/update", {"pause_statuses": [status]}),
            "pause_statuses.0",
        )
        assert error["details"]["fields"]["pause_statuses.0"] == [STOPPED_MESSAGE]

    def test_an_oversized_body_is_refused_whole(self, tenant, factory):
        response = tenant.post(
            "escalation-settings/update", {"pause_statuses": ["pending"] * 200_000}
        )
        assert response.status_code == 413
        assert response.get_json()["error"]["code"] == "payload_too_large"
        assert stored(factory, tenant) == []


class TestAuditTrail:
    def test_a_change_is_recorded_and_a_no_op_is_not(self, tenant):
        before = settings(tenant)
        update(tenant, pause_statuses=["pending", "on_hold"])  # no change
        after = update(tenant, pause_statuses=["on_hold"])
        events = tenant.ok("audit-events", {"object_type": "escalation_settings"})["audit_events"]
        assert [e["action"] for e in events] == ["escalation_settings.update"]
        assert events[0]["before"] == before
        assert events[0]["after"] == after
        assert events[0]["object_id"] is None

    def test_refused_writes_record_nothing(self, tenant):
        tenant.post("escalation-settings/update", {"pause_statuses": ["closed"]})
        tenant.post("escalation-settings/update", {"expected_version": 7, "pause_statuses": []})
        events = tenant.ok("audit-events", {"object_type": "escalation_settings"})["audit_events"]
        assert events == []


class TestRecompute:
    def test_a_change_requests_a_recompute_that_moves_due_times(self, factory, worker):
        tenant = factory.tenant()
        esc = escalation(tenant, target={"metric": "resolution", "minutes": 600})
        pending = ticket(factory, tenant, "2 hours", status="pending")
        settle(worker)
        assert timers(factory, tenant, pending) == []  # paused: no due time
        requested = recompute(factory, tenant)["requested_at"]
        body = tenant.ok("escalation-settings/update", {"pause_statuses": ["on_hold"]})
        assert body["recompute"]["finished_at"] is None
        assert recompute(factory, tenant)["requested_at"] > requested
        settle(worker)
        (timer,) = timers(factory, tenant, pending)
        assert timer["escalation_id"] == esc["id"]
        done = tenant.ok("escalation-settings", {})["recompute"]
        assert done["finished_at"] is not None
        assert done["queued"] == 1
