"""Cached list responses (tickiti_workflow/web/list_cache.py, migration 0011).

A list answered again while nothing it shows has changed costs the authentication statement
alone; any change that a list shows, through the API or by direct SQL from another service,
reaches the next list at once; the gates run on every request; one account never sees
another's list."""

from __future__ import annotations

import threading

import psycopg
import pytest

from app import create_app
from tests.factories import assert_error
from tickiti_workflow.web.list_cache import ListCache

LISTS = ["queues", "resolution-categories", "interventions", "escalations", "audit-events"]
URL = "https://actions.example.com/hook"


def epochs(factory, account_ids: list[int]) -> dict[int, int]:
    rows = factory.sql(
        "SELECT account_id, epoch FROM account_list_epochs WHERE account_id = ANY(%s)",
        (account_ids,),
    )
    return {r["account_id"]: r["epoch"] for r in rows}


def epoch(factory, account_id: int) -> int | None:
    return epochs(factory, [account_id]).get(account_id)


@pytest.fixture
def furnished(tenant):
    """A tenant with one object of every kind and an audit history."""
    queue = tenant.queue("Billing")["id"]
    tenant.ids = {
        "queue": queue,
        "category": tenant.category("Fixed")["id"],
        "intervention": tenant.intervention("Refund", remote_url=URL)["id"],
        "escalation": tenant.escalation(
            "Urgent", actions=[{"type": "set_priority", "priority": "urgent"}]
        )["id"],
    }
    return tenant


@pytest.mark.parametrize("path", LISTS)
def test_a_repeated_list_costs_only_authentication(furnished, round_trips, path):
    first = furnished.post(path, {})
    assert round_trips(lambda: furnished.post(path, {})) == 1
    again = furnished.post(path, {})
    assert again.status_code == 200
    assert again.data == first.data
    assert again.mimetype == "application/json"


def test_filters_and_cursors_are_part_of_the_key(furnished):
    everything = furnished.ok("audit-events", {})["audit_events"]
    queues_only = furnished.ok("audit-events", {"object_type": "queue"})["audit_events"]
    assert {e["object_type"] for e in queues_only} == {"queue"}
    assert len(everything) > len(queues_only)
    first = furnished.ok("audit-events", {"limit": 1})
    second = furnished.ok("audit-events", {"limit": 1, "cursor": first["next_cursor"]})
    assert first["audit_events"] != second["audit_events"]


# (list, SQL another service might run, how to read the change from the list)
def _queue(body, tenant):
    return next(q for q in body["queues"] if q["id"] == tenant.ids["queue"])


def _category(body, tenant):
    return body["resolution_categories"][0]


DIRECT_SQL = {
    "ticket inserted": (
        "queues",
        "INSERT INTO tickets (account_id, queue_id, status, priority, subject)"
        " VALUES (%(account)s, %(queue)s, 'open', 'low', 'x')",
        lambda body, t: _queue(body, t)["ticket_count"],
    ),
    "ticket solved": (
        "queues",
        "UPDATE tickets SET status = 'solved' WHERE account_id = %(account)s",
        lambda body, t: _queue(body, t)["open_ticket_count"],
    ),
    "ticket moved": (
        "queues",
        "UPDATE tickets SET queue_id = %(inbox)s WHERE account_id = %(account)s",
        lambda body, t: _queue(body, t)["ticket_count"],
    ),
    "ticket deleted": (
        "queues",
        "DELETE FROM tickets WHERE account_id = %(account)s",
        lambda body, t: _queue(body, t)["ticket_count"],
    ),
    "queue renamed": (
        "queues",
        "UPDATE queues SET name = 'Renamed' WHERE account_id = %(account)s AND id = %(queue)s",
        lambda body, t: _queue(body, t)["name"],
    ),
    "ticket categorised": (
        "resolution-categories",
        "UPDATE tickets SET resolution_category_id = %(category)s WHERE account_id = %(account)s",
        lambda body, t: _category(body, t)["ticket_count"],
    ),
    "category described": (
        "resolution-categories",
        "UPDATE resolution_categories SET description = 'By SQL' WHERE account_id = %(account)s",
        lambda body, t: _category(body, t)["description"],
    ),
    "intervention disabled": (
        "interventions",
        "UPDATE interventions SET enabled = NOT enabled WHERE account_id = %(account)s",
        lambda body, t: body["interventions"][0]["enabled"],
    ),
    "escalation renamed": (
        "escalations",
        "UPDATE escalations SET name = 'By SQL' WHERE account_id = %(account)s",
        lambda body, t: body["escalations"][0]["name"],
    ),
    "business hours moved": (
        "escalations",
        "UPDATE business_hours SET timezone = 'Asia/Tokyo' WHERE account_id = %(account)s",
        lambda body, t: body["business_hours"]["timezone"],
    ),
    "audit event written": (
        "audit-events",
        "INSERT INTO audit_events (account_id, actor_user_id, token_id, request_id, action,"
        " object_type, object_id) VALUES (%(account)s, %(user)s, %(token)s, 'sql',"
        " 'queue.update', 'queue', %(queue)s)",
        lambda body, t: body["audit_events"][0]["request_id"],
    ),
}


