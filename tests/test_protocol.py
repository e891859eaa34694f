"""Bodies, the error shape, request ids, logs and health."""

from __future__ import annotations

import json
import logging

import pytest

from app import create_app
from tests.factories import assert_error
from tickiti_workflow import logs


class TestBody:
    def test_empty_body_is_an_empty_object_for_lists(self, tenant):
        response = tenant.post("queues", data=b"")
        assert response.status_code == 200
        assert response.get_json()["queues"][0]["name"] == "Inbox"

    def test_unknown_field_is_422(self, tenant):
        err = assert_error(tenant.post("queues", {"page": 2}), 422, "validation_failed")
        assert err["details"]["fields"] == {"page": ["Unknown field."]}

    def test_unknown_field_on_create_changes_nothing(self, tenant):
        assert_error(
            tenant.post("queues/create", {"name": "X", "colour": "red"}),
            422,
            "validation_failed",
            "colour",
            only=True,
        )
        assert tenant.queue_names() == ["Inbox"]

    @pytest.mark.parametrize(
        "raw",
        [b"{", b"[]", b'"text"', b"42", b"null", b'{"name": NaN}', b'{"name": Infinity}'],
    )
    def test_not_a_json_object_is_400(self, tenant, raw):
        response = tenant.post("queues/create", data=raw, content_type="application/json")
        assert_error(response, 400, "invalid_json")
        assert tenant.queue_names() == ["Inbox"]

    def test_invalid_utf8_is_400(self, tenant):
        response = tenant.post(
            "queues/create", data=b'{"name": "\xff\xfe"}', content_type="application/json"
        )
        assert_error(response, 400, "invalid_json")

    def test_duplicate_keys_are_400(self, tenant):
        response = tenant.post(
            "queues/create", data=b'{"name": "A", "name": "B"}', content_type="application/json"
        )
        err = assert_error(response, 400, "invalid_json")
        assert err["details"] == {"duplicate_keys": ["name"]}
        assert tenant.queue_names() == ["Inbox"]

    def test_deep_nesting_is_400(self, tenant):
        raw = b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        response = tenant.post("queues/create", data=raw, content_type="application/json")
        assert_error(response, 400, "invalid_json")

    @pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
    def test_wrong_content_type_is_415(self, tenant, content_type):
        response = tenant.post(
            "queues/create", data=json.dumps({"name": "X"}), content_type=content_type
        )
        assert_error(response, 415, "unsupported_media_type")
        assert tenant.queue_names() == ["Inbox"]

    def test_json_with_charset_is_accepted(self, tenant):
        response = tenant.post(
            "queues/create",
            data=json.dumps({"name": "Charset"}),
            content_type="application/json; charset=utf-8",
        )
        assert response.status_code == 201

    def test_over_one_mebibyte_is_413(self, tenant):
        raw = json.dumps({"name": "x", "description": "y" * (1024 * 1024)})
        response = tenant.post("queues/create", data=raw, content_type="application/json")
        assert_error(response, 413, "payload_too_large")
        assert tenant.queue_names() == ["Inbox"]

    def test_body_checks_come_after_the_gates(self, factory):
        response = factory.client.post(
            "/api/v1/workflow/queues/create",
            data="x" * (2 * 1024 * 1024),
            content_type="text/plain",
        )
        assert_error(response, 401, "unauthenticated")


class TestErrorShape:
    def test_unknown_path_is_json_404(self, factory):
        assert_error(factory.client.post("/api/v1/workflow/nope"), 404, "not_found")
        assert_error(factory.client.get("/"), 404, "not_found")

    def test_get_on_a_post_path_is_json_405(self, factory):
        response = factory.client.get("/api/v1/workflow/queues")
        assert_error(response, 405, "method_not_allowed")
        assert response.headers["Allow"] == "POST"

    def test_unexpected_exception_is_json_500_without_trace(self, database_url, tenant):
        app = create_app({"DATABASE_URL": database_url})

        @app.post("/boom")
        def boom():
            raise RuntimeError("secret internals: SELECT * FROM api_tokens")

        response = app.test_client().post("/boom")
        err = assert_error(response, 500, "internal_error")
        text = response.get_data(as_text=True)
        assert "Traceback" not in text and "SELECT" not in text and "secret" not in text
        assert err["details"] == {}

    def test_database_down_is_503(self, tenant):
        app = create_app(
            {
                "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/none",
                "DATABASE_POOL_TIMEOUT_MS": 300,
            }
        )
        client = app.test_client()
        response = client.post(
            "/api/v1/workflow/queues", headers={"Authorization": "Bearer tkt_" + "x" * 43}
        )
        assert_error(response, 503, "database_unavailable")
        assert_error(client.get("/healthz"), 503, "database_unavailable")
        app.extensions["tickiti.db"].close()


