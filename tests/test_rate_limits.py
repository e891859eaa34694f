"""Per-token rate limits, per plan, shared by every process through PostgreSQL."""

from __future__ import annotations

import secrets

import pytest

from app import create_app
from tests.factories import (
    assert_error,
    not_at_a_minute_boundary,  # noqa: F401 - fixture
)

pytestmark = pytest.mark.usefixtures("not_at_a_minute_boundary")


@pytest.fixture
def tiny(factory):
    """A tenant on a plan that allows 3 requests a minute."""
    code = f"tiny_{secrets.token_hex(4)}"
    factory.sql(
        "INSERT INTO plans (code, name, features, rate_limit_per_minute)"
        " VALUES (%s, 'Tiny', '{}', 3)",
        (code,),
    )
    return factory.tenant(plan=code)


def test_headers_on_every_authenticated_response(tenant):
    first = tenant.post("queues", {})
    second = tenant.post("queues/create", {"name": ""})  # a 422 still carries them
    assert first.headers["RateLimit-Limit"] == "1200"
    assert int(first.headers["RateLimit-Remaining"]) == 1199
    assert int(second.headers["RateLimit-Remaining"]) == 1198
    assert 1 <= int(first.headers["RateLimit-Reset"]) <= 60


def test_over_the_limit_is_429_with_retry_after(tiny):
    for remaining in (2, 1, 0):
        response = tiny.post("queues", {})
        assert response.status_code == 200
        assert response.headers["RateLimit-Remaining"] == str(remaining)
    response = tiny.post("queues/create", {"name": "Blocked"})
    error = assert_error(response, 429, "rate_limited")
    assert error["details"]["limit"] == 3
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.headers["RateLimit-Remaining"] == "0"
    names = [q["name"] for q in tiny.factory.sql(
        "SELECT name FROM queues WHERE account_id = %s", (tiny.account_id,)
    )]  # fmt: skip
    assert names == ["Inbox"]


def test_the_next_window_starts_afresh(tiny, factory):
    for _ in range(4):
        tiny.post("queues", {})
    assert tiny.post("queues", {}).status_code == 429
    factory.sql(
        "UPDATE rate_limit_windows SET window_start = window_start - interval '1 minute'"
        " WHERE token_id = %s",
        (tiny.token_id,),
    )
    response = tiny.post("queues", {})
    assert response.status_code == 200
    assert response.headers["RateLimit-Remaining"] == "2"


def test_limits_are_per_token(tiny):
    for _ in range(4):
        tiny.post("queues", {})
    assert tiny.post("queues", {}).status_code == 429
    assert tiny.post("queues", {}, token=tiny.token_for()).status_code == 200


def test_limit_is_shared_by_every_process(tiny, database_url):
    """Two app instances (two workers or dynos) count against one window."""
    other = create_app({"DATABASE_URL": database_url})
    client = other.test_client()
    headers = {"Authorization": f"Bearer {tiny.token}"}
    assert tiny.post("queues", {}).status_code == 200
    assert client.post("/api/v1/workflow/queues", headers=headers).status_code == 200
    assert tiny.post("queues", {}).status_code == 200
    assert client.post("/api/v1/workflow/queues", headers=headers).status_code == 429
    other.extensions["tickiti.db"].close()


def test_limit_follows_the_plan_in_sql(tiny, factory):
    factory.sql(
        "UPDATE plans SET rate_limit_per_minute = 10"
        " WHERE code = (SELECT plan_code FROM accounts WHERE id = %s)",
        (tiny.account_id,),
    )
    assert tiny.post("queues", {}).headers["RateLimit-Limit"] == "10"
