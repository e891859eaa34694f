"""Ticket writers never wait for each other because of anything this service installed.

The tickets table belongs to the whole helpdesk: other services insert, update and delete
tickets with plain SQL, many at once. Whatever this service hangs on that table (counters, list
epochs) must not make a writer wait for another transaction that touches *other* tickets of the
same queue, resolution category or account. Each test here lets transaction 1 write and stay
open, then has transaction 2 write other tickets of the shared queue / category / account with
``lock_timeout = 200ms`` and commit: a lock wait on anything transaction 1 holds fails it.
(Foreign-key share locks on the queue row are PostgreSQL's own and never conflict here.)

Transaction 1 stays open either just after its write, or after ``SET CONSTRAINTS ALL
IMMEDIATE``, which runs its deferred triggers as a commit would: a row locked at commit time
would serialise every commit of the account just the same, only for less time.

After both commit, the queue and resolution-category lists of the API show exact counts.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import psycopg
import pytest

from tests.test_category_ticket_counts import listed_counts as listed_category_counts
from tests.test_category_ticket_counts import real_counts as real_category_counts
from tests.test_ticket_counts import listed_counts as listed_queue_counts
from tests.test_ticket_counts import real_counts as real_queue_counts

LOCK_TIMEOUT = "200ms"
KINDS = ["insert", "solve", "reopen", "move", "recategorise", "priority", "delete"]
SCOPES = ["queue", "category", "account"]


@dataclass
class Place:
    """Where one transaction's tickets live and where its moves and re-categorisations go."""

    queue_id: int
    target_queue_id: int
    category_id: int
    target_category_id: int


def places(tenant, scope: str) -> tuple[Place, Place]:
    """Two places that share exactly the scope: the queues (source and target) for 'queue',
    the categories (source and target) for 'category', nothing but the account for 'account'."""

    def queue() -> int:
        return tenant.queue()["id"]

    def category() -> int:
        return tenant.category()["id"]

    def own(shared: str, make) -> tuple[int, int]:
        first = make()
        return (first, first) if scope == shared else (first, make())

    queues, targets = own("queue", queue), own("queue", queue)
    categories, target_categories = own("category", category), own("category", category)
    return tuple(Place(queues[i], targets[i], categories[i], target_categories[i]) for i in (0, 1))


def prepare(tenant, factory, place: Place, kind: str) -> int | None:
    """The ticket a write of this kind changes (none for an insert)."""
    if kind == "insert":
        return None
    return factory.one(
        "INSERT INTO tickets (account_id, queue_id, resolution_category_id, status, priority,"
        " subject) VALUES (%s, %s, %s, %s, 'normal', 'Writer ticket') RETURNING id",
        (
            tenant.account_id,
            place.queue_id,
            place.category_id,
            "solved" if kind == "reopen" else "open",
        ),
    )["id"]


def write(cur, account_id: int, place: Place, kind: str, ticket_id: int | None) -> None:
    """One ticket write of this kind, in plain SQL as another service would write it."""
    one = {"account_id": account_id, "ticket_id": ticket_id}
    statements = {
        "insert": (
            "INSERT INTO tickets (account_id, queue_id, resolution_category_id, status, priority,"
            " subject) VALUES (%(account_id)s, %(queue_id)s, %(category_id)s, 'new', 'normal',"
            " 'Written')",
            {"account_id": account_id, "queue_id": place.queue_id,
             "category_id": place.category_id},
        ),
        "solve": (
            "UPDATE tickets SET status = 'solved' WHERE account_id = %(account_id)s"
            " AND id = %(ticket_id)s",
            one,
        ),
        "reopen": (
            "UPDATE tickets SET status = 'open' WHERE account_id = %(account_id)s"
            " AND id = %(ticket_id)s",
            one,
        ),
        "move": (
            "UPDATE tickets SET queue_id = %(queue_id)s WHERE account_id = %(account_id)s"
            " AND id = %(ticket_id)s",
            {**one, "queue_id": place.target_queue_id},
        ),
        "recategorise": (
            "UPDATE tickets SET resolution_category_id = %(category_id)s"
            " WHERE account_id = %(account_id)s AND id = %(ticket_id)s",
            {**one, "category_id": place.target_category_id},
        ),
        "priority": (
            "UPDATE tickets SET priority = 'urgent' WHERE account_id = %(account_id)s"
            " AND id = %(ticket_id)s",
            one,
        ),
        "delete": (
            "DELETE FROM tickets WHERE account_id = %(account_id)s AND id = %(ticket_id)s",
            one,
        ),
    }  # fmt: skip
    query, params = statements[kind]
    cur.execute(query, params)
    assert cur.rowcount == 1, (kind, cur.rowcount)


