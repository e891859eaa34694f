"""The queue endpoints (no plan feature)."""

from __future__ import annotations

import re

import pytest

from tests.factories import assert_error

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
QUEUE_KEYS = {
    "id", "name", "description", "is_builtin", "ticket_count", "open_ticket_count",
    "version", "created_at", "updated_at",
}  # fmt: skip


def queues(tenant) -> dict[str, dict]:
    return {q["name"]: q for q in tenant.ok("queues", {})["queues"]}


def queue_of(factory, ticket_ids) -> dict[int, int]:
    rows = factory.sql("SELECT id, queue_id FROM tickets WHERE id = ANY(%s)", (list(ticket_ids),))
    return {r["id"]: r["queue_id"] for r in rows}


class TestList:
    def test_new_account_has_only_inbox(self, tenant):
        (inbox,) = tenant.ok("queues", {})["queues"]
        assert set(inbox) == QUEUE_KEYS
        assert inbox["name"] == "Inbox" and inbox["is_builtin"] is True
        assert inbox["id"] == tenant.inbox_id
        assert (inbox["ticket_count"], inbox["open_ticket_count"], inbox["version"]) == (0, 0, 1)
        assert ISO_Z.match(inbox["created_at"]) and ISO_Z.match(inbox["updated_at"])

    def test_builtin_first_then_by_name_ignoring_case(self, tenant):
        for name in ["beta", "Alpha", "gamma", "Zulu"]:
            tenant.queue(name)
        names = [q["name"] for q in tenant.ok("queues", {})["queues"]]
        assert names == ["Inbox", "Alpha", "beta", "gamma", "Zulu"]

    def test_counts_are_exact(self, tenant):
        sales = tenant.queue("Sales")
        for status in ["new", "open", "pending", "on_hold", "solved", "closed"]:
            tenant.tickets(sales["id"], 2, status)
        tenant.tickets(tenant.inbox_id, 3, "open")
        listed = queues(tenant)
        assert (listed["Sales"]["ticket_count"], listed["Sales"]["open_ticket_count"]) == (12, 8)
        assert (listed["Inbox"]["ticket_count"], listed["Inbox"]["open_ticket_count"]) == (3, 3)

    def test_counts_follow_direct_sql_changes(self, tenant, factory):
        ids = tenant.tickets(tenant.inbox_id, 4, "open")
        factory.sql("UPDATE tickets SET status = 'solved' WHERE id = ANY(%s)", (ids[:3],))
        factory.sql("DELETE FROM tickets WHERE id = %s", (ids[3],))
        tenant.tickets(tenant.inbox_id, 1, "pending")
        inbox = queues(tenant)["Inbox"]
        assert (inbox["ticket_count"], inbox["open_ticket_count"]) == (4, 1)

    def test_other_accounts_are_invisible(self, tenant, other_tenant):
        other_tenant.queue("Secret")
        other_tenant.tickets(other_tenant.inbox_id, 5)
        listed = tenant.ok("queues", {})["queues"]
        assert [(q["name"], q["ticket_count"]) for q in listed] == [("Inbox", 0)]


