"""The ops console: help everywhere, one-line errors, validated abilities and features, the
token/user/account/plan/migration commands, the trail of what they changed, and no silent
embedded database."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys

import psycopg
import pytest
from psycopg.rows import dict_row

from auth.gates import PLAN_FEATURES
from tickiti_workflow import cli as console
from tickiti_workflow import db


@pytest.fixture
def ops(database_url, monkeypatch, capsys):
    """``ops(*args)``: run the console in this process; the parsed JSON answer, or with
    ``ok=False`` the one line it printed on stderr (exit status non-zero, nothing on stdout)."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TICKITI_OPS_ACTOR", "ops-test")

    def run(*args: str, ok: bool = True, status: int | None = None):
        try:
            code = console.main(list(args))
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        if ok:
            assert code == 0, err
            lines = out.splitlines()
            assert len(lines) == 1, out
            return json.loads(lines[0])
        assert code != 0 and (status is None or code == status), (code, out, err)
        assert out == ""
        assert len(err.strip().splitlines()) == 1, err
        assert "Traceback" not in err
        return err

    return run


def trail(conn, **where) -> list[dict]:
    clause = " AND ".join(f"{k} = %({k})s" for k in where) or "true"
    return conn.execute(f"SELECT * FROM ops_events WHERE {clause} ORDER BY id", where).fetchall()


def walk(parser: argparse.ArgumentParser, path=()):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from walk(child, (*path, name))


def test_every_command_and_option_has_help():
    commands = list(walk(console.build_parser()))
    assert len(commands) > 15
    for path, parser in commands:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    assert choice.help, f"{' '.join(path)} {choice.dest} has no help"
                continue
            assert action.help, f"{' '.join(path)} {action.option_strings} has no help"
        rendered = parser.format_help()
        assert "``" not in rendered, rendered


def test_help_of_each_command_prints(ops, capsys):
    for path, _ in walk(console.build_parser()):
        with pytest.raises(SystemExit) as exit_:
            console.main([*path, "--help"])
        assert exit_.value.code == 0
        assert "usage: tickiti-workflow" in capsys.readouterr().out


def test_version_is_json(ops):
    assert ops("--version") == {"version": console.version()}
    assert console.version() != "unknown"


BAD_VALUES = [
    (["create-account", "--name", "X", "--plan", "platinum"], "--plan must be one of"),
    (["create-account", "--name", "x" * 201, "--plan", "pro"], "at most 200"),
    (["create-account", "--name", "a\x07b", "--plan", "pro"], "control characters"),
    (["create-user", "--account", "abc", "--email", "a@b.c", "--role", "admin"], "not an id"),
    (["create-user", "--account", str(2**63), "--email", "a@b.c", "--role", "admin"], "not an id"),
    (["create-user", "--account", "0", "--email", "a@b.c", "--role", "admin"], "not an id"),
    (["create-user", "--account", "999999999", "--email", "a b@c", "--role", "admin"], "--email"),
    (["create-token", "--user", "1", "--ability", "workflow:wrte"], "unknown ability"),
    (["create-token", "--user", "1", "--ability", "Tickets"], "resource:action"),
    (["create-token", "--user", "1", "--ability", "tickets:read:all"], "resource:action"),
    (["create-token", "--user", "1", "--ability", "workflow:read", "--expires-in-days",
      "99999999999999999999"], "between 1 and 3650"),
    (["create-token", "--user", "1", "--ability", "workflow:read", "--expires-in-days", "x"],
     "not a whole number"),
    (["tokens"], "required"),
    (["tokens", "list"], "--account"),
    (["tokens", "list", "--account", "-5"], "not an id"),
    (["tokens", "list", "--account", "999999999"], "no account"),
    (["tokens", "revoke", "--token", "999999999"], "no token"),
    (["tokens", "rotate", "--token", "999999999"], "no token"),
    (["tokens", "explode"], "invalid choice"),
    (["users", "deactivate", "--user", "999999999"], "no user"),
    (["accounts", "list", "--limit", "0"], "between 1 and 1000"),
    (["accounts", "list", "--after", "-1"], "between 0"),
    (["accounts", "set-plan", "--account", "999999999", "--plan", "pro"], "no account"),
    (["plans", "set-features", "--plan", "pro", "--feature", "escalation"], "unknown feature"),
    (["plans", "set-features", "--plan", "pro"], "--none"),
    (["plans", "set-features", "--plan", "nope", "--none"], "--plan must be one of"),
    (["plans", "set-features", "--plan", "pro", "--none", "--feature", "escalations"],
     "exclude each other"),
    (["migrate", "--status", "--rollback-one"], "not allowed with"),
    (["migrate", "--rollback-one"], "--yes"),
    (["serve", "--port", "70000"], "between 1 and 65535"),
    (["events", "--limit", "5000"], "between 1 and 1000"),
    (["frobnicate"], "invalid choice"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), BAD_VALUES, ids=lambda v: " ".join(v)[:60])