@pytest.mark.parametrize("change", DIRECT_SQL)
def test_direct_sql_changes_reach_the_next_list(furnished, factory, change):
    path, statement, read = DIRECT_SQL[change]
    t = furnished
    t.tickets(t.ids["queue"], 3, "open")
    before = read(t.ok(path, {}), t)
    assert read(t.ok(path, {}), t) == before  # now answered from the cache
    factory.sql(
        statement,
        {
            "account": t.account_id,
            "queue": t.ids["queue"],
            "inbox": t.inbox_id,
            "category": t.ids["category"],
            "user": t.user_id,
            "token": t.token_id,
        },
    )
    assert read(t.ok(path, {}), t) != before


def test_api_writes_reach_the_next_list(furnished):
    t = furnished
    t.ok("queues", {})
    t.ok("queues/update", {"queue_id": t.ids["queue"], "name": "Invoices"})
    names = [q["name"] for q in t.ok("queues", {})["queues"]]
    assert "Invoices" in names and "Billing" not in names


def last_epoch(factory) -> int:
    return factory.sql("SELECT last_value FROM account_list_epoch_seq")[0]["last_value"]


def test_a_transaction_bumps_the_epoch_once_and_a_rollback_not_at_all(
    furnished, factory, database_url
):
    t = furnished
    start = last_epoch(factory)
    with psycopg.connect(database_url) as conn:
        for _ in range(3):
            conn.execute(
                "INSERT INTO tickets (account_id, queue_id, status, priority, subject)"
                " VALUES (%s, %s, 'open', 'low', 'x')",
                (t.account_id, t.ids["queue"]),
            )
        conn.execute("UPDATE queues SET description = 'x' WHERE account_id = %s", (t.account_id,))
    assert last_epoch(factory) == start + 1
    assert epoch(factory, t.account_id) == start + 1
    with psycopg.connect(database_url) as conn:
        conn.execute("UPDATE queues SET description = 'y' WHERE account_id = %s", (t.account_id,))
        conn.rollback()
    assert last_epoch(factory) == start + 1


def test_transactions_across_accounts_in_opposite_orders_do_not_deadlock(factory, database_url):
    a, b = factory.tenant(), factory.tenant()
    # Two transactions write disjoint rows of the same two accounts in opposite orders: only
    # the accounts' epoch rows are shared, and they are locked in account order at commit.
    plans = (
        [(a.account_id, a.queue()["id"]), (b.account_id, b.queue()["id"])],
        [(b.account_id, b.inbox_id), (a.account_id, a.inbox_id)],
    )
    errors: list[str] = []

    def write(plan, barrier):
        with psycopg.connect(database_url) as conn:
            try:
                for account, queue in plan:
                    conn.execute(
                        "UPDATE queues SET description = description || 'x'"
                        " WHERE account_id = %s AND id = %s",
                        (account, queue),
                    )
                barrier.wait(timeout=10)
                conn.commit()
            except Exception as exc:  # any failure is the finding
                errors.append(type(exc).__name__)

    for _ in range(20):
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=write, args=(plan, barrier)) for plan in plans]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []


def test_a_transaction_over_many_accounts_bumps_them_all(furnished, factory, database_url):
    t = furnished
    t.ok("queues", {})
    many = [
        r["id"]
        for r in factory.sql(
            "INSERT INTO accounts (name, plan_code)"
            " SELECT 'Many ' || n, 'pro' FROM generate_series(1, 300) n RETURNING id"
        )
    ]
    before = epochs(factory, [*many, t.account_id])
    with psycopg.connect(database_url) as conn:
        conn.execute(
            "UPDATE queues SET description = 'All of them' WHERE account_id = ANY(%s)",
            ([*many, t.account_id],),
        )
        # too many to list: the transaction bumps every account at commit
        assert conn.execute("SELECT current_setting('tickiti.list_accounts')").fetchone()[0] == "*"
    after = epochs(factory, [*many, t.account_id])
    assert len(after) == 301 and all(after[k] != before[k] for k in after)
    assert {q["description"] for q in t.ok("queues", {})["queues"]} == {"All of them"}


def test_truncate_bumps_every_account(furnished, factory, database_url):
    t = furnished
    start = epoch(factory, t.account_id)
    with psycopg.connect(database_url) as conn:  # rolled back: the other tests keep their events
        conn.execute("TRUNCATE audit_events")
        bumped = conn.execute(
            "SELECT epoch FROM account_list_epochs WHERE account_id = %s", (t.account_id,)
        ).fetchone()[0]
        conn.rollback()
    assert bumped != start