class TestCreate:
    def test_creates_with_defaults(self, tenant):
        body = tenant.ok("queues/create", {"name": "  Billing  "}, status=201)
        queue = body["queue"]
        assert set(queue) == QUEUE_KEYS
        assert queue["name"] == "Billing"
        assert queue["description"] == ""
        assert queue["is_builtin"] is False
        assert (queue["version"], queue["ticket_count"], queue["open_ticket_count"]) == (1, 0, 0)
        assert queues(tenant)["Billing"] == queue

    def test_description_kept_with_newlines_and_null_means_empty(self, tenant):
        queue = tenant.queue("Docs", description="Line one\nLine two\ttab")
        assert queue["description"] == "Line one\nLine two\ttab"
        assert tenant.queue("Nulled", description=None)["description"] == ""

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({}, "name"),
            ({"name": ""}, "name"),
            ({"name": "   "}, "name"),
            ({"name": "x" * 101}, "name"),
            ({"name": None}, "name"),
            ({"name": 7}, "name"),
            ({"name": ["a"]}, "name"),
            ({"name": "bad\x00name"}, "name"),
            ({"name": "tab\tname"}, "name"),
            ({"name": "new\nline"}, "name"),
            ({"name": "esc\x1bape"}, "name"),
            ({"name": "c1\x85char"}, "name"),
            ({"name": "ok", "description": "d" * 1001}, "description"),
            ({"name": "ok", "description": "nul\x00"}, "description"),
            ({"name": "ok", "description": 5}, "description"),
            ({"name": "ok", "is_builtin": True}, "is_builtin"),
            ({"name": "ok", "id": 5}, "id"),
        ],
    )
    def test_invalid(self, tenant, body, field):
        assert_error(tenant.post("queues/create", body), 422, "validation_failed", field)
        assert list(queues(tenant)) == ["Inbox"]

    def test_name_of_100_characters_after_trimming_is_fine(self, tenant):
        assert len(tenant.queue("  " + "n" * 100 + "  ")["name"]) == 100

    @pytest.mark.parametrize("name", ["inbox", "INBOX", " Inbox "])
    def test_names_are_unique_ignoring_case(self, tenant, name):
        assert_error(tenant.post("queues/create", {"name": name}), 409, "name_taken")
        assert list(queues(tenant)) == ["Inbox"]

    def test_unicode_names_compare_ignoring_case(self, tenant):
        tenant.queue("Ärger")
        assert_error(tenant.post("queues/create", {"name": "äRGER"}), 409, "name_taken")

    def test_same_name_in_another_account_is_fine(self, tenant, other_tenant):
        other_tenant.queue("Shared name")
        assert tenant.queue("Shared name")["name"] == "Shared name"

    def test_at_most_500_queues(self, tenant, factory):
        factory.sql(
            "INSERT INTO queues (account_id, name)"
            " SELECT %s, 'Q' || n FROM generate_series(1, 498) n",
            (tenant.account_id,),
        )
        tenant.queue("Number 500")
        response = tenant.post("queues/create", {"name": "Number 501"})
        error = assert_error(response, 409, "limit_reached")
        assert error["details"] == {"resource": "queues", "limit": 500}
        assert len(queues(tenant)) == 500


