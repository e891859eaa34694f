"""Escalations: list, create, update, delete, and the queues they reference."""

from __future__ import annotations

import psycopg
import pytest

from handlers.escalations import MAX_ESCALATIONS
from sql import Query
from tests.factories import assert_error, race

OBJECT_KEYS = [
    "id",
    "name",
    "enabled",
    "position",
    "conditions",
    "target",
    "actions",
    "version",
    "created_at",
    "updated_at",
]
TARGET = {"metric": "first_response", "minutes": 60}


def rows(factory, tenant) -> list[dict]:
    """Everything stored for the tenant's escalations, to prove a refused call changed nothing."""
    return factory.sql(
        "SELECT e.*, ARRAY(SELECT queue_id FROM escalation_queue_refs r"
        " WHERE r.account_id = e.account_id AND r.escalation_id = e.id ORDER BY queue_id) AS refs"
        " FROM escalations e WHERE account_id = %s ORDER BY id",
        (tenant.account_id,),
    )


def refs(factory, tenant, escalation_id) -> list[int]:
    return [
        r["queue_id"]
        for r in factory.sql(
            "SELECT queue_id FROM escalation_queue_refs"
            " WHERE account_id = %s AND escalation_id = %s ORDER BY queue_id",
            (tenant.account_id, escalation_id),
        )
    ]


def positions(tenant) -> list[tuple[str, int]]:
    return [(e["name"], e["position"]) for e in tenant.ok("escalations", {})["escalations"]]


class TestList:
    def test_empty_with_default_business_hours(self, tenant):
        result = tenant.ok("escalations", {})
        assert list(result) == ["escalations", "business_hours"]
        assert result["escalations"] == []
        hours = result["business_hours"]
        assert hours["timezone"] == "UTC"
        assert hours["holidays"] == []
        assert hours["version"] == 1
        assert hours["schedule"]["monday"] == [{"start": "09:00", "end": "17:00"}]

    def test_empty_body_is_accepted(self, tenant):
        assert tenant.post("escalations", data=b"").status_code == 200

    def test_ordered_by_position_with_the_object_shape(self, tenant):
        first = tenant.escalation("Later")
        second = tenant.escalation("Earlier")
        listed = tenant.ok("escalations", {})["escalations"]
        assert [e["id"] for e in listed] == [first["id"], second["id"]]
        assert [e["position"] for e in listed] == [1, 2]
        assert list(listed[0]) == OBJECT_KEYS
        assert listed[0] == first

    def test_only_the_callers_account(self, tenant, other_tenant):
        other_tenant.escalation("Theirs")
        assert tenant.ok("escalations", {})["escalations"] == []

    def test_unknown_field(self, tenant):
        assert_error(tenant.post("escalations", {"x": 1}), 422, "validation_failed", "x", only=True)