class TestRequestId:
    def test_generated_when_absent(self, factory):
        first = factory.client.get("/healthz").headers["X-Request-ID"]
        second = factory.client.get("/healthz").headers["X-Request-ID"]
        assert first and second and first != second

    def test_valid_incoming_id_is_echoed(self, tenant):
        response = tenant.post("queues", {}, headers={"X-Request-ID": "abc-123_X.y:z"})
        assert response.headers["X-Request-ID"] == "abc-123_X.y:z"

    @pytest.mark.parametrize(
        "router_id",
        ["dGhlLXJvdXRlcnMtb3du+/aWQ=", "0b7c1e9e-4d52-4f3a-9c1b-2a1f5e8d9c70", "x" * 200],
    )
    def test_a_platform_routers_id_is_kept(self, factory, router_id):
        response = factory.client.get("/healthz", headers={"X-Request-ID": router_id})
        assert response.headers["X-Request-ID"] == router_id

    @pytest.mark.parametrize(
        "bad", ["a b", "x" * 201, "a\tb", "ü", "<script>", "+/=" * 6, "a+" * 9 + "=" * 2 + "é" * 9]
    )
    def test_invalid_incoming_id_is_replaced(self, factory, bad):
        response = factory.client.get("/healthz", headers={"X-Request-ID": bad})
        assert response.headers["X-Request-ID"] != bad
        assert len(response.headers["X-Request-ID"]) == 32

    def test_errors_carry_it_too(self, factory):
        response = factory.client.post("/api/v1/workflow/queues")
        assert response.status_code == 401
        assert response.headers["X-Request-ID"]


class TestAccessLog:
    def test_one_json_line_per_request(self, tenant):
        records: list[logging.LogRecord] = []
        handler = logging.Handler()
        handler.emit = records.append
        logger = logging.getLogger("tickiti.access")
        logger.addHandler(handler)
        try:
            response = tenant.post("queues", {}, headers={"X-Request-ID": "log-test-1"})
        finally:
            logger.removeHandler(handler)
        assert len(records) == 1
        line = json.loads(logs.JsonFormatter().format(records[0]))
        assert line["request_id"] == "log-test-1"
        assert line["token_id"] == tenant.token_id
        assert line["path"] == "/api/v1/workflow/queues"
        assert line["status"] == response.status_code == 200
        assert line["duration_ms"] >= 0
        assert tenant.token not in json.dumps(line)


class TestHealth:
    def test_ok(self, factory):
        response = factory.client.get("/healthz")
        assert response.status_code == 200
        body = response.get_json()
        assert body["status"] == "ok"
        overdue = body["escalations"]["oldest_overdue_seconds"]
        assert overdue is None or overdue >= 0


class TestEdges:
    def test_options_is_a_json_405(self, factory):
        response = factory.client.options("/api/v1/workflow/queues")
        assert_error(response, 405, "method_not_allowed")
        assert response.headers["Allow"] == "POST"

    @pytest.mark.parametrize("content_type", [None, "text/plain", "application/json"])
    def test_a_write_needs_a_body(self, tenant, content_type):
        kw = {"content_type": content_type} if content_type else {}
        response = tenant.post("queues/create", data=b"", **kw)
        assert_error(response, 400, "invalid_json")

    def test_a_write_whose_fields_are_all_optional_still_needs_a_body(self, tenant):
        assert_error(tenant.post("business-hours/update", data=b""), 400, "invalid_json")
        assert tenant.post("business-hours/update", {}).status_code == 200

    def test_audit_cursor_beyond_64_bits_is_422(self, tenant):
        import base64

        cursor = base64.urlsafe_b64encode(b"ae:99999999999999999999").decode().rstrip("=")
        assert_error(
            tenant.post("audit-events", {"cursor": cursor}),
            422,
            "validation_failed",
            "cursor",
            only=True,
        )

    @pytest.mark.parametrize("start", ["9999-12-31T23:30:00-01:00", "0001-01-01T00:30:00+01:00"])
    def test_preview_at_the_ends_of_the_calendar_is_422(self, tenant, start):
        response = tenant.post("business-hours/preview", {"start": start, "minutes": 10})
        assert_error(response, 422, "validation_failed", "start", only=True)