class TestUpdate:
    def test_rename_bumps_version(self, tenant):
        queue = tenant.queue("Old")
        body = tenant.ok("queues/update", {"queue_id": queue["id"], "name": " New "})
        assert body["queue"]["name"] == "New"
        assert body["queue"]["version"] == 2
        assert body["queue"]["updated_at"] > queue["updated_at"]
        assert body["queue"]["created_at"] == queue["created_at"]
        assert list(queues(tenant)) == ["Inbox", "New"]

    def test_only_sent_fields_change(self, tenant):
        queue = tenant.queue("Keep", description="kept")
        body = tenant.ok("queues/update", {"queue_id": queue["id"], "name": "Kept"})
        assert body["queue"]["description"] == "kept"
        body = tenant.ok("queues/update", {"queue_id": queue["id"], "description": None})
        assert (body["queue"]["name"], body["queue"]["description"]) == ("Kept", "")

    def test_builtin_can_be_renamed(self, tenant):
        body = tenant.ok("queues/update", {"queue_id": tenant.inbox_id, "name": "Front desk"})
        assert body["queue"]["is_builtin"] is True
        assert list(queues(tenant)) == ["Front desk"]

    def test_case_change_of_own_name_is_allowed(self, tenant):
        body = tenant.ok("queues/update", {"queue_id": tenant.inbox_id, "name": "INBOX"})
        assert body["queue"]["name"] == "INBOX"

    def test_no_change_keeps_version(self, tenant):
        queue = tenant.queue("Same")
        body = tenant.ok("queues/update", {"queue_id": queue["id"], "name": "Same"})
        assert body["queue"]["version"] == 1
        assert tenant.ok("queues/update", {"queue_id": queue["id"]})["queue"]["version"] == 1

    def test_counts_are_in_the_response(self, tenant):
        tenant.tickets(tenant.inbox_id, 2, "open")
        body = tenant.ok("queues/update", {"queue_id": tenant.inbox_id, "name": "In"})
        assert (body["queue"]["ticket_count"], body["queue"]["open_ticket_count"]) == (2, 2)

    def test_expected_version_matches(self, tenant):
        queue = tenant.queue("V")
        body = tenant.ok(
            "queues/update", {"queue_id": queue["id"], "name": "V2", "expected_version": 1}
        )
        assert body["queue"]["version"] == 2

    def test_stale_expected_version_is_409_and_changes_nothing(self, tenant):
        queue = tenant.queue("V")
        tenant.ok("queues/update", {"queue_id": queue["id"], "name": "V2"})
        response = tenant.post(
            "queues/update", {"queue_id": queue["id"], "name": "V3", "expected_version": 1}
        )
        error = assert_error(response, 409, "version_conflict")
        assert error["details"] == {"current_version": 2}
        assert queues(tenant)["V2"]["version"] == 2

    def test_name_taken(self, tenant):
        queue = tenant.queue("First")
        tenant.queue("Second")
        response = tenant.post("queues/update", {"queue_id": queue["id"], "name": "second"})
        assert_error(response, 409, "name_taken")
        assert queues(tenant)["First"]["version"] == 1

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"name": "x"}, "queue_id"),
            ({"queue_id": "1", "name": "x"}, "queue_id"),
            ({"queue_id": 1.0, "name": "x"}, "queue_id"),
            ({"queue_id": True, "name": "x"}, "queue_id"),
            ({"queue_id": 0, "name": "x"}, "queue_id"),
            ({"queue_id": 2**63, "name": "x"}, "queue_id"),
            ({"queue_id": 1, "name": ""}, "name"),
            ({"queue_id": 1, "expected_version": 0}, "expected_version"),
            ({"queue_id": 1, "expected_version": "1"}, "expected_version"),
            ({"queue_id": 1, "is_builtin": False}, "is_builtin"),
        ],
    )
    def test_invalid(self, tenant, body, field):
        assert_error(tenant.post("queues/update", body), 422, "validation_failed", field)

    def test_unknown_and_other_accounts_queue_is_404(self, tenant, other_tenant):
        for queue_id in (other_tenant.inbox_id, 2**62):
            response = tenant.post("queues/update", {"queue_id": queue_id, "name": "Stolen"})
            assert_error(response, 404, "not_found")
        assert [q["name"] for q in other_tenant.ok("queues", {})["queues"]] == ["Inbox"]