def assert_counts_exact(tenant, factory) -> None:
    assert listed_queue_counts(tenant) == real_queue_counts(factory, tenant.account_id)
    assert listed_category_counts(tenant) == real_category_counts(factory, tenant.account_id)


def connect(database_url: str, lock_timeout: str) -> psycopg.Connection:
    conn = psycopg.connect(database_url)
    conn.execute("SELECT set_config('lock_timeout', %s, false)", (lock_timeout,))
    conn.commit()
    return conn


@pytest.mark.parametrize("held", ["open", "after-deferred-triggers"])
@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("kind", KINDS)
def test_a_writer_does_not_wait_for_an_open_writer_of_other_tickets(
    tenant, factory, database_url, kind, scope, held
):
    first, second = places(tenant, scope)
    first_ticket = prepare(tenant, factory, first, kind)
    second_ticket = prepare(tenant, factory, second, kind)
    before = factory.one(
        "SELECT count(*) AS n FROM tickets WHERE account_id = %s", (tenant.account_id,)
    )["n"]

    with connect(database_url, "5s") as tx1, connect(database_url, LOCK_TIMEOUT) as tx2:
        write(tx1.cursor(), tenant.account_id, first, kind, first_ticket)
        if held == "after-deferred-triggers":
            tx1.execute("SET CONSTRAINTS ALL IMMEDIATE")
        try:
            write(tx2.cursor(), tenant.account_id, second, kind, second_ticket)
            tx2.commit()
        except psycopg.errors.LockNotAvailable as exc:
            pytest.fail(
                f"writing ({kind}) another ticket of the same {scope} waited for an open "
                f"transaction's {kind} for longer than {LOCK_TIMEOUT}: {exc}"
            )
        tx1.commit()

    change = {"insert": 2, "delete": -2}.get(kind, 0)
    after = factory.one(
        "SELECT count(*) AS n FROM tickets WHERE account_id = %s", (tenant.account_id,)
    )["n"]
    assert after == before + change
    assert_counts_exact(tenant, factory)


def test_many_writers_hold_their_transactions_open_at_once(tenant, factory, database_url):
    """Eight writers of every kind into one queue and one category, each holding its
    transaction open 300 ms after its write (half of them after their deferred triggers ran):
    any lock one of them waits for outlasts its 200 ms lock timeout."""
    writers = 8
    shared, _ = places(tenant, "queue")
    category_place, _ = places(tenant, "category")
    place = Place(
        shared.queue_id,
        shared.target_queue_id,
        category_place.category_id,
        category_place.target_category_id,
    )
    kinds = [KINDS[i % len(KINDS)] for i in range(writers)]
    tickets = [prepare(tenant, factory, place, kind) for kind in kinds]
    connections = [connect(database_url, LOCK_TIMEOUT) for _ in range(writers)]
    barrier = threading.Barrier(writers)
    failures: list[str] = []

    def writer(i: int) -> None:
        conn = connections[i]
        try:
            barrier.wait(30)
            write(conn.cursor(), tenant.account_id, place, kinds[i], tickets[i])
            if i % 2:
                conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
            conn.execute("SELECT pg_sleep(0.3)")
            conn.commit()
        except BaseException as exc:
            failures.append(f"writer {i} ({kinds[i]}): {type(exc).__name__}: {exc}")
            conn.rollback()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        for conn in connections:
            conn.close()
    assert not any(t.is_alive() for t in threads)
    assert failures == []
    assert_counts_exact(tenant, factory)
