"""The Idempotency-Key header of write endpoints."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from tests.factories import assert_error


def names(tenant) -> list[str]:
    return [q["name"] for q in tenant.ok("queues", {})["queues"]]


class TestIdempotencyKey:
    def test_same_key_and_body_replays_without_acting(self, tenant):
        headers = {"Idempotency-Key": "create-billing-1"}
        first = tenant.post("queues/create", {"name": "Billing"}, headers=headers)
        second = tenant.post("queues/create", {"name": "Billing"}, headers=headers)
        assert first.status_code == second.status_code == 201
        assert second.get_json() == first.get_json()
        assert "Idempotent-Replayed" not in first.headers
        assert second.headers["Idempotent-Replayed"] == "true"
        assert names(tenant) == ["Inbox", "Billing"]

    def test_replay_of_a_move_moves_nothing_more(self, tenant, factory):
        target = tenant.queue("Target")
        tenant.tickets(tenant.inbox_id, 2)
        body = {"from_queue_id": tenant.inbox_id, "to_queue_id": target["id"]}
        headers = {"Idempotency-Key": "move-1"}
        assert tenant.ok("queues/move", body, headers=headers)["moved"] == 2
        tenant.tickets(tenant.inbox_id, 3)
        replay = tenant.post("queues/move", body, headers=headers)
        assert replay.get_json()["moved"] == 2
        events = factory.sql(
            "SELECT count(*) AS n FROM ticket_events WHERE account_id = %s", (tenant.account_id,)
        )
        assert events == [{"n": 2}]

    def test_same_key_with_another_body_is_422(self, tenant):
        headers = {"Idempotency-Key": "k"}
        tenant.ok("queues/create", {"name": "One"}, status=201, headers=headers)
        response = tenant.post("queues/create", {"name": "Two"}, headers=headers)
        assert_error(response, 422, "idempotency_key_reused")
        assert "Two" not in names(tenant)

    def test_same_key_on_another_endpoint_is_422(self, tenant):
        headers = {"Idempotency-Key": "k2"}
        queue = tenant.ok("queues/create", {"name": "Q"}, status=201, headers=headers)["queue"]
        response = tenant.post("queues/delete", {"queue_id": queue["id"]}, headers=headers)
        assert_error(response, 422, "idempotency_key_reused")
        assert "Q" in names(tenant)

    def test_keys_are_per_token_owner(self, tenant, factory):
        other_admin = factory.user(tenant.account_id, "admin")
        other_token = factory.token(tenant.account_id, other_admin)[0]
        headers = {"Idempotency-Key": "shared"}
        tenant.ok("queues/create", {"name": "A"}, status=201, headers=headers)
        response = tenant.post("queues/create", {"name": "A"}, headers=headers, token=other_token)
        # A different owner's identical request acts on its own (and meets the unique name).
        assert_error(response, 409, "name_taken")

    def test_another_token_of_the_same_owner_replays(self, tenant):
        headers = {"Idempotency-Key": "same-owner"}
        first = tenant.post("queues/create", {"name": "A"}, headers=headers)
        second = tenant.post(
            "queues/create", {"name": "A"}, headers=headers, token=tenant.token_for()
        )
        assert second.headers["Idempotent-Replayed"] == "true"
        assert second.get_json() == first.get_json()

    def test_a_failed_write_is_not_stored(self, tenant):
        tenant.queue("Taken")
        headers = {"Idempotency-Key": "retry-after-fix"}
        body = {"name": "Later"}
        tenant.ok("queues/update", {"queue_id": tenant.inbox_id, "name": "Later"})
        assert tenant.post("queues/create", body, headers=headers).status_code == 409
        tenant.ok("queues/update", {"queue_id": tenant.inbox_id, "name": "Inbox"})
        response = tenant.post("queues/create", body, headers=headers)
        assert response.status_code == 201
        assert "Idempotent-Replayed" not in response.headers

    def test_expires_after_24_hours(self, tenant, factory):
        headers = {"Idempotency-Key": "old"}
        tenant.ok("queues/create", {"name": "Old"}, status=201, headers=headers)
        factory.sql(
            "UPDATE idempotency_keys SET created_at = now() - interval '25 hours'"
            " WHERE account_id = %s",
            (tenant.account_id,),
        )
        response = tenant.post("queues/create", {"name": "New"}, headers=headers)
        assert response.status_code == 201
        assert "New" in names(tenant)

    @pytest.mark.parametrize("key", ["", "x" * 256, "bad\x01key"])
    def test_invalid_key_is_400(self, tenant, key):
        response = tenant.post("queues/create", {"name": "K"}, headers={"Idempotency-Key": key})
        assert_error(response, 400, "invalid_idempotency_key")
        assert names(tenant) == ["Inbox"]

    def test_255_characters_is_fine(self, tenant):
        headers = {"Idempotency-Key": "k" * 255}
        assert tenant.post("queues/create", {"name": "K"}, headers=headers).status_code == 201

    def test_read_endpoints_ignore_it(self, tenant):
        headers = {"Idempotency-Key": "read"}
        tenant.ok("queues", {}, headers=headers)
        tenant.queue("Later")
        assert len(tenant.ok("queues", {}, headers=headers)["queues"]) == 2

    def test_concurrent_retries_create_once(self, tenant):
        headers = {"Idempotency-Key": "race"}
        barrier = threading.Barrier(6)
        results = []

        def attempt():
            barrier.wait()
            results.append(tenant.post("queues/create", {"name": "Raced"}, headers=headers))

        threads = [threading.Thread(target=attempt) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert {r.status_code for r in results} == {201}
        assert len({r.get_data() for r in results}) == 1
        assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in results) == 5
        assert names(tenant).count("Raced") == 1


def test_a_retry_waits_for_a_slow_first_attempt_past_the_lock_timeout(tenant, database_url):
    """While a first attempt holds its key for longer than DATABASE_LOCK_TIMEOUT_MS (2 s), the
    retry waits for it instead of failing with 503; here the first attempt then fails (rolls
    back), so the retry acts itself."""
    holding = threading.Event()

    def first_attempt():
        with psycopg.connect(database_url) as other, other.transaction(force_rollback=True):
            other.execute(
                "INSERT INTO idempotency_keys (account_id, user_id, key, request_hash)"
                " VALUES (%s, %s, 'slow', 'x')",
                (tenant.account_id, tenant.user_id),
            )
            holding.set()
            time.sleep(2.5)

    holder = threading.Thread(target=first_attempt)
    holder.start()
    holding.wait(10)
    started = time.monotonic()
    response = tenant.post("queues/create", {"name": "Slow"}, headers={"Idempotency-Key": "slow"})
    holder.join()
    assert response.status_code == 201, response.get_json()
    assert time.monotonic() - started > 2.0