class TestDelete:
    def test_deletes_an_empty_queue(self, tenant):
        queue = tenant.queue("Temp")
        body = tenant.ok("queues/delete", {"queue_id": queue["id"]})
        assert body == {"deleted": True, "id": queue["id"], "moved": 0}
        assert list(queues(tenant)) == ["Inbox"]

    def test_builtin_cannot_be_deleted(self, tenant):
        response = tenant.post("queues/delete", {"queue_id": tenant.inbox_id})
        assert_error(response, 409, "queue_builtin")
        assert list(queues(tenant)) == ["Inbox"]

    def test_in_use_without_reassignment(self, tenant):
        queue = tenant.queue("Busy")
        tenant.tickets(queue["id"], 3, "closed")
        response = tenant.post("queues/delete", {"queue_id": queue["id"]})
        error = assert_error(response, 409, "queue_in_use")
        assert error["details"] == {"ticket_count": 3, "escalation_ids": []}
        assert queues(tenant)["Busy"]["ticket_count"] == 3

    def test_reassignment_moves_tickets_and_deletes(self, tenant, factory):
        queue = tenant.queue("Busy")
        ids = tenant.tickets(queue["id"], 3)
        body = tenant.ok(
            "queues/delete", {"queue_id": queue["id"], "reassign_to_queue_id": tenant.inbox_id}
        )
        assert body == {"deleted": True, "id": queue["id"], "moved": 3}
        assert set(queue_of(factory, ids).values()) == {tenant.inbox_id}
        events = factory.sql(
            "SELECT ticket_id, from_queue_id, to_queue_id, actor_user_id FROM ticket_events"
            " WHERE account_id = %s ORDER BY ticket_id",
            (tenant.account_id,),
        )
        assert events == [
            {"ticket_id": i, "from_queue_id": queue["id"], "to_queue_id": tenant.inbox_id,
             "actor_user_id": tenant.user_id}
            for i in ids
        ]  # fmt: skip
        assert queues(tenant)["Inbox"]["ticket_count"] == 3

    @pytest.mark.parametrize("target", ["self", "missing", "other_account"])
    def test_bad_reassignment_target_changes_nothing(self, tenant, other_tenant, factory, target):
        queue = tenant.queue("Busy")
        ids = tenant.tickets(queue["id"], 2)
        target_id = {"self": queue["id"], "missing": 2**62, "other_account": other_tenant.inbox_id}
        response = tenant.post(
            "queues/delete", {"queue_id": queue["id"], "reassign_to_queue_id": target_id[target]}
        )
        assert_error(response, 422, "validation_failed", "reassign_to_queue_id")
        assert set(queue_of(factory, ids).values()) == {queue["id"]}
        assert other_tenant.ok("queues", {})["queues"][0]["ticket_count"] == 0

    def test_unknown_and_other_accounts_queue_is_404(self, tenant, other_tenant):
        victim = other_tenant.queue("Victim")
        for queue_id in (victim["id"], 2**62):
            assert_error(tenant.post("queues/delete", {"queue_id": queue_id}), 404, "not_found")
        assert "Victim" in queues(other_tenant)

    @pytest.mark.parametrize("body", [{}, {"queue_id": "x"}, {"queue_id": 1, "force": True}])
    def test_invalid(self, tenant, body):
        error = assert_error(tenant.post("queues/delete", body), 422, "validation_failed")
        assert error["details"]["fields"]


