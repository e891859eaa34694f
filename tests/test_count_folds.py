"""Folding ticket count changes into the counters: exact under concurrent writers, and always a
new list state for the list cache."""

from __future__ import annotations

import random
import threading

import psycopg

from tests.test_ticket_counts import STATUSES, listed_counts, real_counts


def fold(database_url: str, max_rows: int = 1_000_000) -> int:
    with psycopg.connect(database_url, autocommit=True) as conn:
        return conn.execute("SELECT fold_ticket_count_changes(%s)", (max_rows,)).fetchone()[0]


def pending_changes(factory, account_id: int) -> int:
    return factory.one(
        "SELECT count(*) AS n FROM ticket_count_changes WHERE account_id = %s", (account_id,)
    )["n"]


def test_counts_stay_exact_while_folds_run_between_concurrent_writers(
    tenant, factory, database_url
):
    queues = [tenant.inbox_id] + [tenant.queue()["id"] for _ in range(2)]
    category_id = tenant.category("Refund")["id"]
    account = tenant.account_id
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer(seed: int):
        rng = random.Random(seed)
        try:
            with psycopg.connect(database_url, autocommit=True) as conn:
                for _ in range(80):
                    q = rng.choice(queues)
                    try:
                        write_some(conn, rng, q)
                    except psycopg.errors.DeadlockDetected:
                        # Two writers changing the same random tickets in opposite orders: a
                        # deadlock of their own, rolled back whole, as it would be anywhere.
                        continue
        except BaseException as exc:
            errors.append(exc)

    def write_some(conn, rng, q):
        with conn.transaction():
            conn.execute(
                "INSERT INTO tickets (account_id, queue_id, status, resolution_category_id)"
                " SELECT %s, %s, %s, %s FROM generate_series(1, %s)",
                (account, q, rng.choice(STATUSES), rng.choice([None, category_id]),
                 rng.randint(1, 3)),
            )  # fmt: skip
            conn.execute(
                "UPDATE tickets SET status = %s, queue_id = %s WHERE account_id = %s"
                " AND id IN (SELECT id FROM tickets WHERE account_id = %s"
                " ORDER BY random() LIMIT 2)",
                (rng.choice(STATUSES), rng.choice(queues), account, account),
            )
            if rng.random() < 0.3:
                conn.execute(
                    "DELETE FROM tickets WHERE account_id = %s AND id IN (SELECT id"
                    " FROM tickets WHERE account_id = %s ORDER BY random() LIMIT 1)",
                    (account, account),
                )
            if rng.random() < 0.2:
                raise psycopg.Rollback()

    def folder():
        try:
            while not stop.is_set():
                fold(database_url, max_rows=7)  # small batches: folds interleave with writes
        except BaseException as exc:
            errors.append(exc)

    writers = [threading.Thread(target=writer, args=(seed,)) for seed in range(4)]
    folders = [threading.Thread(target=folder) for _ in range(2)]  # two folds at once, too
    for t in writers + folders:
        t.start()
    for t in writers:
        t.join(120)
    stop.set()
    for t in folders:
        t.join(30)
    assert not errors, errors
    assert listed_counts(tenant) == real_counts(factory, account)
    fold(database_url)
    assert pending_changes(factory, account) == 0
    assert listed_counts(tenant) == real_counts(factory, account)
    real_category = factory.one(
        "SELECT count(*) AS n FROM tickets WHERE account_id = %s AND resolution_category_id = %s",
        (account, category_id),
    )["n"]
    listed = tenant.ok("resolution-categories", {})["resolution_categories"]
    assert [c["ticket_count"] for c in listed] == [real_category]


def test_a_fold_that_changes_no_count_still_gives_the_lists_a_new_state(
    tenant, factory, database_url
):
    """Between folds the number of pending changes names the state; a fold resets that number,
    so it must also bump the epoch, or a later state with the same number would hit a stale
    cached list."""
    (ticket,) = tenant.tickets(tenant.inbox_id, 1)
    factory.sql(
        "DELETE FROM tickets WHERE account_id = %s AND id = %s", (tenant.account_id, ticket)
    )
    assert pending_changes(factory, tenant.account_id) == 2  # +1 and -1: no net change
    assert listed_counts(tenant)[tenant.inbox_id] == (0, 0)  # cached at (epoch, 2)
    fold(database_url)
    assert pending_changes(factory, tenant.account_id) == 0
    tenant.tickets(tenant.inbox_id, 2)  # (epoch, 2) again, were the epoch unchanged
    assert listed_counts(tenant)[tenant.inbox_id] == (2, 2)


