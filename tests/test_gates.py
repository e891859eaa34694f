"""The gate table (docs/API.md, Conventions), run over every registered POST endpoint."""

from __future__ import annotations

import itertools

import pytest

from auth import Ability
from tests.factories import assert_error

API = "/api/v1/workflow/"


def post_endpoints(app) -> list[tuple[str, Ability, str | None]]:
    rows = []
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and rule.rule.startswith(API):
            route = app.view_functions[rule.endpoint].route
            rows.append((rule.rule, route.ability, route.feature))
    return sorted(rows)


def test_every_post_endpoint_is_gated(app):
    ungated = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and not hasattr(app.view_functions[rule.endpoint], "route")
    ]
    assert ungated == []
    assert len(post_endpoints(app)) >= 5


def test_read_endpoints_are_the_lists_the_preview_and_job_reads(app):
    reads = {path for path, ability, _ in post_endpoints(app) if ability is Ability.WORKFLOW_READ}
    for path in reads:
        assert path.count("/") == 4 or path.endswith(("/preview", "/jobs/get", "/explain")), path


@pytest.fixture
def endpoints(app):
    return post_endpoints(app)


def fresh_address() -> dict[str, str]:
    """A client address of its own, so refusals here do not add up to the invalid-credential
    limit (tested in test_hostile_auth.py)."""
    n = next(_ADDRESSES)
    return {"REMOTE_ADDR": f"198.18.{n >> 8 & 255}.{n & 255}"}


_ADDRESSES = itertools.count(1)


class TestAuthentication:
    def test_no_header(self, factory, endpoints):
        for path, _, _ in endpoints:
            assert_error(factory.client.post(path, json={}), 401, "unauthenticated")

    @pytest.mark.parametrize(
        "header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "tkt_abc", "Bearer a b", "Token x"]
    )
    def test_malformed_header(self, factory, endpoints, header):
        for path, _, _ in endpoints:
            response = factory.client.post(
                path, json={}, headers={"Authorization": header}, environ_base=fresh_address()
            )
            assert_error(response, 401, "unauthenticated")

    def test_unknown_token(self, factory, endpoints):
        headers = {"Authorization": "Bearer tkt_" + "x" * 43}
        for path, _, _ in endpoints:
            response = factory.client.post(
                path, json={}, headers=headers, environ_base=fresh_address()
            )
            assert_error(response, 401, "invalid_token")

    def test_expired_token(self, tenant, endpoints):
        token = tenant.token_for(expires_in="-1 second")
        for path, _, _ in endpoints:
            assert_error(tenant.post(path, {}, token=token), 401, "token_expired")

    def test_revoked_token(self, tenant, endpoints):
        token = tenant.token_for(revoked=True)
        for path, _, _ in endpoints:
            assert_error(tenant.post(path, {}, token=token), 401, "invalid_token")

    def test_inactive_owner(self, tenant, factory, endpoints):
        factory.sql("UPDATE users SET active = false WHERE id = %s", (tenant.user_id,))
        for path, _, _ in endpoints:
            assert_error(tenant.post(path, {}), 401, "invalid_token")

    def test_near_miss_of_a_secret_is_unknown(self, tenant, endpoints):
        # A token is looked up by its hash only: a near miss of the secret is unknown.
        for path, _, _ in endpoints:
            near_miss = tenant.token[:-1] + ("B" if tenant.token.endswith("A") else "A")
            response = tenant.post(path, {}, token=near_miss)
            assert_error(response, 401, "invalid_token")


class TestAbility:
    def test_read_only_token_cannot_write(self, tenant, endpoints):
        token = tenant.token_for(abilities=("workflow:read",))
        for path, ability, _ in endpoints:
            response = tenant.post(path, {}, token=token)
            if ability is Ability.WORKFLOW_WRITE:
                error = assert_error(response, 403, "insufficient_ability")
                assert error["details"] == {"required_ability": "workflow:write"}
            else:
                assert response.status_code not in (401, 403), (path, response.get_json())

    def test_write_implies_read(self, tenant, endpoints):
        for path, ability, _ in endpoints:
            if ability is Ability.WORKFLOW_READ:
                response = tenant.post(path, {})
                assert response.status_code not in (401, 403), (path, response.get_json())

    def test_other_abilities_do_not_count(self, tenant, endpoints):
        token = tenant.token_for(abilities=("tickets:read", "tickets:write"))
        for path, _, _ in endpoints:
            assert_error(tenant.post(path, {}, token=token), 403, "insufficient_ability")