class TestMove:
    def test_moves_every_ticket_of_the_source(self, tenant, factory):
        target = tenant.queue("Target")
        ids = tenant.tickets(tenant.inbox_id, 5)
        body = tenant.ok(
            "queues/move", {"from_queue_id": tenant.inbox_id, "to_queue_id": target["id"]}
        )
        assert body == {"moved": 5, "from_queue_id": tenant.inbox_id, "to_queue_id": target["id"]}
        assert set(queue_of(factory, ids).values()) == {target["id"]}
        listed = queues(tenant)
        assert (listed["Inbox"]["ticket_count"], listed["Target"]["ticket_count"]) == (0, 5)

    def test_writes_one_history_row_per_ticket(self, tenant, factory):
        target = tenant.queue("Target")
        ids = tenant.tickets(tenant.inbox_id, 3)
        tenant.ok("queues/move", {"from_queue_id": tenant.inbox_id, "to_queue_id": target["id"]})
        events = factory.sql(
            "SELECT ticket_id, from_queue_id, to_queue_id, actor_user_id, created_at"
            " FROM ticket_events WHERE account_id = %s ORDER BY ticket_id",
            (tenant.account_id,),
        )
        assert [e["ticket_id"] for e in events] == ids
        assert {(e["from_queue_id"], e["to_queue_id"], e["actor_user_id"]) for e in events} == {
            (tenant.inbox_id, target["id"], tenant.user_id)
        }
        assert all(e["created_at"] is not None for e in events)

    def test_empty_source_moves_nothing(self, tenant):
        target = tenant.queue("Target")
        body = tenant.ok(
            "queues/move", {"from_queue_id": target["id"], "to_queue_id": tenant.inbox_id}
        )
        assert body["moved"] == 0

    def test_moves_only_listed_tickets(self, tenant, factory):
        target = tenant.queue("Target")
        ids = tenant.tickets(tenant.inbox_id, 4)
        body = tenant.ok(
            "queues/move",
            {"from_queue_id": tenant.inbox_id, "to_queue_id": target["id"], "ticket_ids": ids[:2]},
        )
        assert body["moved"] == 2
        placed = queue_of(factory, ids)
        assert [placed[i] for i in ids] == [target["id"]] * 2 + [tenant.inbox_id] * 2

    def test_one_offender_moves_nothing_and_is_named(self, tenant, other_tenant, factory):
        target = tenant.queue("Target")
        ids = tenant.tickets(tenant.inbox_id, 3)
        elsewhere = tenant.tickets(target["id"], 1)
        foreign = other_tenant.tickets(other_tenant.inbox_id, 1)
        listed = [*ids, *elsewhere, *foreign, 2**62]
        response = tenant.post(
            "queues/move",
            {"from_queue_id": tenant.inbox_id, "to_queue_id": target["id"], "ticket_ids": listed},
        )
        details = assert_error(response, 422, "validation_failed", "ticket_ids")["details"]
        assert details["not_in_queue"] == sorted([*elsewhere, *foreign, 2**62])
        assert set(queue_of(factory, ids).values()) == {tenant.inbox_id}
        assert queue_of(factory, foreign) == {foreign[0]: other_tenant.inbox_id}
        assert (
            factory.sql(
                "SELECT 1 FROM ticket_events WHERE account_id IN (%s, %s)",
                (tenant.account_id, other_tenant.account_id),
            )
            == []
        )

    @pytest.mark.parametrize(
        ("extra", "field"),
        [
            ({"ticket_ids": []}, "ticket_ids"),
            ({"ticket_ids": [1, 2, 1]}, "ticket_ids"),
            ({"ticket_ids": list(range(1, 10_002))}, "ticket_ids"),
            ({"ticket_ids": [1, "2"]}, "ticket_ids.1"),
            ({"ticket_ids": [1, 2.5]}, "ticket_ids.1"),
            ({"ticket_ids": 5}, "ticket_ids"),
            ({"ticket_ids": [0]}, "ticket_ids.0"),
        ],
    )
    def test_invalid_ticket_ids(self, tenant, extra, field):
        target = tenant.queue("Target")
        ids = tenant.tickets(tenant.inbox_id, 1)
        body = {"from_queue_id": tenant.inbox_id, "to_queue_id": target["id"], **extra}
        assert_error(tenant.post("queues/move", body), 422, "validation_failed", field)
        assert queues(tenant)["Inbox"]["ticket_count"] == len(ids)

    def test_ten_thousand_ids_are_accepted(self, tenant):
        target = tenant.queue("Target")
        ids = tenant.tickets(tenant.inbox_id, 10_000)
        body = tenant.ok(
            "queues/move",
            {"from_queue_id": tenant.inbox_id, "to_queue_id": target["id"], "ticket_ids": ids},
        )
        assert body["moved"] == 10_000

    def test_same_queue_twice_is_422(self, tenant):
        response = tenant.post(
            "queues/move", {"from_queue_id": tenant.inbox_id, "to_queue_id": tenant.inbox_id}
        )
        assert_error(response, 422, "validation_failed", "to_queue_id")

    @pytest.mark.parametrize("body", [{}, {"from_queue_id": 1}, {"to_queue_id": 1}])
    def test_missing_queue_ids(self, tenant, body):
        error = assert_error(tenant.post("queues/move", body), 422, "validation_failed")
        assert error["details"]["fields"]

    def test_other_accounts_source_is_404(self, tenant, other_tenant, factory):
        ids = other_tenant.tickets(other_tenant.inbox_id, 2)
        response = tenant.post(
            "queues/move", {"from_queue_id": other_tenant.inbox_id, "to_queue_id": tenant.inbox_id}
        )
        assert_error(response, 404, "not_found")
        assert set(queue_of(factory, ids).values()) == {other_tenant.inbox_id}

    def test_other_accounts_target_is_422(self, tenant, other_tenant, factory):
        ids = tenant.tickets(tenant.inbox_id, 2)
        response = tenant.post(
            "queues/move", {"from_queue_id": tenant.inbox_id, "to_queue_id": other_tenant.inbox_id}
        )
        assert_error(response, 422, "validation_failed", "to_queue_id")
        assert set(queue_of(factory, ids).values()) == {tenant.inbox_id}
