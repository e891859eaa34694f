"""Invalid credentials are cheap (malformed ones cost no SQL) and limited per client address."""

from __future__ import annotations

import itertools

import pytest

from auth.failures import LIMIT
from tests.factories import (
    assert_error,
    not_at_a_minute_boundary,  # noqa: F401 - fixture
)

pytestmark = pytest.mark.usefixtures("not_at_a_minute_boundary")

_ADDRESSES = itertools.count(1)


@pytest.fixture
def address():
    n = next(_ADDRESSES)
    return f"203.0.113.{n}"


def call(factory, address: str, token: str | None, **headers):
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return factory.client.post(
        "/api/v1/workflow/queues", json={}, headers=headers, environ_base={"REMOTE_ADDR": address}
    )


@pytest.mark.parametrize(
    "token",
    [
        "x",
        "tkt_nope",
        "tkt_" + "a" * 42,
        "tkt_" + "a" * 44,
        "tkr_" + "a" * 43,  # a remote token is no API token
        "TKT_" + "a" * 43,
        "tkt_" + "a" * 42 + "=",
        "tkt_" + "a" * 5000,
    ],
)
def test_malformed_tokens_cost_no_sql(factory, round_trips, address, token):
    response = None

    def send():
        nonlocal response
        response = call(factory, address, token)
        return response

    assert round_trips(send, refused=True) == 0
    assert_error(response, 401, "invalid_token")


def test_a_well_formed_unknown_token_costs_one_statement(factory, round_trips, address):
    assert round_trips(lambda: call(factory, address, "tkt_" + "u" * 43), refused=True) == 1


def test_repeated_invalid_tokens_are_limited_per_address(factory, tenant, round_trips, address):
    for i in range(LIMIT):
        token = "tkt_" + f"{i:043d}" if i % 2 else f"guess{i}"
        assert call(factory, address, token).status_code == 401
    codes = []
    for token in ("tkt_" + "z" * 43, "garbage"):
        response = None

        def send(token=token):
            nonlocal response
            response = call(factory, address, token)
            return response

        assert round_trips(send, refused=True) == 0  # refused before any SQL
        error = assert_error(response, 429, "rate_limited")
        retry_after = int(response.headers["Retry-After"])
        assert 1 <= retry_after <= 60
        assert error["details"] == {"limit": LIMIT, "retry_after_seconds": retry_after}
        codes.append(response.status_code)
    assert codes == [429, 429]
    # Other addresses are not affected, nor is a token the service has seen authenticate.
    assert call(factory, f"{address}0", "tkt_" + "z" * 43).status_code == 401
    assert tenant.post("queues", {}).status_code == 200  # authenticates from its own address
    assert call(factory, address, tenant.token).status_code == 200
    # A token never seen from the blocked address waits like a guess would.
    assert call(factory, address, tenant.token_for()).status_code == 429


def test_requests_without_credentials_are_not_counted(factory, address):
    for _ in range(LIMIT + 5):
        response = call(factory, address, None)
        assert_error(response, 401, "unauthenticated")


def test_the_limit_follows_the_forwarded_address(factory, address):
    for i in range(LIMIT):
        assert call(factory, "10.0.0.1", f"g{i}", **{"X-Forwarded-For": f"1.1.1.1, {address}"})
    blocked = call(factory, "10.0.0.1", "g", **{"X-Forwarded-For": f"9.9.9.9, {address}"})
    assert blocked.status_code == 429
    other = call(factory, "10.0.0.1", "g", **{"X-Forwarded-For": f"{address}, 10.9.9.9"})
    assert other.status_code == 401
