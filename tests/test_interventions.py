"""Interventions: list, create, update, delete and their form fields."""

from __future__ import annotations

import pytest

from tests.factories import (  # noqa: F401 - fixtures
    REMOTE_URL,
    assert_error,
    no_secret_leaks,
    secret_watch,
)

PATHS = {
    "list": "interventions",
    "create": "interventions/create",
    "update": "interventions/update",
    "delete": "interventions/delete",
    "generate-token": "interventions/generate-token",
}
OBJECT_KEYS = [
    "id",
    "name",
    "description",
    "enabled",
    "remote_url",
    "fields",
    "has_remote_token",
    "remote_token_hint",
    "remote_token_created_at",
    "remote_token_last_used_at",
    "version",
    "created_at",
    "updated_at",
]


def update(tenant, intervention_id: int, **kw) -> dict:
    return tenant.ok(PATHS["update"], {"intervention_id": intervention_id, **kw})["intervention"]


def rows(tenant) -> list[dict]:
    """Everything the database holds for the tenant's interventions."""
    return tenant.factory.sql(
        "SELECT * FROM interventions WHERE account_id = %s ORDER BY id", (tenant.account_id,)
    )


def field(key="answer", type_="text", **kw) -> dict:
    return {"key": key, "label": key.title(), "type": type_, **kw}


SELECT = field(
    "outcome", "select", options=[{"value": "ok", "label": "OK"}, {"value": "ko", "label": "KO"}]
)


# --- gates --------------------------------------------------------------------------------

GATE_BODIES = {
    "list": {},
    "create": {"name": "Gated", "remote_url": REMOTE_URL},
    "update": {"intervention_id": 1, "name": "Gated"},
    "delete": {"intervention_id": 1},
    "generate-token": {"intervention_id": 1},
}


class TestGates:
    @pytest.mark.parametrize("plan", ["starter", "growth"])
    @pytest.mark.parametrize("endpoint", list(PATHS))
    def test_plan_without_interventions_is_refused(self, factory, endpoint, plan):
        lacking = factory.tenant(plan=plan)
        error = assert_error(
            lacking.post(PATHS[endpoint], GATE_BODIES[endpoint]), 403, "feature_not_in_plan"
        )
        assert error["details"] == {"feature": "interventions"}
        assert rows(lacking) == []

    @pytest.mark.parametrize("endpoint", ["create", "update", "delete", "generate-token"])
    def test_writes_need_workflow_write(self, factory, endpoint):
        reader = factory.tenant(abilities=("workflow:read",))
        response = reader.post(PATHS[endpoint], GATE_BODIES[endpoint])
        assert_error(response, 403, "insufficient_ability")
        assert rows(reader) == []

    def test_list_with_read_ability(self, factory):
        reader = factory.tenant(abilities=("workflow:read",))
        assert reader.ok(PATHS["list"], {}) == {"interventions": []}

    @pytest.mark.parametrize("endpoint", list(PATHS))
    def test_agent_is_refused(self, factory, endpoint):
        agent = factory.tenant(role="agent")
        assert_error(agent.post(PATHS[endpoint], GATE_BODIES[endpoint]), 403, "admin_required")
        assert rows(agent) == []

    @pytest.mark.parametrize("endpoint", list(PATHS))
    def test_no_token_is_refused(self, tenant, endpoint):
        headers = {"Authorization": "Bearer tkt_not-a-real-token"}
        response = tenant.post(PATHS[endpoint], GATE_BODIES[endpoint], headers=headers)
        assert_error(response, 401, "invalid_token")
        assert rows(tenant) == []


# --- list ---------------------------------------------------------------------------------


class TestListInterventions:
    def test_empty(self, tenant):
        assert tenant.ok(PATHS["list"]) == {"interventions": []}

    def test_lists_by_name_with_every_key(self, tenant):
        b = tenant.intervention("beta", fields=[SELECT])
        a = tenant.intervention("Alpha")
        found = tenant.ok(PATHS["list"], {})["interventions"]
        assert [i["id"] for i in found] == [a["id"], b["id"]]
        assert list(found[0]) == OBJECT_KEYS
        assert found[1] == b

    def test_other_accounts_are_invisible(self, tenant, other_tenant):
        other_tenant.intervention("Theirs")
        mine = tenant.intervention("Mine")
        assert [i["id"] for i in tenant.ok(PATHS["list"], {})["interventions"]] == [mine["id"]]

    def test_unknown_field(self, tenant):
        assert_error(tenant.post(PATHS["list"], {"enabled": True}), 422, "validation_failed")


