"""The ops console: one JSON object on stdout, clear errors on bad arguments."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


@pytest.fixture
def cli(database_url):
    def run(*args: str, ok: bool = True):
        env = {
            **os.environ,
            "DATABASE_URL": database_url.replace("postgresql://", "postgres://", 1),
        }
        proc = subprocess.run(
            [sys.executable, "-m", "tickiti_workflow.cli", *args],
            capture_output=True, text=True, env=env, timeout=60,
        )  # fmt: skip
        if ok:
            assert proc.returncode == 0, proc.stderr
            lines = proc.stdout.strip().splitlines()
            assert len(lines) == 1, proc.stdout
            return json.loads(lines[0])
        assert proc.returncode != 0
        assert proc.stdout == ""
        return proc.stderr

    return run


def test_migrate_is_idempotent(cli):
    assert cli("migrate") == {"applied": 0}


def test_account_user_token_then_call_the_api(cli, factory):
    account = cli("create-account", "--name", "Acme", "--plan", "pro")
    assert account == {"id": account["id"], "name": "Acme", "plan": "pro"}
    user = cli(
        "create-user", "--account", str(account["id"]), "--email", "a@acme.test", "--role", "owner"
    )
    token = cli(
        *("create-token", "--user", str(user["id"]), "--ability", "workflow:read"),
        *("--ability", "workflow:write", "--name", "ci", "--expires-in-days", "30"),
    )
    assert token["token"].startswith("tkt_") and len(token["token"]) >= 44
    stored = factory.one("SELECT * FROM api_tokens WHERE id = %s", (token["id"],))
    assert token["token"] not in json.dumps(stored, default=str)
    assert stored["abilities"] == ["workflow:read", "workflow:write"]
    assert stored["expires_at"] is not None
    response = factory.client.post(
        "/api/v1/workflow/queues", headers={"Authorization": f"Bearer {token['token']}"}
    )
    assert response.status_code == 200
    assert response.get_json()["queues"][0]["name"] == "Inbox"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create-account", "--name", "X", "--plan", "platinum"], "--plan must be one of"),
        (["create-account", "--name", " ", "--plan", "pro"], "--name"),
        (["create-user", "--account", "999999999", "--email", "a@b.c", "--role", "admin"],
         "no account"),
        (["create-user", "--account", "1", "--email", "a@b.c", "--role", "boss"], "--role"),
        (["create-user", "--account", "1", "--email", "nope", "--role", "admin"], "--email"),
        (["create-token", "--user", "999999999", "--ability", "workflow:read"], "no user"),
        (["create-token", "--user", "1"], "--ability"),
        (["create-token", "--user", "1", "--ability", "workflow:read", "--expires-in-days", "0"],
         "--expires-in-days"),
        (["frobnicate"], "invalid choice"),
    ],
)  # fmt: skip
def test_bad_arguments_exit_non_zero_with_a_clear_message(cli, args, message):
    assert message in cli(*args, ok=False)


def test_duplicate_email_is_refused(cli):
    account = cli("create-account", "--name", "Dup", "--plan", "starter")
    args = [
        "create-user",
        "--account",
        str(account["id"]),
        "--email",
        "d@x.test",
        "--role",
        "agent",
    ]
    cli(*args)
    assert "already exists" in cli(*[a.upper() if a == "d@x.test" else a for a in args], ok=False)


def test_purge_deletes_only_expired_idempotency_keys(cli, tenant, factory):
    for key in ("old", "fresh"):
        tenant.ok("queues/create", {"name": key}, status=201, headers={"Idempotency-Key": key})
    factory.sql(
        "UPDATE idempotency_keys SET created_at = now() - interval '25 hours'"
        " WHERE account_id = %s AND key = 'old'",
        (tenant.account_id,),
    )
    assert cli("purge")["idempotency_keys_deleted"] >= 1
    kept = factory.sql(
        "SELECT key FROM idempotency_keys WHERE account_id = %s", (tenant.account_id,)
    )
    assert kept == [{"key": "fresh"}]