class TestCreate:
    def test_minimal_with_defaults(self, tenant):
        escalation = tenant.escalation()
        assert list(escalation) == OBJECT_KEYS
        assert escalation["name"] == "Escalation"
        assert escalation["enabled"] is True
        assert escalation["position"] == 1
        assert escalation["conditions"] == {"queue_ids": [], "priorities": []}
        assert escalation["target"] == {**TARGET, "business_hours": False}
        assert escalation["actions"] == [{"type": "notify_users", "user_ids": [tenant.user_id]}]
        assert escalation["version"] == 1
        assert escalation["created_at"].endswith("Z")
        assert escalation["created_at"] == escalation["updated_at"]

    def test_full(self, tenant, factory):
        queue = tenant.queue("Tier 2")
        agent = factory.user(tenant.account_id, role="agent")
        escalation = tenant.escalation(
            " Urgent stuff ",
            enabled=False,
            conditions={"queue_ids": [tenant.inbox_id], "priorities": ["urgent", "high"]},
            target={"metric": "resolution", "minutes": 525_600, "business_hours": True},
            actions=[
                {"type": "move_to_queue", "queue_id": queue["id"]},
                {"type": "set_priority", "priority": "urgent"},
                {"type": "notify_users", "user_ids": [agent, tenant.user_id]},
            ],
        )
        assert escalation["name"] == "Urgent stuff"
        assert escalation["enabled"] is False
        assert escalation["conditions"] == {
            "queue_ids": [tenant.inbox_id],
            "priorities": ["urgent", "high"],
        }
        assert escalation["target"] == {
            "metric": "resolution",
            "minutes": 525_600,
            "business_hours": True,
        }
        assert escalation["actions"][0] == {"type": "move_to_queue", "queue_id": queue["id"]}
        assert list(escalation["actions"][1]) == ["type", "priority"]
        assert refs(factory, tenant, escalation["id"]) == sorted([tenant.inbox_id, queue["id"]])
        assert tenant.ok("escalations", {})["escalations"] == [escalation]

    def test_appends_at_the_end(self, tenant):
        assert [tenant.escalation(f"E{i}")["position"] for i in range(3)] == [1, 2, 3]

    @pytest.mark.parametrize("metric", ["first_response", "next_response", "resolution", "idle"])
    def test_every_metric(self, tenant, metric):
        assert (
            tenant.escalation(target={"metric": metric, "minutes": 1})["target"]["metric"] == metric
        )

    def test_the_same_queue_in_conditions_and_action_is_one_reference(self, tenant, factory):
        escalation = tenant.escalation(
            conditions={"queue_ids": [tenant.inbox_id]},
            actions=[{"type": "move_to_queue", "queue_id": tenant.inbox_id}] * 2,
        )
        assert refs(factory, tenant, escalation["id"]) == [tenant.inbox_id]

    @pytest.mark.parametrize(
        ("patch", "paths"),
        [
            ({"name": ""}, ["name"]),
            ({"name": "x" * 101}, ["name"]),
            ({"name": "a\x00b"}, ["name"]),
            ({"name": None}, ["name"]),
            ({"enabled": "yes"}, ["enabled"]),
            ({"target": None}, ["target"]),
            ({"target": {"metric": "response", "minutes": 5}}, ["target.metric"]),
            ({"target": {"metric": "idle", "minutes": 0}}, ["target.minutes"]),
            ({"target": {"metric": "idle", "minutes": 525_601}}, ["target.minutes"]),
            ({"target": {"metric": "idle", "minutes": 1.5}}, ["target.minutes"]),
            ({"target": {"metric": "idle", "minutes": "5"}}, ["target.minutes"]),
            ({"target": {"metric": "idle"}}, ["target.minutes"]),
            ({"target": {"minutes": 5}}, ["target.metric"]),
            ({"target": {**TARGET, "business_hours": 1}}, ["target.business_hours"]),
            ({"target": {**TARGET, "extra": 1}}, ["target.extra"]),
            ({"conditions": {"priorities": ["low", "low"]}}, ["conditions.priorities"]),
            ({"conditions": {"priorities": ["low", "asap"]}}, ["conditions.priorities.1"]),
            ({"conditions": {"queue_ids": [1, 1]}}, ["conditions.queue_ids"]),
            ({"conditions": {"queue_ids": [0]}}, ["conditions.queue_ids.0"]),
            ({"conditions": {"queue_ids": list(range(1, 502))}}, ["conditions.queue_ids"]),
            ({"conditions": {"queue": [1]}}, ["conditions.queue"]),
            ({"conditions": []}, ["conditions"]),
            ({"actions": []}, ["actions"]),
            ({"actions": None}, ["actions"]),
            ({"actions": [{"type": "set_priority", "priority": "low"}] * 11}, ["actions"]),
            ({"actions": ["move"]}, ["actions.0"]),
            ({"actions": [{"queue_id": 1}]}, ["actions.0.type"]),
            ({"actions": [{"type": "close_ticket"}]}, ["actions.0.type"]),
            ({"actions": [{"type": 7}]}, ["actions.0.type"]),
            ({"actions": [{"type": "move_to_queue"}]}, ["actions.0.queue_id"]),
            ({"actions": [{"type": "move_to_queue", "queue_id": "1"}]}, ["actions.0.queue_id"]),
            (
                {"actions": [{"type": "move_to_queue", "queue_id": 1, "priority": "low"}]},
                ["actions.0.priority"],
            ),
            ({"actions": [{"type": "set_priority", "priority": "asap"}]}, ["actions.0.priority"]),
            ({"actions": [{"type": "set_priority"}]}, ["actions.0.priority"]),
            ({"actions": [{"type": "notify_users", "user_ids": []}]}, ["actions.0.user_ids"]),
            ({"actions": [{"type": "notify_users", "user_ids": [5, 5]}]}, ["actions.0.user_ids"]),
            (
                {"actions": [{"type": "notify_users", "user_ids": list(range(1, 102))}]},
                ["actions.0.user_ids"],
            ),
            (
                {
                    "actions": [
                        {"type": "set_priority", "priority": "low"},
                        {"type": "notify_users", "user_ids": [-1]},
                    ]
                },
                ["actions.1.user_ids.0"],
            ),
            ({"id": 5}, ["id"]),
            ({"position": 1}, ["position"]),
        ],
    )
    def test_invalid_body(self, tenant, factory, patch, paths):
        assert_error(
            tenant.post("escalations/create", {**tenant.escalation_body(), **patch}),
            422,
            "validation_failed",
            *paths,
            only=True,
        )
        assert rows(factory, tenant) == []

    @pytest.mark.parametrize("missing", ["name", "target", "actions"])
    def test_required(self, tenant, factory, missing):
        payload = tenant.escalation_body()
        del payload[missing]
        assert_error(
            tenant.post("escalations/create", payload), 422, "validation_failed", missing, only=True
        )
        assert rows(factory, tenant) == []

    def test_unknown_references_name_every_offending_path(self, tenant, other_tenant, factory):
        theirs = other_tenant.queue("Theirs")
        inactive = factory.user(tenant.account_id, active=False)
        payload = tenant.escalation_body(
            conditions={"queue_ids": [tenant.inbox_id, other_tenant.inbox_id]},
            actions=[
                {"type": "notify_users", "user_ids": [tenant.user_id, other_tenant.user_id]},
                {"type": "move_to_queue", "queue_id": theirs["id"]},
                {"type": "move_to_queue", "queue_id": tenant.inbox_id},
                {"type": "notify_users", "user_ids": [inactive, 2**62]},
            ],
        )
        error = assert_error(
            tenant.post("escalations/create", payload),
            422,
            "validation_failed",
            "conditions.queue_ids.1",
            "actions.0.user_ids.1",
            "actions.1.queue_id",
            "actions.3.user_ids.0",
            "actions.3.user_ids.1",
            only=True,
        )
        assert "queue" in error["details"]["fields"]["actions.1.queue_id"][0]
        assert "user" in error["details"]["fields"]["actions.3.user_ids.0"][0]
        assert rows(factory, tenant) == []

    def test_references_are_checked_in_one_query_per_kind(self, tenant, monkeypatch):
        calls = []
        original = Query.all

        def counting_all(self, cur, **params):
            calls.append(self.name)
            return original(self, cur, **params)

        monkeypatch.setattr(Query, "all", counting_all)
        actions = [{"type": "move_to_queue", "queue_id": tenant.inbox_id}] * 5
        actions += [{"type": "notify_users", "user_ids": [tenant.user_id]}] * 5
        tenant.escalation(conditions={"queue_ids": [tenant.inbox_id]}, actions=actions)
        assert sorted(c for c in calls if c in ("existing_queues", "active_users")) == [
            "active_users",
            "existing_queues",
        ]

    def test_name_taken_ignoring_case(self, tenant, factory):
        tenant.escalation("Slow replies")
        before = rows(factory, tenant)
        response = tenant.post("escalations/create", tenant.escalation_body("SLOW REPLIES"))
        assert_error(response, 409, "name_taken")
        assert rows(factory, tenant) == before

    def test_same_name_in_another_account(self, tenant, other_tenant):
        other_tenant.escalation("Shared")
        tenant.escalation("Shared")

    def test_limit_per_account(self, tenant, factory):
        factory.sql(
            "INSERT INTO escalations (account_id, name, position, target_metric, target_minutes,"
            " actions) SELECT %s, 'E' || n, n, 'idle', 5, '[{\"type\": \"set_priority\","
            ' "priority": "low"}]\' FROM generate_series(1, %s) n',
            (tenant.account_id, MAX_ESCALATIONS - 1),
        )
        assert tenant.escalation("Last one")["position"] == MAX_ESCALATIONS
        response = tenant.post("escalations/create", tenant.escalation_body("One too many"))
        error = assert_error(response, 409, "limit_reached")
        assert error["details"] == {"resource": "escalations", "limit": MAX_ESCALATIONS}
        assert len(rows(factory, tenant)) == MAX_ESCALATIONS

    def test_idempotency_key_creates_once(self, tenant, factory):
        headers = {"Idempotency-Key": "create-escalation-1"}
        first = tenant.post("escalations/create", tenant.escalation_body(), headers=headers)
        again = tenant.post("escalations/create", tenant.escalation_body(), headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.headers.get("Idempotent-Replayed") == "true"
        assert again.get_json() == first.get_json()
        assert len(rows(factory, tenant)) == 1


class TestUpdate:
    def test_changes_only_what_is_sent(self, tenant):
        escalation = tenant.escalation(enabled=True)
        updated = tenant.ok("escalations/update", {"id": escalation["id"], "enabled": False})[
            "escalation"
        ]
        assert updated["enabled"] is False
        assert updated["version"] == 2
        assert updated["updated_at"] > escalation["updated_at"]
        unchanged = {
            k: v for k, v in updated.items() if k not in ("enabled", "version", "updated_at")
        }
        assert unchanged == {
            k: v for k, v in escalation.items() if k not in ("enabled", "version", "updated_at")
        }

    def test_replaces_conditions_target_and_actions_and_their_queue_refs(self, tenant, factory):
        first, second = tenant.queue("First"), tenant.queue("Second")
        escalation = tenant.escalation(
            conditions={"queue_ids": [first["id"]], "priorities": ["low"]},
            actions=[{"type": "move_to_queue", "queue_id": first["id"]}],
        )
        assert refs(factory, tenant, escalation["id"]) == [first["id"]]
        updated = tenant.ok(
            "escalations/update",
            {
                "id": escalation["id"],
                "conditions": {"priorities": ["high"]},
                "target": {"metric": "idle", "minutes": 30},
                "actions": [{"type": "move_to_queue", "queue_id": second["id"]}],
            },
        )["escalation"]
        # Each object sent replaces the whole of that part (omitted keys take their defaults).
        assert updated["conditions"] == {"queue_ids": [], "priorities": ["high"]}
        assert updated["target"] == {"metric": "idle", "minutes": 30, "business_hours": False}
        assert updated["actions"] == [{"type": "move_to_queue", "queue_id": second["id"]}]
        assert updated["version"] == 2
        assert refs(factory, tenant, escalation["id"]) == [second["id"]]
        tenant.ok("queues/delete", {"queue_id": first["id"]})

    def test_no_change_keeps_the_version(self, tenant):
        escalation = tenant.escalation()
        same = tenant.ok(
            "escalations/update",
            {
                "id": escalation["id"],
                "name": escalation["name"],
                "target": TARGET,
                "actions": escalation["actions"],
                "conditions": {},
                "expected_version": 1,
            },
        )["escalation"]
        assert same == escalation

    def test_expected_version_mismatch(self, tenant, factory):
        escalation = tenant.escalation()
        tenant.ok("escalations/update", {"id": escalation["id"], "name": "Renamed"})
        before = rows(factory, tenant)
        response = tenant.post(
            "escalations/update", {"id": escalation["id"], "name": "Again", "expected_version": 1}
        )
        error = assert_error(response, 409, "version_conflict")
        assert error["details"] == {"current_version": 2}
        assert rows(factory, tenant) == before

    def test_name_taken(self, tenant, factory):
        tenant.escalation("Taken")
        escalation = tenant.escalation("Mine")
        before = rows(factory, tenant)
        response = tenant.post("escalations/update", {"id": escalation["id"], "name": "taken"})
        assert_error(response, 409, "name_taken")
        assert rows(factory, tenant) == before

    def test_rename_changing_only_case(self, tenant):
        escalation = tenant.escalation("loud")
        assert (
            tenant.ok("escalations/update", {"id": escalation["id"], "name": "LOUD"})["escalation"][
                "name"
            ]
            == "LOUD"
        )

    def test_unknown_references(self, tenant, other_tenant, factory):
        escalation = tenant.escalation()
        before = rows(factory, tenant)
        response = tenant.post(
            "escalations/update",
            {
                "id": escalation["id"],
                "conditions": {"queue_ids": [other_tenant.inbox_id]},
                "actions": [
                    {"type": "set_priority", "priority": "low"},
                    {"type": "move_to_queue", "queue_id": other_tenant.inbox_id},
                ],
            },
        )
        assert_error(
            response,
            422,
            "validation_failed",
            "conditions.queue_ids.0",
            "actions.1.queue_id",
            only=True,
        )
        assert rows(factory, tenant) == before

    def test_unchanged_parts_are_not_rechecked(self, tenant, factory):
        # A user who left after the escalation was saved does not block renaming it.
        agent = factory.user(tenant.account_id, role="agent")
        escalation = tenant.escalation(actions=[{"type": "notify_users", "user_ids": [agent]}])
        factory.sql("UPDATE users SET active = false WHERE id = %s", (agent,))
        tenant.ok("escalations/update", {"id": escalation["id"], "name": "Renamed"})
        response = tenant.post(
            "escalations/update",
            {
                "id": escalation["id"],
                "actions": [{"type": "notify_users", "user_ids": [agent, tenant.user_id]}],
            },
        )
        assert_error(response, 422, "validation_failed", "actions.0.user_ids.0", only=True)

    @pytest.mark.parametrize(
        ("patch", "paths"),
        [
            ({"name": " "}, ["name"]),
            ({"target": {"metric": "idle"}}, ["target.minutes"]),
            ({"actions": []}, ["actions"]),
            ({"actions": [{"type": "wait"}]}, ["actions.0.type"]),
            ({"position": 0}, ["position"]),
            ({"expected_version": 0}, ["expected_version"]),
            ({"bogus": True}, ["bogus"]),
        ],
    )
    def test_invalid_body(self, tenant, factory, patch, paths):
        escalation = tenant.escalation()
        before = rows(factory, tenant)
        assert_error(
            tenant.post("escalations/update", {"id": escalation["id"], **patch}),
            422,
            "validation_failed",
            *paths,
            only=True,
        )
        assert rows(factory, tenant) == before

    def test_id_required(self, tenant):
        assert_error(
            tenant.post("escalations/update", {"name": "x"}),
            422,
            "validation_failed",
            "id",
            only=True,
        )

    def test_unknown_id(self, tenant):
        response = tenant.post("escalations/update", {"id": 2**62, "name": "x"})
        error = assert_error(response, 404, "not_found")
        assert error["details"] == {"resource": "escalation", "id": 2**62}

    def test_other_accounts_escalation_is_not_found(self, tenant, other_tenant, factory):
        theirs = other_tenant.escalation("Theirs")
        before = rows(factory, other_tenant)
        response = tenant.post("escalations/update", {"id": theirs["id"], "name": "Mine now"})
        assert_error(response, 404, "not_found")
        assert rows(factory, other_tenant) == before


class TestReorder:
    """``position`` in update moves an escalation; the others shift so positions stay 1..n."""

    def test_move_up_and_down(self, tenant):
        ids = {name: tenant.escalation(name)["id"] for name in "ABCD"}
        moved = tenant.ok("escalations/update", {"id": ids["D"], "position": 2})["escalation"]
        assert moved["position"] == 2
        assert moved["version"] == 2
        assert positions(tenant) == [("A", 1), ("D", 2), ("B", 3), ("C", 4)]
        tenant.ok("escalations/update", {"id": ids["A"], "position": 4})
        assert positions(tenant) == [("D", 1), ("B", 2), ("C", 3), ("A", 4)]

    def test_beyond_the_last_position(self, tenant, factory):
        escalation = tenant.escalation("A")
        tenant.escalation("B")
        before = rows(factory, tenant)
        error = assert_error(
            tenant.post("escalations/update", {"id": escalation["id"], "position": 3}),
            422,
            "validation_failed",
            "position",
            only=True,
        )
        assert "between 1 and 2" in error["details"]["fields"]["position"][0]
        assert rows(factory, tenant) == before


class TestDelete:
    def test_deletes_and_closes_the_gap(self, tenant, factory):
        ids = [
            tenant.escalation(name, conditions={"queue_ids": [tenant.inbox_id]})["id"]
            for name in "ABC"
        ]
        assert tenant.ok("escalations/delete", {"id": ids[1]}) == {"deleted": True, "id": ids[1]}
        assert positions(tenant) == [("A", 1), ("C", 2)]
        assert refs(factory, tenant, ids[1]) == []
        assert tenant.escalation("D")["position"] == 3

    def test_deleting_the_last_then_reusing_the_name(self, tenant):
        escalation = tenant.escalation("Again")
        tenant.ok("escalations/delete", {"id": escalation["id"]})
        assert tenant.escalation("Again")["position"] == 1

    def test_unknown_id(self, tenant):
        response = tenant.post("escalations/delete", {"id": 2**62})
        assert response.status_code == 404

    def test_other_accounts_escalation_is_not_found(self, tenant, other_tenant, factory):
        theirs = other_tenant.escalation("Theirs")
        before = rows(factory, other_tenant)
        assert tenant.post("escalations/delete", {"id": theirs["id"]}).status_code == 404
        assert rows(factory, other_tenant) == before

    @pytest.mark.parametrize("payload", [{}, {"id": "1"}, {"id": 0}, {"id": 1, "force": True}])
    def test_invalid_body(self, tenant, factory, payload):
        tenant.escalation()
        before = rows(factory, tenant)
        assert tenant.post("escalations/delete", payload).status_code == 422
        assert rows(factory, tenant) == before


class TestQueueDeleteWithEscalations:
    def test_queue_in_a_condition_or_action_cannot_be_deleted(self, tenant, factory):
        queue = tenant.queue("Referenced")
        in_condition = tenant.escalation("Cond", conditions={"queue_ids": [queue["id"]]})
        in_action = tenant.escalation(
            "Act", actions=[{"type": "move_to_queue", "queue_id": queue["id"]}]
        )
        tenant.escalation("Unrelated")
        tenant.tickets(queue["id"], 2)
        response = tenant.post(
            "queues/delete", {"queue_id": queue["id"], "reassign_to_queue_id": tenant.inbox_id}
        )
        error = assert_error(response, 409, "queue_in_use")
        assert error["details"] == {
            "ticket_count": 2,
            "escalation_ids": sorted([in_condition["id"], in_action["id"]]),
        }
        assert factory.sql(
            "SELECT count(*) AS n FROM tickets WHERE account_id = %s AND queue_id = %s",
            (tenant.account_id, queue["id"]),
        ) == [{"n": 2}]

    def test_deletable_once_no_escalation_names_it(self, tenant):
        queue = tenant.queue("Soon free")
        escalation = tenant.escalation(conditions={"queue_ids": [queue["id"]]})
        assert tenant.post("queues/delete", {"queue_id": queue["id"]}).status_code == 409
        tenant.ok("escalations/update", {"id": escalation["id"], "conditions": {}})
        tenant.ok("queues/delete", {"queue_id": queue["id"]})

    def test_the_database_refuses_to_delete_a_referenced_queue(self, tenant, factory):
        queue = tenant.queue("Guarded")
        tenant.escalation(conditions={"queue_ids": [queue["id"]]})
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            factory.sql(
                "DELETE FROM queues WHERE account_id = %s AND id = %s",
                (tenant.account_id, queue["id"]),
            )


class TestNewAccounts:
    def test_every_account_gets_default_business_hours(self, factory):
        account_id = factory.account(plan="starter")
        hours = factory.one("SELECT * FROM business_hours WHERE account_id = %s", (account_id,))
        assert hours["timezone"] == "UTC"
        assert hours["version"] == 1
        assert hours["holidays"] == []
        assert hours["schedule"]["saturday"] == []
        assert hours["schedule"]["friday"] == [{"start": "09:00", "end": "17:00"}]


class TestMigration:
    def test_backfills_existing_accounts_and_rolls_back_cleanly(self, fresh_database):
        from yoyo import get_backend, read_migrations

        import sql
        from tickiti_workflow.db import migrate, yoyo_url

        url = fresh_database()
        backend = get_backend(yoyo_url(url))
        try:
            migrations = read_migrations(str(sql.MIGRATIONS))
            earlier = migrations.filter(lambda m: m.id < "0004")
            this = migrations.filter(lambda m: m.id.startswith("0004."))
            with backend.lock():
                backend.apply_migrations(backend.to_apply(earlier))
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("INSERT INTO accounts (name, plan_code) VALUES ('Old', 'pro')")
                assert migrate(url) >= 1
                assert conn.execute("SELECT timezone, version FROM business_hours").fetchall() == [
                    ("UTC", 1)
                ]
                with backend.lock():
                    backend.rollback_migrations(backend.to_rollback(this))
                tables = conn.execute(
                    "SELECT count(*) FROM pg_tables WHERE tablename IN"
                    " ('escalations', 'escalation_queue_refs', 'business_hours')"
                ).fetchone()
                assert tables == (0,)
                conn.execute("INSERT INTO accounts (name, plan_code) VALUES ('No trigger', 'pro')")
                assert migrate(url) >= 1
                assert conn.execute("SELECT count(*) FROM business_hours").fetchone() == (2,)
        finally:
            backend.connection.close()


class TestRaces:
    def test_queue_delete_against_an_escalation_naming_it(self, tenant, factory):
        for n in range(8):
            queue = tenant.queue()
            created, deleted = race(
                lambda q=queue, n=n: tenant.post(
                    "escalations/create",
                    tenant.escalation_body(f"Race {n}", conditions={"queue_ids": [q["id"]]}),
                ),
                lambda q=queue: tenant.post("queues/delete", {"queue_id": q["id"]}),
            )
            outcome = (created.status_code, deleted.status_code)
            assert outcome in ((201, 409), (422, 200)), (created.get_json(), deleted.get_json())

    def test_parallel_creates_and_deletes_keep_positions_one_to_n(self, tenant):
        existing = [tenant.escalation(f"Old {i}")["id"] for i in range(6)]
        calls = [
            lambda i=i: tenant.post("escalations/create", tenant.escalation_body(f"New {i}"))
            for i in range(4)
        ]
        calls += [lambda e=e: tenant.post("escalations/delete", {"id": e}) for e in existing[::2]]
        assert {r.status_code for r in race(*calls)} == {200, 201}
        listed = tenant.ok("escalations", {})["escalations"]
        assert [e["position"] for e in listed] == list(range(1, 8))