# --- create -------------------------------------------------------------------------------


class TestCreateIntervention:
    def test_defaults(self, tenant):
        created = tenant.intervention("  Refund  ")
        assert list(created) == OBJECT_KEYS
        assert created["name"] == "Refund"
        assert created["description"] == ""
        assert created["enabled"] is True
        assert created["remote_url"] == REMOTE_URL
        assert created["fields"] == []
        assert created["has_remote_token"] is False
        assert created["remote_token_hint"] is None
        assert created["remote_token_created_at"] is None
        assert created["remote_token_last_used_at"] is None
        assert created["version"] == 1
        assert created["created_at"].endswith("Z")
        assert rows(tenant)[0]["remote_token_hash"] is None

    def test_every_field_type_in_list_order(self, tenant):
        sent = [
            field("summary", "textarea", required=True, help_text="What happened?"),
            field("amount", "number"),
            SELECT,
            field("tags", "multiselect", options=[{"value": "a", "label": "A"}]),
            field("urgent", "checkbox", options=[]),
            field("due", "date"),
            field("note", "text", options=None),
        ]
        created = tenant.intervention(description="Runs a refund", enabled=False, fields=sent)
        assert created["enabled"] is False
        assert created["description"] == "Runs a refund"
        assert [f["key"] for f in created["fields"]] == [f["key"] for f in sent]
        assert created["fields"][0] == {
            "key": "summary",
            "label": "Summary",
            "type": "textarea",
            "required": True,
            "options": [],
            "help_text": "What happened?",
        }
        assert created["fields"][2]["options"] == SELECT["options"]
        for f in created["fields"]:
            assert list(f) == ["key", "label", "type", "required", "options", "help_text"]
        assert created["fields"][1]["required"] is False
        assert created["fields"][1]["help_text"] == ""
        assert tenant.ok(PATHS["list"], {})["interventions"][0]["fields"] == created["fields"]

    def test_limits_are_inclusive(self, tenant):
        url = "https://example.com/" + "p" * (2048 - len("https://example.com/"))
        fields = [field(f"f{i}", help_text="h" * 500, label="l" * 100) for i in range(50)]
        fields[0]["key"] = "k" + "x" * 63
        created = tenant.intervention(
            "n" * 100, remote_url=url, description="d" * 1000, fields=fields
        )
        assert len(created["fields"]) == 50
        assert created["remote_url"] == url

    @pytest.mark.parametrize(
        "url",
        [
            "https://example.com",
            "https://EXAMPLE.com:8443/hook?x=1#frag",
            "https://8.8.8.8/hook",
            "https://[2606:4700:4700::1111]/hook",
            "https://xn--bcher-kva.example/hook",
            "https://localhost.example.com/hook",
        ],
    )
    def test_accepted_remote_urls(self, tenant, url):
        assert tenant.intervention(remote_url=url)["remote_url"] == url

    @pytest.mark.parametrize(
        ("url", "reason"),
        [
            ("http://example.com/hook", "https"),
            ("ftp://example.com/hook", "https"),
            ("//example.com/hook", "https"),
            ("/hook", "https"),
            ("example.com/hook", "https"),
            ("https://", "host"),
            ("https:///path", "host"),
            ("https://localhost/hook", "localhost"),
            ("https://LOCALHOST./hook", "localhost"),
            ("https://api.localhost/hook", "localhost"),
            ("https://127.0.0.1/hook", "loopback"),
            ("https://127.1/hook", "loopback"),
            ("https://2130706433/hook", "loopback"),
            ("https://0x7f.0.0.1/hook", "loopback"),
            ("https://[::1]/hook", "loopback"),
            ("https://10.1.2.3/hook", "private"),
            ("https://172.16.0.1/hook", "private"),
            ("https://192.168.1.1:8443/hook", "private"),
            ("https://[fc00::1]/hook", "private"),
            ("https://169.254.169.254/latest", "link-local"),
            ("https://[fe80::1]/hook", "link-local"),
            ("https://0.0.0.0/hook", "unspecified"),
            ("https://[::]/hook", "unspecified"),
            ("https://[::ffff:127.0.0.1]/hook", "loopback"),
            ("https://[::ffff:10.0.0.1]/hook", "private"),
            ("https://224.0.0.1/hook", "multicast"),
            ("https://100.64.0.1/hook", "not publicly routable"),
            ("https://user:pw@example.com/hook", "credentials"),
            ("https://example.com:99999/hook", "valid"),
            ("https://exa mple.com/hook", "host"),
            ("https://example.com/" + "p" * 2029, "2048"),
        ],
    )
    def test_refused_remote_urls(self, tenant, url, reason):
        response = tenant.post(PATHS["create"], {"name": "Bad url", "remote_url": url})
        error = assert_error(response, 422, "validation_failed")
        messages = error["details"]["fields"]["remote_url"]
        assert any(reason in m for m in messages), messages
        assert rows(tenant) == []

    @pytest.mark.parametrize(
        ("body", "path"),
        [
            ({"name": None}, "name"),
            ({"name": ""}, "name"),
            ({"name": "x" * 101}, "name"),
            ({"remote_url": None}, "remote_url"),
            ({"remote_url": 5}, "remote_url"),
            ({"description": "d" * 1001}, "description"),
            ({"enabled": "yes"}, "enabled"),
            ({"enabled": 1}, "enabled"),
            ({"fields": {}}, "fields"),
            ({"fields": None}, "fields"),
            ({"fields": ["text"]}, "fields.0"),
            ({"fields": [field(f"f{i}") for i in range(51)]}, "fields"),
            ({"fields": [field("a"), field("b"), field("a")]}, "fields.2.key"),
            ({"fields": [field("Upper")]}, "fields.0.key"),
            ({"fields": [field("1st")]}, "fields.0.key"),
            ({"fields": [field("a-b")]}, "fields.0.key"),
            ({"fields": [field("ok\n")]}, "fields.0.key"),
            ({"fields": [field("k" + "x" * 64)]}, "fields.0.key"),
            ({"fields": [{"label": "L", "type": "text"}]}, "fields.0.key"),
            ({"fields": [field(label="")]}, "fields.0.label"),
            ({"fields": [field(label="l" * 101)]}, "fields.0.label"),
            ({"fields": [{"key": "a", "type": "text"}]}, "fields.0.label"),
            ({"fields": [field(type_="radio")]}, "fields.0.type"),
            ({"fields": [{"key": "a", "label": "A"}]}, "fields.0.type"),
            ({"fields": [field(required="true")]}, "fields.0.required"),
            ({"fields": [field(help_text="h" * 501)]}, "fields.0.help_text"),
            ({"fields": [field(help_text="bad\x00")]}, "fields.0.help_text"),
            ({"fields": [field(placeholder="x")]}, "fields.0.placeholder"),
            ({"fields": [field(type_="select")]}, "fields.0.options"),
            ({"fields": [field(type_="select", options=[])]}, "fields.0.options"),
            ({"fields": [field(type_="multiselect", options=None)]}, "fields.0.options"),
            (
                {"fields": [field(options=[{"value": "a", "label": "A"}])]},
                "fields.0.options",
            ),
            (
                {"fields": [field(type_="checkbox", options=[{"value": "a", "label": "A"}])]},
                "fields.0.options",
            ),
            (
                {
                    "fields": [
                        SELECT,
                        field(
                            "pick",
                            "select",
                            options=[{"value": "a", "label": "A"}, {"value": "a", "label": "B"}],
                        ),
                    ]
                },
                "fields.1.options",
            ),
            ({"fields": [field(type_="select", options=["a"])]}, "fields.0.options.0"),
            (
                {"fields": [field(type_="select", options=[{"value": "a"}])]},
                "fields.0.options.0.label",
            ),
            (
                {"fields": [field(type_="select", options=[{"value": "", "label": "A"}])]},
                "fields.0.options.0.value",
            ),
            (
                {"fields": [field(type_="select", options=[{"value": "a", "label": "A", "x": 1}])]},
                "fields.0.options.0.x",
            ),
            ({"token": "tkr_x"}, "token"),
        ],
    )
    def test_validation(self, tenant, body, path):
        response = tenant.post(PATHS["create"], {"name": "Form", "remote_url": REMOTE_URL, **body})
        assert_error(response, 422, "validation_failed", path)
        assert rows(tenant) == []

    @pytest.mark.parametrize("missing", ["name", "remote_url"])
    def test_required(self, tenant, missing):
        body = {"name": "Form", "remote_url": REMOTE_URL}
        del body[missing]
        assert_error(tenant.post(PATHS["create"], body), 422, "validation_failed", missing)
        assert rows(tenant) == []

    def test_name_taken_ignores_case(self, tenant):
        tenant.intervention("Refund")
        before = rows(tenant)
        response = tenant.post(PATHS["create"], {"name": "REFUND", "remote_url": REMOTE_URL})
        assert_error(response, 409, "name_taken")
        assert rows(tenant) == before

    def test_same_name_in_another_account(self, tenant, other_tenant):
        other_tenant.intervention("Refund")
        assert tenant.intervention("Refund")["name"] == "Refund"

    def test_limit_of_200(self, tenant):
        tenant.factory.sql(
            "INSERT INTO interventions (account_id, name, remote_url)"
            " SELECT %s, 'Bulk ' || n, %s FROM generate_series(1, 199) n",
            (tenant.account_id, REMOTE_URL),
        )
        tenant.intervention("The 200th")
        response = tenant.post(PATHS["create"], {"name": "One too many", "remote_url": REMOTE_URL})
        error = assert_error(response, 409, "limit_reached")
        assert error["details"] == {"resource": "interventions", "limit": 200}
        assert len(rows(tenant)) == 200