class TestAdminRole:
    def test_agent_is_refused(self, factory, endpoints):
        agent = factory.tenant(role="agent")
        for path, _, _ in endpoints:
            assert_error(agent.post(path, {}), 403, "admin_required")

    @pytest.mark.parametrize("role", ["owner", "admin"])
    def test_owner_and_admin_pass(self, factory, endpoints, role):
        user = factory.tenant(role=role)
        for path, _, _ in endpoints:
            assert user.post(path, {}).status_code not in (401, 403), path

    def test_ability_is_checked_before_role(self, factory, endpoints):
        agent = factory.tenant(role="agent", abilities=("workflow:read",))
        for path, ability, _ in endpoints:
            code = "insufficient_ability" if ability is Ability.WORKFLOW_WRITE else "admin_required"
            assert_error(agent.post(path, {}), 403, code)


class TestPlanEntitlement:
    @pytest.mark.parametrize("plan", ["starter", "growth"])
    def test_missing_feature(self, factory, endpoints, plan):
        tenant = factory.tenant(plan=plan)
        features = set(
            factory.one("SELECT features FROM plans WHERE code = %s", (plan,))["features"]
        )
        for path, _, feature in endpoints:
            response = tenant.post(path, {})
            if feature is None or feature in features:
                assert response.status_code not in (401, 403), (path, response.get_json())
            else:
                error = assert_error(response, 403, "feature_not_in_plan")
                assert error["details"] == {"feature": feature}

    def test_role_is_checked_before_plan(self, factory, endpoints):
        agent = factory.tenant(plan="starter", role="agent")
        for path, _, _ in endpoints:
            assert_error(agent.post(path, {}), 403, "admin_required")

    def test_plan_change_applies_at_once(self, factory, tenant, endpoints):
        gated = [(p, f) for p, _, f in endpoints if f is not None]
        factory.sql("UPDATE accounts SET plan_code = 'starter' WHERE id = %s", (tenant.account_id,))
        for path, _ in gated:
            assert_error(tenant.post(path, {}), 403, "feature_not_in_plan")


class TestGatesComeBeforeTheBody:
    def test_bad_body_without_token_is_401(self, factory, endpoints):
        for path, _, _ in endpoints:
            response = factory.client.post(path, data="{not json", content_type="application/json")
            assert_error(response, 401, "unauthenticated")

    def test_bad_body_with_read_token_on_write_is_403(self, tenant, endpoints):
        token = tenant.token_for(abilities=("workflow:read",))
        for path, ability, _ in endpoints:
            if ability is Ability.WORKFLOW_WRITE:
                response = tenant.post(path, data="[", content_type="application/json", token=token)
                assert_error(response, 403, "insufficient_ability")


class TestRefusedWritesChangeNothing:
    def test_refused_create_creates_no_queue(self, factory, tenant):
        agent_token = factory.token(tenant.account_id, factory.user(tenant.account_id, "agent"))[0]
        read_token = tenant.token_for(abilities=("workflow:read",))
        for token in (agent_token, read_token, "tkt_unknown"):
            response = tenant.post("queues/create", {"name": "Refused"}, token=token)
            assert response.status_code in (401, 403)
        rows = factory.sql("SELECT 1 FROM queues WHERE account_id = %s", (tenant.account_id,))
        assert len(rows) == 1  # only the Inbox


class TestLastUsedAt:
    def test_set_on_use_and_not_rewritten_within_a_minute(self, tenant, factory):
        def last_used():
            return factory.one(
                "SELECT last_used_at FROM api_tokens WHERE id = %s", (tenant.token_id,)
            )["last_used_at"]

        assert last_used() is None
        tenant.ok("queues", {})
        first = last_used()
        assert first is not None
        tenant.ok("queues", {})
        assert last_used() == first
        factory.sql(
            "UPDATE api_tokens SET last_used_at = now() - interval '2 minutes' WHERE id = %s",
            (tenant.token_id,),
        )
        tenant.ok("queues", {})
        assert last_used() > first

    def test_not_touched_for_refused_tokens(self, tenant, factory):
        token = tenant.token_for(revoked=True)
        tenant.post("queues", {}, token=token)
        rows = factory.sql(
            "SELECT last_used_at FROM api_tokens WHERE account_id = %s AND revoked_at IS NOT NULL",
            (tenant.account_id,),
        )
        assert rows == [{"last_used_at": None}]
