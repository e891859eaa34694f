"""Remote tokens of interventions: generate-token and the runtime's verify_remote_token."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest

from tests.factories import assert_error, no_secret_leaks, secret_watch  # noqa: F401 - fixtures
from tickiti_workflow.remote_tokens import verify_remote_token
from tickiti_workflow.tokens import hash_token, mint_token

GENERATE = "interventions/generate-token"
TOKEN_SHAPE = re.compile(r"tkr_[A-Za-z0-9_-]{43,}")


# --- helpers ------------------------------------------------------------------------------


def generate(tenant, intervention_id: int, **kw) -> dict:
    return tenant.ok(GENERATE, {"intervention_id": intervention_id, **kw})


def stored(tenant, intervention_id: int) -> dict:
    return tenant.factory.one(
        "SELECT * FROM interventions WHERE account_id = %s AND id = %s",
        (tenant.account_id, intervention_id),
    )


def listed(tenant, intervention_id: int) -> dict:
    found = tenant.ok("interventions", {})["interventions"]
    return next(i for i in found if i["id"] == intervention_id)


def tables_containing(factory, needle: str) -> list[str]:
    """Every table of the schema with a row whose text contains ``needle``."""
    tables = factory.sql(
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
    )
    return [
        t["table_name"]
        for t in tables
        if factory.one(
            f'SELECT count(*) AS n FROM "{t["table_name"]}" t WHERE t::text LIKE %s',
            (f"%{needle}%",),
        )["n"]
    ]


def expire_grace(tenant, intervention_id: int) -> None:
    tenant.factory.sql(
        "UPDATE interventions SET previous_remote_token_valid_until = now() - interval '1 second'"
        " WHERE account_id = %s AND id = %s",
        (tenant.account_id, intervention_id),
    )


# --- generate-token -----------------------------------------------------------------------


class TestGenerateToken:
    def test_mints_a_token_once(self, tenant):
        item = tenant.intervention()
        minted = generate(tenant, item["id"])
        assert list(minted) == [
            "intervention_id",
            "remote_token",
            "remote_token_hint",
            "created_at",
        ]
        assert minted["intervention_id"] == item["id"]
        token = minted["remote_token"]
        assert TOKEN_SHAPE.fullmatch(token)
        assert minted["remote_token_hint"] == token[-4:]
        assert minted["created_at"].endswith("Z")

    def test_token_carries_256_random_bits(self, tenant):
        item = tenant.intervention()
        tokens = {generate(tenant, item["id"])["remote_token"] for _ in range(5)}
        assert len(tokens) == 5
        for token in tokens:
            raw = base64.urlsafe_b64decode(token.removeprefix("tkr_") + "=")
            assert len(raw) * 8 >= 256

    def test_only_the_hash_is_stored(self, tenant, factory):
        item = tenant.intervention()
        token = generate(tenant, item["id"])["remote_token"]
        row = stored(tenant, item["id"])
        assert row["remote_token_hash"] == hash_token(token)
        assert row["remote_token_hint"] == token[-4:]
        assert tables_containing(factory, token) == []
        assert tables_containing(factory, token.removeprefix("tkr_")) == []

    def test_intervention_shows_token_state_but_never_the_token(self, tenant):
        item = tenant.intervention()
        minted = generate(tenant, item["id"])
        shown = listed(tenant, item["id"])
        assert shown["has_remote_token"] is True
        assert shown["remote_token_hint"] == minted["remote_token_hint"]
        assert shown["remote_token_created_at"] == minted["created_at"]
        assert shown["remote_token_last_used_at"] is None
        assert shown["version"] == item["version"] + 1
        assert not {"remote_token", "remote_token_hash"} & set(shown)
        serialised = str(tenant.ok("interventions", {}))
        assert minted["remote_token"] not in serialised
        assert hash_token(minted["remote_token"]) not in serialised

    def test_new_token_replaces_the_old(self, tenant, conn):
        item = tenant.intervention()
        old = generate(tenant, item["id"])["remote_token"]
        new = generate(tenant, item["id"])["remote_token"]
        assert new != old
        assert verify_remote_token(conn, old) is None
        assert verify_remote_token(conn, new) == (tenant.account_id, item["id"])
        assert listed(tenant, item["id"])["remote_token_hint"] == new[-4:]

    def test_grace_period_keeps_the_old_token_valid(self, tenant, conn):
        item = tenant.intervention()
        old = generate(tenant, item["id"])["remote_token"]
        new = generate(tenant, item["id"], grace_minutes=30)["remote_token"]
        assert verify_remote_token(conn, old) == (tenant.account_id, item["id"])
        assert verify_remote_token(conn, new) == (tenant.account_id, item["id"])
        row = stored(tenant, item["id"])
        remaining = row["previous_remote_token_valid_until"] - dt.datetime.now(dt.UTC)
        assert dt.timedelta(minutes=29) < remaining <= dt.timedelta(minutes=30)

    def test_grace_ends(self, tenant, conn):
        item = tenant.intervention()
        old = generate(tenant, item["id"])["remote_token"]
        new = generate(tenant, item["id"], grace_minutes=1)["remote_token"]
        expire_grace(tenant, item["id"])
        assert verify_remote_token(conn, old) is None
        assert verify_remote_token(conn, new) == (tenant.account_id, item["id"])

    def test_only_the_token_just_replaced_gets_grace(self, tenant, conn):
        item = tenant.intervention()
        first = generate(tenant, item["id"])["remote_token"]
        second = generate(tenant, item["id"], grace_minutes=60)["remote_token"]
        third = generate(tenant, item["id"], grace_minutes=60)["remote_token"]
        assert verify_remote_token(conn, first) is None
        assert verify_remote_token(conn, second) == (tenant.account_id, item["id"])
        assert verify_remote_token(conn, third) == (tenant.account_id, item["id"])

    def test_without_grace_a_pending_grace_token_ends_too(self, tenant, conn):
        item = tenant.intervention()
        first = generate(tenant, item["id"])["remote_token"]
        second = generate(tenant, item["id"], grace_minutes=60)["remote_token"]
        generate(tenant, item["id"])
        assert verify_remote_token(conn, first) is None
        assert verify_remote_token(conn, second) is None

    def test_grace_on_first_token_is_harmless(self, tenant, conn):
        item = tenant.intervention()
        token = generate(tenant, item["id"], grace_minutes=1440)["remote_token"]
        assert verify_remote_token(conn, token) == (tenant.account_id, item["id"])
        assert stored(tenant, item["id"])["previous_remote_token_hash"] is None

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({}, "intervention_id"),
            ({"intervention_id": "1"}, "intervention_id"),
            ({"grace_minutes": -1}, "grace_minutes"),
            ({"grace_minutes": 1441}, "grace_minutes"),
            ({"grace_minutes": "5"}, "grace_minutes"),
            ({"grace_minutes": 1.5}, "grace_minutes"),
            ({"grace_minutes": True}, "grace_minutes"),
            ({"grace_minutes": None}, "grace_minutes"),
            ({"reason": "rotation"}, "reason"),
        ],
    )
    def test_validation(self, tenant, body, field):
        item = tenant.intervention()
        generate(tenant, item["id"])
        before = stored(tenant, item["id"])
        if field != "intervention_id":
            body = {"intervention_id": item["id"], **body}
        assert_error(tenant.post(GENERATE, body), 422, "validation_failed", field)
        assert stored(tenant, item["id"]) == before

    def test_unknown_intervention(self, tenant):
        assert_error(tenant.post(GENERATE, {"intervention_id": 999_999_999}), 404, "not_found")

    def test_other_accounts_intervention_is_not_found(self, tenant, other_tenant):
        theirs = other_tenant.intervention()
        before = stored(other_tenant, theirs["id"])
        error = assert_error(
            tenant.post(GENERATE, {"intervention_id": theirs["id"]}), 404, "not_found"
        )
        assert error["details"]["resource"] == "intervention"
        assert stored(other_tenant, theirs["id"]) == before

    def test_idempotent_retry_replays_without_the_secret_or_a_new_token(self, tenant, factory):
        item = tenant.intervention()
        headers = {"Idempotency-Key": "rotate-1"}
        first = tenant.post(GENERATE, {"intervention_id": item["id"]}, headers=headers)
        assert first.status_code == 200
        after_first = stored(tenant, item["id"])
        replay = tenant.post(GENERATE, {"intervention_id": item["id"]}, headers=headers)
        assert replay.status_code == 200
        assert replay.headers["Idempotent-Replayed"] == "true"
        assert replay.get_json() == {**first.get_json(), "remote_token": None}
        assert stored(tenant, item["id"]) == after_first  # no second token was minted
        kept = factory.sql(
            "SELECT response_body FROM idempotency_keys WHERE account_id = %s",
            (tenant.account_id,),
        )
        assert len(kept) == 1
        assert first.get_json()["remote_token"] not in kept[0]["response_body"]

    def test_disabled_intervention_can_mint_but_does_not_verify(self, tenant, conn):
        item = tenant.intervention(enabled=False)
        token = generate(tenant, item["id"])["remote_token"]
        assert verify_remote_token(conn, token) is None


# --- verify_remote_token ------------------------------------------------------------------


class TestVerifyRemoteToken:
    def test_valid_token_names_account_and_intervention(self, tenant, other_tenant, conn):
        mine, theirs = tenant.intervention(), other_tenant.intervention()
        my_token = generate(tenant, mine["id"])["remote_token"]
        their_token = generate(other_tenant, theirs["id"])["remote_token"]
        assert verify_remote_token(conn, my_token) == (tenant.account_id, mine["id"])
        assert verify_remote_token(conn, their_token) == (other_tenant.account_id, theirs["id"])

    def test_records_last_use_without_a_new_version(self, tenant, conn):
        item = tenant.intervention()
        token = generate(tenant, item["id"])["remote_token"]
        version = listed(tenant, item["id"])["version"]
        started = dt.datetime.now(dt.UTC)
        verify_remote_token(conn, token)
        row = stored(tenant, item["id"])
        assert row["remote_token_last_used_at"] >= started - dt.timedelta(seconds=1)
        shown = listed(tenant, item["id"])
        assert shown["remote_token_last_used_at"].endswith("Z")
        assert shown["version"] == version

    def test_failed_verification_records_nothing(self, tenant, conn):
        item = tenant.intervention()
        generate(tenant, item["id"])
        assert verify_remote_token(conn, mint_token("tkr_")) is None
        assert stored(tenant, item["id"])["remote_token_last_used_at"] is None

    @pytest.mark.parametrize("presented", ["", "tkr_", "tkr_short", None, 42, "Bearer tkr_x"])
    def test_malformed_tokens(self, conn, presented):
        assert verify_remote_token(conn, presented) is None

    def test_the_hash_is_not_a_token(self, tenant, conn):
        item = tenant.intervention()
        token = generate(tenant, item["id"])["remote_token"]
        assert verify_remote_token(conn, hash_token(token)) is None
        assert verify_remote_token(conn, "tkr_" + hash_token(token)) is None

    def test_api_tokens_are_not_remote_tokens(self, tenant, conn):
        assert verify_remote_token(conn, tenant.token) is None

    def test_disabled_intervention(self, tenant, conn):
        item = tenant.intervention()
        token = generate(tenant, item["id"])["remote_token"]
        tenant.ok("interventions/update", {"intervention_id": item["id"], "enabled": False})
        assert verify_remote_token(conn, token) is None
        tenant.ok("interventions/update", {"intervention_id": item["id"], "enabled": True})
        assert verify_remote_token(conn, token) == (tenant.account_id, item["id"])

    def test_disabled_intervention_refuses_grace_token_too(self, tenant, conn):
        item = tenant.intervention()
        old = generate(tenant, item["id"])["remote_token"]
        generate(tenant, item["id"], grace_minutes=60)
        tenant.ok("interventions/update", {"intervention_id": item["id"], "enabled": False})
        assert verify_remote_token(conn, old) is None

    def test_deleted_intervention(self, tenant, conn):
        item = tenant.intervention()
        old = generate(tenant, item["id"])["remote_token"]
        token = generate(tenant, item["id"], grace_minutes=60)["remote_token"]
        tenant.ok("interventions/delete", {"intervention_id": item["id"]})
        assert verify_remote_token(conn, token) is None
        assert verify_remote_token(conn, old) is None

    def test_expired_grace_token(self, tenant, conn):
        item = tenant.intervention()
        old = generate(tenant, item["id"])["remote_token"]
        generate(tenant, item["id"], grace_minutes=5)
        assert verify_remote_token(conn, old) == (tenant.account_id, item["id"])
        expire_grace(tenant, item["id"])
        assert verify_remote_token(conn, old) is None

    def test_grace_token_use_is_recorded(self, tenant, conn):
        item = tenant.intervention()
        old = generate(tenant, item["id"])["remote_token"]
        generate(tenant, item["id"], grace_minutes=5)
        verify_remote_token(conn, old)
        assert stored(tenant, item["id"])["remote_token_last_used_at"] is not None

    def test_account_whose_plan_lost_interventions(self, factory, conn):
        pro = factory.tenant(plan="pro")
        item = pro.intervention()
        token = generate(pro, item["id"])["remote_token"]
        factory.sql("UPDATE accounts SET plan_code = 'growth' WHERE id = %s", (pro.account_id,))
        assert verify_remote_token(conn, token) is None
        factory.sql("UPDATE accounts SET plan_code = 'pro' WHERE id = %s", (pro.account_id,))
        assert verify_remote_token(conn, token) == (pro.account_id, item["id"])

    def test_inside_a_callers_transaction(self, tenant, database_url):
        import psycopg

        item = tenant.intervention()
        token = generate(tenant, item["id"])["remote_token"]
        with psycopg.connect(database_url) as plain:  # tuple rows, not autocommit
            assert verify_remote_token(plain, token) == (tenant.account_id, item["id"])
            plain.rollback()
        assert stored(tenant, item["id"])["remote_token_last_used_at"] is None