# --- update -------------------------------------------------------------------------------


class TestUpdateIntervention:
    def test_updates_and_bumps_version(self, tenant):
        item = tenant.intervention("Old", fields=[SELECT])
        updated = update(
            tenant,
            item["id"],
            name="New",
            description="Now described",
            enabled=False,
            remote_url="https://other.example.com/x",
            expected_version=1,
        )
        assert list(updated) == OBJECT_KEYS
        assert (updated["name"], updated["description"], updated["enabled"]) == (
            "New",
            "Now described",
            False,
        )
        assert updated["remote_url"] == "https://other.example.com/x"
        assert updated["fields"] == item["fields"]
        assert updated["version"] == 2
        assert tenant.ok(PATHS["list"], {})["interventions"] == [updated]

    def test_fields_replace_the_whole_list(self, tenant):
        item = tenant.intervention(fields=[field("a"), field("b"), SELECT])
        updated = update(tenant, item["id"], fields=[field("c", "date"), field("a", "number")])
        assert [(f["key"], f["type"]) for f in updated["fields"]] == [
            ("c", "date"),
            ("a", "number"),
        ]
        assert rows(tenant)[0]["fields"] == updated["fields"]

    def test_empty_fields_clear_the_form(self, tenant):
        item = tenant.intervention(fields=[SELECT])
        assert update(tenant, item["id"], fields=[])["fields"] == []

    def test_omitted_fields_are_kept(self, tenant):
        item = tenant.intervention(fields=[SELECT])
        assert update(tenant, item["id"], name="Renamed")["fields"] == item["fields"]

    def test_sending_back_what_was_read_changes_nothing(self, tenant):
        item = tenant.intervention(description="d", fields=[SELECT, field("note", help_text="hi")])
        editable = {k: item[k] for k in ("name", "description", "enabled", "remote_url", "fields")}
        updated = update(tenant, item["id"], expected_version=1, **editable)
        assert updated["version"] == 1
        assert updated["updated_at"] == item["updated_at"]

    def test_keeps_token_state(self, tenant):
        item = tenant.intervention()
        minted = tenant.ok(PATHS["generate-token"], {"intervention_id": item["id"]})
        updated = update(tenant, item["id"], name="Renamed")
        assert updated["has_remote_token"] is True
        assert updated["remote_token_hint"] == minted["remote_token_hint"]

    def test_version_conflict(self, tenant):
        item = tenant.intervention()
        update(tenant, item["id"], enabled=False)
        before = rows(tenant)
        body = {"intervention_id": item["id"], "fields": [SELECT], "expected_version": 1}
        error = assert_error(tenant.post(PATHS["update"], body), 409, "version_conflict")
        assert error["details"] == {"current_version": 2}
        assert rows(tenant) == before

    def test_name_taken(self, tenant):
        tenant.intervention("Taken")
        item = tenant.intervention("Free")
        before = rows(tenant)
        body = {"intervention_id": item["id"], "name": "TAKEN"}
        assert_error(tenant.post(PATHS["update"], body), 409, "name_taken")
        assert rows(tenant) == before

    def test_unknown_id(self, tenant):
        body = {"intervention_id": 999_999_999, "name": "x"}
        assert_error(tenant.post(PATHS["update"], body), 404, "not_found")

    def test_other_accounts_intervention_is_not_found(self, tenant, other_tenant):
        theirs = other_tenant.intervention()
        before = rows(other_tenant)
        body = {"intervention_id": theirs["id"], "remote_url": "https://evil.example.com"}
        error = assert_error(tenant.post(PATHS["update"], body), 404, "not_found")
        assert error["details"]["resource"] == "intervention"
        assert rows(other_tenant) == before

    @pytest.mark.parametrize(
        ("body", "path"),
        [
            ({"name": ""}, "name"),
            ({"remote_url": "http://example.com"}, "remote_url"),
            ({"remote_url": "https://[::1]/x"}, "remote_url"),
            ({"remote_url": None}, "remote_url"),
            ({"enabled": None}, "enabled"),
            ({"fields": [SELECT, field("outcome")]}, "fields.1.key"),
            ({"fields": [field(type_="select")]}, "fields.0.options"),
            ({"fields": [field(f"f{i}") for i in range(51)]}, "fields"),
            ({"fields": [field(), {**field("b"), "extra": True}]}, "fields.1.extra"),
            ({"expected_version": 0}, "expected_version"),
            ({"id": 1}, "id"),
            ({"has_remote_token": False}, "has_remote_token"),
        ],
    )
    def test_validation(self, tenant, body, path):
        item = tenant.intervention(fields=[field("kept")])
        before = rows(tenant)
        response = tenant.post(PATHS["update"], {"intervention_id": item["id"], **body})
        assert_error(response, 422, "validation_failed", path)
        assert rows(tenant) == before

    def test_intervention_id_required(self, tenant):
        assert_error(
            tenant.post(PATHS["update"], {"name": "x"}), 422, "validation_failed", "intervention_id"
        )