def test_bad_values_are_one_line_and_a_non_zero_exit(ops, args, message):
    assert message in ops(*args, ok=False, status=2)


def test_a_non_postgresql_url_is_one_line(ops, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://root@127.0.0.1/x")
    assert "postgresql://" in ops("accounts", "list", ok=False, status=2)
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/x")
    assert "cannot reach the database" in ops("accounts", "list", ok=False, status=1)


def test_abilities_of_other_services_are_kept(ops, factory):
    account = factory.account()
    user = factory.user(account)
    token = ops("create-token", "--user", str(user), "--ability", "tickets:read",
                "--ability", "workflow:read")  # fmt: skip
    stored = factory.one("SELECT abilities FROM api_tokens WHERE id = %s", (token["id"],))
    assert stored["abilities"] == ["tickets:read", "workflow:read"]


def api_status(factory, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return factory.client.post("/api/v1/workflow/queues", headers=headers).status_code


def test_tokens_list_revoke_rotate(ops, factory, conn):
    account = factory.account()
    user = factory.user(account)
    first = ops("create-token", "--user", str(user), "--ability", "workflow:write",
                "--name", "ci", "--expires-in-days", "30")  # fmt: skip
    listed = ops("tokens", "list", "--account", str(account))["tokens"]
    assert [t["id"] for t in listed] == [first["id"]]
    assert listed[0]["prefix"] == first["token"][:8] and listed[0]["revoked_at"] is None
    assert first["token"] not in json.dumps(listed) and "hash" not in json.dumps(listed)

    rotated = ops("tokens", "rotate", "--token", str(first["id"]))
    assert rotated["revoked_id"] == first["id"] and rotated["token"] != first["token"]
    assert api_status(factory, first["token"]) == 401
    assert api_status(factory, rotated["token"]) == 200
    new = factory.one("SELECT * FROM api_tokens WHERE id = %s", (rotated["id"],))
    assert (new["name"], new["abilities"], new["user_id"]) == ("ci", ["workflow:write"], user)
    days = (new["expires_at"] - new["created_at"]).total_seconds() / 86400
    assert 29.9 < days <= 30.01

    assert "is revoked" in ops("tokens", "rotate", "--token", str(first["id"]), ok=False)
    revoked = ops("tokens", "revoke", "--token", str(rotated["id"]))
    assert revoked["id"] == rotated["id"] and revoked["revoked_at"]
    assert api_status(factory, rotated["token"]) == 401
    # Revoking again changes nothing and says when it was revoked.
    assert ops("tokens", "revoke", "--token", str(rotated["id"])) == revoked

    events = trail(conn, account_id=account, object_type="token")
    assert [e["command"] for e in events] == ["create-token", "tokens rotate", "tokens revoke"]
    assert all(e["actor"] == "ops-test" for e in events)
    assert events[1]["after"]["replaced_by"] == rotated["id"]
    text = json.dumps([e["before"] for e in events] + [e["after"] for e in events], default=str)
    assert first["token"] not in text and rotated["token"] not in text
    assert new["token_hash"] not in text


def test_users_deactivate_stops_their_tokens(ops, factory, conn):
    account = factory.account()
    user = factory.user(account)
    token, _ = factory.token(account, user)
    assert api_status(factory, token) == 200
    answer = ops("users", "deactivate", "--user", str(user))
    assert answer["active"] is False and answer["id"] == user
    assert api_status(factory, token) == 401
    assert ops("users", "deactivate", "--user", str(user))["active"] is False
    events = trail(conn, account_id=account, object_type="user")
    assert len(events) == 1 and events[0]["before"]["active"] is True
    assert "deactivated" in ops("create-token", "--user", str(user), "--ability",
                                "workflow:read", ok=False)  # fmt: skip


def test_accounts_list_pages_and_set_plan_changes_the_gates(ops, factory, conn):
    first, second = factory.account(plan="starter"), factory.account(plan="starter")
    page = ops("accounts", "list", "--after", str(first - 1), "--limit", "1")
    assert [a["id"] for a in page["accounts"]] == [first] and page["next_after"] == first
    page = ops("accounts", "list", "--after", str(first), "--limit", "1")
    assert page["accounts"][0]["id"] == second
    assert set(page["accounts"][0]) == {"id", "name", "plan", "created_at", "active_users"}

    user = factory.user(second)
    token, _ = factory.token(second, user)
    headers = {"Authorization": f"Bearer {token}"}
    path = "/api/v1/workflow/escalations"
    assert factory.client.post(path, headers=headers).status_code == 403
    assert ops("accounts", "set-plan", "--account", str(second), "--plan", "pro")["plan"] == "pro"
    assert factory.client.post(path, headers=headers).status_code == 200
    (event,) = trail(conn, account_id=second, command="accounts set-plan")
    assert (event["before"]["plan"], event["after"]["plan"]) == ("starter", "pro")


def test_plans_set_features_validates_and_is_recorded(ops, factory, conn):
    code = f"ops_{secrets.token_hex(4)}"
    factory.sql("INSERT INTO plans (code, name) VALUES (%s, 'Ops test')", (code,))
    try:
        answer = ops("plans", "set-features", "--plan", code, "--feature", "interventions",
                     "--feature", "escalations", "--feature", "interventions")  # fmt: skip
        assert answer == {
            "code": code,
            "name": "Ops test",
            "features": ["escalations", "interventions"],
        }
        assert ops("plans", "set-features", "--plan", code, "--none")["features"] == []
        assert code in [p["code"] for p in ops("plans", "list")["plans"]]
        events = trail(conn, object_type="plan", object_id=code)
        assert [e["after"]["features"] for e in events] == [["escalations", "interventions"], []]
        assert all(e["account_id"] is None for e in events)
        listed = ops("events", "--limit", "2")["events"]
        assert [e["object_id"] for e in listed] == [code, code]
    finally:
        factory.sql("DELETE FROM plans WHERE code = %s", (code,))


def test_the_known_features_are_the_ones_the_gates_check(factory):
    document = factory.client.get("/api/v1/workflow/openapi.json").get_json()
    gated = {
        op["x-plan-feature"]
        for item in document["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and op.get("x-plan-feature")
    }
    assert gated == PLAN_FEATURES


def test_migrate_status_and_rollback_one(fresh_database, monkeypatch, capsys):
    url = fresh_database()
    monkeypatch.setenv("DATABASE_URL", url)

    def run(*args):
        assert console.main(list(args)) == 0
        out = capsys.readouterr().out
        assert len(out.splitlines()) == 1, out  # no table of yoyo's before the JSON
        return json.loads(out)

    ids = sorted(p.name.removesuffix(".sql") for p in db.sql.MIGRATIONS.glob("*.sql")
                 if not p.name.endswith(".rollback.sql"))  # fmt: skip
    assert run("migrate", "--status") == {"migrations": [{"id": i, "applied": False} for i in ids]}
    assert run("migrate") == {"applied": len(ids)}
    status = run("migrate", "--status")["migrations"]
    assert all(m["applied"] for m in status)
    assert run("migrate", "--rollback-one", "--yes") == {"rolled_back": ids[-1]}
    assert [m["applied"] for m in run("migrate", "--status")["migrations"]][-1] is False
    with psycopg.connect(url, row_factory=dict_row) as conn:
        present = conn.execute("SELECT to_regclass('ops_events') IS NOT NULL AS p").fetchone()
        if present["p"]:  # the last migration was not the one that made the trail
            last = conn.execute("SELECT command, after FROM ops_events ORDER BY id DESC").fetchone()
            assert last == {"command": "migrate", "after": {"rolled_back": ids[-1]}}
    assert run("migrate") == {"applied": 1}
    with psycopg.connect(url, row_factory=dict_row) as conn:
        last = conn.execute("SELECT command, after FROM ops_events ORDER BY id DESC").fetchone()
    assert last == {"command": "migrate", "after": {"applied": 1}}


def test_migrate_rollback_one_on_an_empty_database(fresh_database, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", fresh_database())
    assert console.main(["migrate", "--rollback-one", "--yes"]) == 0
    assert json.loads(capsys.readouterr().out) == {"rolled_back": None}


def without_database() -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "TICKITI_EMBEDDED_DB")}  # fmt: skip
    return env


@pytest.mark.parametrize(
    "args",
    [["migrate"], ["create-account", "--name", "A", "--plan", "pro"],
     ["create-user", "--account", "1", "--email", "a@b.c", "--role", "admin"],
     ["create-token", "--user", "1", "--ability", "workflow:read"],
     ["tokens", "list", "--account", "1"], ["accounts", "list"], ["purge"]],
    ids=lambda a: a[0],
)  # fmt: skip
def test_commands_refuse_to_start_without_a_database(args, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "tickiti_workflow.cli", *args],
        capture_output=True, text=True, env=without_database(), cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "DATABASE_URL is not set" in proc.stderr
    assert not (tmp_path / ".tickiti").exists()


def test_the_web_process_refuses_to_start_without_a_database(tmp_path):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**without_database(), "PORT": "0", "PYTHONPATH": root}
    proc = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", os.path.join(root, "gunicorn.conf.py"),
         "app:create_app()"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "DATABASE_URL is not set" in proc.stderr
    assert not (tmp_path / ".tickiti").exists()


def test_the_app_refuses_to_start_without_a_database(monkeypatch, tmp_path):
    from app import create_app

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("TICKITI_EMBEDDED_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit, match="DATABASE_URL is not set"):
        create_app()
    assert not (tmp_path / ".tickiti").exists()
