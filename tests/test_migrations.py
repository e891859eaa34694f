"""Migrations apply, roll back completely and apply again; every named query fits the schema."""

from __future__ import annotations

import re

import psycopg
import pytest

import sql
from tickiti_workflow import db

SCHEMA_QUERY = """
SELECT table_name, column_name, data_type, is_nullable, column_default
FROM information_schema.columns
WHERE table_schema = 'public' AND table_name NOT LIKE '\\_yoyo%%' AND table_name NOT LIKE 'yoyo%%'
ORDER BY table_name, column_name
"""


def schema(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(SCHEMA_QUERY).fetchall()


def test_apply_rollback_apply(fresh_database):
    url = fresh_database()
    assert db.migrate(url) == len(list(sql.MIGRATIONS.glob("*.sql"))) // 2
    applied = schema(url)
    assert applied
    db.rollback_all(url)
    assert schema(url) == []
    db.migrate(url)
    assert schema(url) == applied
    assert db.migrate(url) == 0


def test_every_migration_has_a_rollback():
    forward = {p.name.removesuffix(".sql") for p in sql.MIGRATIONS.glob("*.sql")
               if not p.name.endswith(".rollback.sql")}  # fmt: skip
    rollbacks = {
        p.name.removesuffix(".rollback.sql") for p in sql.MIGRATIONS.glob("*.rollback.sql")
    }
    assert forward == rollbacks
    assert all(re.fullmatch(r"\d{4}\.[a-z0-9-]+", name) for name in forward)


def test_plans_are_seeded(conn):
    rows = conn.execute("SELECT code, features FROM plans ORDER BY code").fetchall()
    assert {r["code"]: set(r["features"]) for r in rows} == {
        "growth": {"resolution_tracking"},
        "pro": {"resolution_tracking", "interventions", "escalations"},
        "starter": set(),
    }


def test_tickets_accept_the_insert_other_services_send(factory):
    account = factory.account()
    inbox = factory.one("SELECT id FROM queues WHERE account_id = %s", (account,))["id"]
    row = factory.one(
        "INSERT INTO tickets (account_id, queue_id, status, priority, subject)"
        " VALUES (%s, %s, 'open', 'high', 'Printer on fire') RETURNING id, created_at",
        (account, inbox),
    )
    assert row["id"] and row["created_at"]


def test_a_ticket_cannot_point_at_another_accounts_queue(factory):
    mine, theirs = factory.account(), factory.account()
    their_inbox = factory.one("SELECT id FROM queues WHERE account_id = %s", (theirs,))["id"]
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        factory.sql(
            "INSERT INTO tickets (account_id, queue_id, status, priority, subject)"
            " VALUES (%s, %s, 'open', 'low', 'x')",
            (mine, their_inbox),
        )


def test_a_queue_with_tickets_cannot_be_deleted_by_sql(factory):
    account = factory.account()
    queue = factory.one(
        "INSERT INTO queues (account_id, name) VALUES (%s, 'Q') RETURNING id", (account,)
    )["id"]
    factory.tickets(account, queue, 1)
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        factory.sql("DELETE FROM queues WHERE id = %s AND account_id = %s", (queue, account))


def test_each_account_gets_exactly_one_builtin_inbox(factory):
    account = factory.account()
    rows = factory.sql("SELECT name, is_builtin FROM queues WHERE account_id = %s", (account,))
    assert rows == [{"name": "Inbox", "is_builtin": True}]
    with pytest.raises(psycopg.errors.UniqueViolation):
        factory.sql(
            "INSERT INTO queues (account_id, name, is_builtin) VALUES (%s, 'Second', true)",
            (account,),
        )


@pytest.mark.parametrize("query", sql.all_queries(), ids=lambda q: q.name)
def test_every_named_query_prepares_against_the_schema(conn, query):
    """Like listmonk preparing its queries at start-up: a typo in SQL fails here, not in prod."""
    names: list[str] = []

    def placeholder(match: re.Match) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    text = re.sub(r"%\((\w+)\)s", placeholder, query.text).replace("%%", "%")
    assert query.doc, query.name
    with conn.transaction(force_rollback=True):
        conn.execute(f"PREPARE check_query AS {text}")
        conn.execute("DEALLOCATE check_query")


def test_every_tenant_query_is_scoped_to_an_account():
    # Looked up by secret hash, ops commands across accounts, or touching no table at all.
    # The worker's queries that claim work or fold counts for every account at once.
    unscoped = {
        "authenticate", "plan_codes", "find_user", "purge_expired", "create_account",
        "wait_for_key", "count_set_based", "claim_job", "claim_task", "finish_task",
        "fold_ticket_counts", "lock_plan", "set_plan_features", "list_plans", "oldest_overdue",
    }  # fmt: skip
    for query in sql.all_queries():
        if query.name not in unscoped:
            assert "account_id" in query.text, query.name


def test_deleting_tickets_deletes_their_history(factory):
    account = factory.account()
    inbox = factory.one("SELECT id FROM queues WHERE account_id = %s", (account,))["id"]
    kept, doomed = factory.tickets(account, inbox, 2)
    factory.sql(
        "INSERT INTO ticket_events (account_id, ticket_id, from_queue_id, to_queue_id)"
        " VALUES (%s, %s, 1, 2), (%s, %s, 1, 2)",
        (account, kept, account, doomed),
    )
    factory.sql("DELETE FROM tickets WHERE account_id = %s AND id = %s", (account, doomed))
    rows = factory.sql("SELECT ticket_id FROM ticket_events WHERE account_id = %s", (account,))
    assert rows == [{"ticket_id": kept}]