def test_changes_in_replica_mode_reach_the_next_list(furnished, factory, database_url):
    t = furnished
    t.ok("queues", {})
    with psycopg.connect(database_url) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute(
            "UPDATE queues SET name = 'Replicated' WHERE account_id = %s AND id = %s",
            (t.account_id, t.ids["queue"]),
        )
    assert "Replicated" in [q["name"] for q in t.ok("queues", {})["queues"]]


def test_an_account_without_an_epoch_is_never_served_from_the_cache(
    furnished, factory, round_trips
):
    t = furnished
    assert epoch(factory, t.account_id) is not None  # every account is created with one
    factory.sql("DELETE FROM account_list_epochs WHERE account_id = %s", (t.account_id,))
    t.ok("queues", {})
    assert round_trips(lambda: t.post("queues", {})) == 2
    t.tickets(t.ids["queue"], 1)
    assert round_trips(lambda: t.post("queues", {})) == 2
    factory.sql("INSERT INTO account_list_epochs (account_id) VALUES (%s)", (t.account_id,))
    t.ok("queues", {})
    assert round_trips(lambda: t.post("queues", {})) == 1


@pytest.mark.parametrize("path", LISTS)
def test_gates_run_before_the_cache(furnished, factory, path):
    t = furnished
    t.ok(path, {})
    factory.sql("UPDATE users SET role = 'agent' WHERE id = %s", (t.user_id,))
    assert_error(t.post(path, {}), 403, "admin_required")
    factory.sql("UPDATE users SET role = 'admin' WHERE id = %s", (t.user_id,))
    t.ok(path, {})
    factory.sql("UPDATE api_tokens SET revoked_at = now() WHERE id = %s", (t.token_id,))
    assert t.post(path, {}).status_code == 401


def test_a_plan_change_applies_to_cached_lists(furnished, factory):
    t = furnished
    t.ok("escalations", {})
    factory.sql("UPDATE accounts SET plan_code = 'starter' WHERE id = %s", (t.account_id,))
    assert_error(t.post("escalations", {}), 403, "feature_not_in_plan")


@pytest.mark.parametrize("path", LISTS)
def test_another_account_gets_its_own_list(furnished, other_tenant, path):
    mine = furnished.post(path, {})
    furnished.post(path, {})
    theirs = other_tenant.post(path, {})
    assert theirs.status_code == 200
    assert theirs.data != mine.data
    assert other_tenant.post(path, {}).data == theirs.data


def test_list_cache_mb_0_turns_it_off(database_url, factory, round_trips):
    app = create_app({"DATABASE_URL": database_url, "LIST_CACHE_MB": "0"})
    try:
        assert "tickiti.list_cache" not in app.extensions
        tenant = factory.tenant()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {tenant.token}"}
        for _ in range(2):
            assert round_trips(lambda: client.post("/api/v1/workflow/queues", headers=headers)) == 2
    finally:
        app.extensions["tickiti.db"].close()


class TestListCache:
    def test_a_different_epoch_misses(self):
        cache = ListCache(1000)
        cache.put(("a",), 1, b"one")
        assert cache.get(("a",), 1) == b"one"
        assert cache.get(("a",), 2) is None
        cache.put(("a",), 2, b"two")
        assert cache.get(("a",), 2) == b"two"
        assert len(cache) == 1

    def test_least_recently_used_leaves_first_within_the_byte_bound(self):
        cache = ListCache(80)
        for key in "abc":
            cache.put((key,), 1, b"x" * 10)
        cache.get(("a",), 1)
        for key in "defghij":  # 10 entries of 10 bytes > 80 bytes
            cache.put((key,), 1, b"x" * 10)
        assert cache.get(("a",), 1) is not None  # used recently
        assert cache.get(("b",), 1) is None
        assert cache.get(("c",), 1) is None
        assert cache._bytes <= 80

    def test_forgetting_after_an_outage(self):
        cache = ListCache(80)
        cache.put(("a",), 1, b"one")
        cache.forget_after_outage(0)
        assert cache.get(("a",), 1) == b"one"
        cache.forget_after_outage(1)
        assert cache.get(("a",), 1) is None and len(cache) == 0

    def test_a_body_over_an_eighth_of_the_cache_is_not_kept(self):
        cache = ListCache(80)
        cache.put(("big",), 1, b"x" * 11)
        assert cache.get(("big",), 1) is None
        cache.put(("small",), 1, b"x" * 10)
        assert cache.get(("small",), 1) == b"x" * 10


def test_an_outage_of_the_database_empties_the_cache(furnished, app, round_trips):
    t = furnished
    t.ok("queues", {})
    assert round_trips(lambda: t.post("queues", {})) == 1
    app.extensions["tickiti.db"].outages += 1  # as when a connection attempt failed
    assert round_trips(lambda: t.post("queues", {})) == 2
    assert round_trips(lambda: t.post("queues", {})) == 1
