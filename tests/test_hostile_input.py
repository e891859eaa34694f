"""Hostile input gets a clear 4xx JSON error or is handled correctly; nothing is half-written."""

from __future__ import annotations

import json

import pytest

from tests.factories import assert_error

CREATE = "queues/create"


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        (b'{"name": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_000 + b"}", 400, "invalid_json"),
        (b'{"name": "x", "description": ' + b"[" * 3000 + b"]" * 3000 + b"}", 400, "invalid_json"),
        (b'{"name": "x", "description": ' + b"[" * 50 + b"]" * 50 + b"}", 422, "validation_failed"),
        (b'{"name": ' + b"9" * 5000 + b"}", 400, "invalid_json"),  # beyond int parsing limits
        (b'{"name": "\\ud800"}', 400, "invalid_json"),  # lone surrogate
        (b'{"name": "a\\u0000b"}', 422, "validation_failed"),
        (b'{"name": "ok", "name": "again"}', 400, "invalid_json"),
        (b'\xef\xbb\xbf{"name": "bom"}', 400, "invalid_json"),
        (b'{"name": "\xc3\x28"}', 400, "invalid_json"),  # invalid UTF-8 sequence
        (b'{"name": "x"} trailing', 400, "invalid_json"),
        (b'{"name": -Infinity}', 400, "invalid_json"),
    ],
)  # fmt: skip
def test_malformed_bodies(tenant, raw, status, code):
    assert_error(tenant.post_raw(CREATE, raw), status, code)
    assert tenant.queue_names() == ["Inbox"]


@pytest.mark.parametrize(
    "queue_id",
    [2**63, 2**64, -(2**63) - 1, 10**30, 1.5, 1e3, True, False, "1", None, [1], {"id": 1}],
)
def test_ids_that_are_not_64_bit_integers(tenant, queue_id):
    response = tenant.post("queues/update", {"queue_id": queue_id, "name": "Hijack"})
    assert_error(response, 422, "validation_failed", "queue_id")
    assert tenant.queue_names() == ["Inbox"]


def test_huge_arrays_are_refused_without_work(tenant):
    body = {
        "from_queue_id": tenant.inbox_id,
        "to_queue_id": 1,
        "ticket_ids": list(range(1, 60_000)),
    }
    response = tenant.post("queues/move", body)
    assert_error(response, 422, "validation_failed", "ticket_ids", only=True)


def test_huge_unknown_field_is_422(tenant):
    response = tenant.post(CREATE, {"name": "x", "junk": list(range(100_000))})
    assert_error(response, 422, "validation_failed")
    assert tenant.queue_names() == ["Inbox"]


@pytest.mark.parametrize("length", [101, 10_000, 500_000])
def test_very_long_strings(tenant, length):
    response = tenant.post(CREATE, {"name": "n" * length})
    assert_error(response, 422, "validation_failed")
    assert tenant.queue_names() == ["Inbox"]


@pytest.mark.parametrize(
    "name",
    [
        "Robert'); DROP TABLE queues;--",
        "1 OR 1=1",
        "%(account_id)s",
        "$1; SELECT pg_sleep(10)",
        "' UNION SELECT token_hash FROM api_tokens --",
        "<script>alert(1)</script>",
        "名前 🚀 ÅÄÖ",
    ],
)
def test_sql_looking_strings_are_stored_and_returned_verbatim(tenant, name):
    created = tenant.queue(name)
    assert created["name"] == name
    assert name in tenant.queue_names()
    updated = tenant.ok("queues/update", {"queue_id": created["id"], "description": name})
    assert updated["queue"]["description"] == name


@pytest.mark.parametrize(
    ("first", "second"),
    [("Straße", "STRASSE"), ("ÉCOLE", "école"), ("Ωmega", "ωMEGA")],
)
def test_unicode_names_compare_ignoring_case(tenant, first, second):
    tenant.queue(first)
    response = tenant.post(CREATE, {"name": second})
    if first.lower() == second.lower():
        assert_error(response, 409, "name_taken")
    else:  # lower() differs (ß has no single-letter upper case): distinct names are both fine
        assert response.status_code == 201


def test_header_injection_in_request_id(tenant):
    response = tenant.post("queues", {}, headers={"X-Request-ID": "abc\tSet-Cookie: x=1"})
    assert response.headers["X-Request-ID"] != "abc\tSet-Cookie: x=1"
    assert "Set-Cookie" not in response.headers


def test_idempotency_key_with_control_characters(tenant):
    response = tenant.post(CREATE, {"name": "K"}, headers={"Idempotency-Key": "a\x7fb"})
    assert_error(response, 400, "invalid_idempotency_key")


def test_content_type_lies(tenant):
    response = tenant.post(CREATE, data=json.dumps({"name": "x"}), content_type="text/json")
    assert_error(response, 415, "unsupported_media_type")
    response = tenant.post_raw(CREATE, b"name=x")
    assert_error(response, 400, "invalid_json")
    assert tenant.queue_names() == ["Inbox"]