# --- delete -------------------------------------------------------------------------------


class TestDeleteIntervention:
    def test_deletes(self, tenant):
        keep, gone = tenant.intervention(), tenant.intervention()
        body = {"intervention_id": gone["id"]}
        assert tenant.ok(PATHS["delete"], body) == {"deleted": True, "id": gone["id"]}
        assert [r["id"] for r in rows(tenant)] == [keep["id"]]
        assert_error(tenant.post(PATHS["delete"], body), 404, "not_found")

    def test_unknown_id(self, tenant):
        response = tenant.post(PATHS["delete"], {"intervention_id": 999_999_999})
        assert_error(response, 404, "not_found")

    def test_other_accounts_intervention_is_not_found(self, tenant, other_tenant):
        theirs = other_tenant.intervention()
        before = rows(other_tenant)
        response = tenant.post(PATHS["delete"], {"intervention_id": theirs["id"]})
        assert_error(response, 404, "not_found")
        assert rows(other_tenant) == before

    @pytest.mark.parametrize(
        "body", [{}, {"intervention_id": "1"}, {"intervention_id": 0}, {"id": 1}]
    )
    def test_validation(self, tenant, body):
        tenant.intervention()
        before = rows(tenant)
        assert_error(tenant.post(PATHS["delete"], body), 422, "validation_failed")
        assert rows(tenant) == before