def test_counts_of_a_deleted_queue_are_dropped_by_the_fold(tenant, factory, database_url):
    queue = tenant.queue()
    tenant.tickets(queue["id"], 3)
    tenant.ok("queues/delete", {"queue_id": queue["id"], "reassign_to_queue_id": tenant.inbox_id})
    fold(database_url)
    assert pending_changes(factory, tenant.account_id) == 0
    assert listed_counts(tenant) == {tenant.inbox_id: (3, 3)}


def test_a_subject_change_logs_nothing_and_a_priority_change_no_count(tenant, factory):
    """Only what counts or clocks read runs the trigger: a subject is neither; a priority is
    a clock event (escalations match on it) with a count change of zero."""
    ids = tenant.tickets(tenant.inbox_id, 3)
    before = pending_changes(factory, tenant.account_id)
    factory.sql(
        "UPDATE tickets SET subject = 'x', updated_at = now() WHERE account_id = %s"
        " AND id = ANY(%s)",
        (tenant.account_id, ids),
    )
    assert pending_changes(factory, tenant.account_id) == before
    factory.sql(
        "UPDATE tickets SET priority = 'urgent' WHERE account_id = %s AND id = ANY(%s)",
        (tenant.account_id, ids),
    )
    rows = factory.sql(
        "SELECT ticket_id, tickets, open_tickets, status FROM ticket_count_changes"
        " WHERE account_id = %s AND tickets = 0 ORDER BY ticket_id",
        (tenant.account_id,),
    )
    assert rows == [
        {"ticket_id": i, "tickets": 0, "open_tickets": 0, "status": "open"} for i in ids
    ]
    assert listed_counts(tenant)[tenant.inbox_id] == (3, 3)


def test_truncate_empties_every_count(tenant, factory, database_url):
    """TRUNCATE tickets (an ops reset of a test database) zeroes every counter at once."""
    tenant.tickets(tenant.inbox_id, 2)
    fold(database_url)
    tenant.tickets(tenant.inbox_id, 1)
    assert listed_counts(tenant)[tenant.inbox_id] == (3, 3)
    with psycopg.connect(database_url, autocommit=True) as conn, conn.transaction():
        # Only in a transaction that rolls back: other tests share this database.
        conn.execute("TRUNCATE tickets CASCADE")
        row = conn.execute(
            "SELECT ticket_count, open_ticket_count FROM queue_ticket_counts_now(%s)"
            " WHERE queue_id = %s",
            (tenant.account_id, tenant.inbox_id),
        ).fetchone()
        assert row == (0, 0)
        raise psycopg.Rollback()
    assert listed_counts(tenant)[tenant.inbox_id] == (3, 3)


def test_a_move_appends_one_row_that_leaves_the_old_place_and_enters_the_new(
    tenant, factory, database_url
):
    """A move of queue and category is one capture row: the counts read before and after the
    fold are the same, and both places see it."""
    queue = tenant.queue()
    category_id = tenant.category("Refund")["id"]
    open_id, solved_id = tenant.tickets(tenant.inbox_id, 2)
    factory.sql(
        "UPDATE tickets SET status = 'solved', resolution_category_id = %s"
        " WHERE account_id = %s AND id = %s",
        (category_id, tenant.account_id, solved_id),
    )
    fold(database_url)
    factory.sql(
        "UPDATE tickets SET queue_id = %s, resolution_category_id = CASE id WHEN %s THEN %s END"
        " WHERE account_id = %s AND id = ANY(%s)",
        (queue["id"], open_id, category_id, tenant.account_id, [open_id, solved_id]),
    )
    rows = factory.sql(
        "SELECT ticket_id, queue_id, category_id, tickets, open_tickets, from_queue_id,"
        " from_category_id, from_open_tickets FROM ticket_count_changes"
        " WHERE account_id = %s ORDER BY ticket_id",
        (tenant.account_id,),
    )
    assert rows == [
        {"ticket_id": open_id, "queue_id": queue["id"], "category_id": category_id,
         "tickets": 1, "open_tickets": 1, "from_queue_id": tenant.inbox_id,
         "from_category_id": None, "from_open_tickets": 1},
        {"ticket_id": solved_id, "queue_id": queue["id"], "category_id": None,
         "tickets": 1, "open_tickets": 0, "from_queue_id": tenant.inbox_id,
         "from_category_id": category_id, "from_open_tickets": 0},
    ]  # fmt: skip
    expected = {tenant.inbox_id: (0, 0), queue["id"]: (2, 1)}
    categories = "SELECT ticket_count FROM category_ticket_counts_now(%s) WHERE category_id = %s"
    for _ in ("before the fold", "after it"):
        assert listed_counts(tenant) == expected
        assert factory.one(categories, (tenant.account_id, category_id))["ticket_count"] == 1
        fold(database_url)
    assert pending_changes(factory, tenant.account_id) == 0
