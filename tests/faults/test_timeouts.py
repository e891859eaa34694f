"""Every request runs under statement_timeout and lock_timeout, directly and behind
PgBouncer; a blocked request answers 503 ``database_timeout`` in bounded time, gives its
connection back, and the pool never leaks one. A request that cannot get a connection answers
503 ``database_unavailable`` after DATABASE_POOL_TIMEOUT_MS, not later.
"""

from __future__ import annotations

import contextlib
import secrets
from concurrent.futures import ThreadPoolExecutor

import pytest

from .conftest import wait_until, with_database

pytestmark = pytest.mark.faults


@pytest.fixture(params=["direct", "pgbouncer"])
def url(request, fault_db):
    """The service's DATABASE_URL: PostgreSQL itself, or PgBouncer (flag in the URL)."""
    if request.param == "direct":
        return fault_db.url
    bouncer = request.getfixturevalue("pgbouncer")
    return with_database(bouncer.url, fault_db.name) + "?pgbouncer=true"


@contextlib.contextmanager
def holding(fault_db, statement: str, params=()):
    """Run ``statement`` in a transaction left open (holding its locks) until the block ends."""
    conn = fault_db.connect(autocommit=False)
    try:
        conn.execute("SET lock_timeout = 0")
        conn.execute(statement, params)
        yield
    finally:
        conn.rollback()
        conn.close()


def assert_no_leaks(fault_db, service, workers: int, pool_size: int):
    """The service holds at most its pools' worth of connections, none inside a transaction."""
    connections = fault_db.app_connections(service)
    assert len(connections) <= workers * pool_size, connections
    assert all(c["state"] in ("idle", "active") and not c["has_xid"] for c in connections), (
        connections
    )
    # And every pool can still hand out all its connections: a burst of requests succeeds.
    with ThreadPoolExecutor(16) as pool:
        responses = list(
            pool.map(lambda _: service.post("queues", token=service.tenant.token), range(32))
        )
    assert [r.status for r in responses] == [200] * 32, [r.body for r in responses]


def start(start_service, fault_db, url, **env):
    service = start_service(url, **env)
    service.tenant = fault_db.tenant()
    return service


def create_queue(service) -> dict:
    response = service.post(
        "queues/create", {"name": f"Q {secrets.token_hex(4)}"}, token=service.tenant.token
    )
    assert response.status == 201, response.body
    return response.body["queue"]


class TestTimeouts:
    def test_lock_wait_answers_database_timeout_and_releases_connections(
        self, start_service, fault_db, url
    ):
        service = start(
            start_service,
            fault_db,
            url,
            DATABASE_LOCK_TIMEOUT_MS=300,
            DATABASE_POOL_SIZE=2,
            WEB_CONCURRENCY=2,
        )
        queue = create_queue(service)
        lock_row = "SELECT 1 FROM queues WHERE account_id = %s AND id = %s FOR UPDATE"
        with holding(fault_db, lock_row, (service.tenant.account_id, queue["id"])):
            with ThreadPoolExecutor(12) as pool:
                responses = list(
                    pool.map(
                        lambda i: service.post(
                            "queues/update",
                            {"queue_id": queue["id"], "name": f"Blocked {i}"},
                            token=service.tenant.token,
                        ),
                        range(12),
                    )
                )
            for response in responses:
                assert response.status == 503, response.body
                assert response.code == "database_timeout"
                assert "Traceback" not in str(response.body)
                assert response.elapsed < 5
            # While the lock is still held, everything else works: no connection was kept.
            assert_no_leaks(fault_db, service, workers=2, pool_size=2)
        renamed = service.post(
            "queues/update", {"queue_id": queue["id"], "name": "Free"}, token=service.tenant.token
        )
        assert renamed.status == 200, renamed.body
        assert renamed.body["queue"]["version"] == queue["version"] + 1  # the 503s changed nothing

    def test_statement_timeout_bounds_a_request(self, start_service, fault_db, url):
        service = start(
            start_service,
            fault_db,
            url,
            DATABASE_LOCK_TIMEOUT_MS=20000,
            DATABASE_STATEMENT_TIMEOUT_MS=400,
        )
        queue = create_queue(service)
        lock_row = "SELECT 1 FROM queues WHERE account_id = %s AND id = %s FOR UPDATE"
        with holding(fault_db, lock_row, (service.tenant.account_id, queue["id"])):
            response = service.post(
                "queues/update",
                {"queue_id": queue["id"], "name": "Slow"},
                token=service.tenant.token,
            )
            assert response.status == 503, response.body
            assert response.code == "database_timeout"
            assert 0.3 < response.elapsed < 4
        assert_no_leaks(fault_db, service, workers=2, pool_size=4)

    def test_the_token_lookup_runs_under_the_timeouts_too(self, start_service, fault_db, url):
        """A migration holding api_tokens must not hang every request (outside a transaction
        behind PgBouncer, the lookup still gets the timeouts)."""
        service = start(start_service, fault_db, url, DATABASE_LOCK_TIMEOUT_MS=300)
        with holding(fault_db, "LOCK TABLE api_tokens IN ACCESS EXCLUSIVE MODE"):
            with ThreadPoolExecutor(8) as pool:
                responses = list(
                    pool.map(lambda _: service.post("queues", token=service.tenant.token), range(8))
                )
            assert [(r.status, r.code) for r in responses] == [(503, "database_timeout")] * 8
            assert max(r.elapsed for r in responses) < 5
            assert service.get("/healthz").status == 200
        assert_no_leaks(fault_db, service, workers=2, pool_size=4)

    def test_an_exhausted_pool_answers_503_after_the_pool_timeout(
        self, start_service, fault_db, url
    ):
        service = start(
            start_service,
            fault_db,
            url,
            WEB_CONCURRENCY=1,
            GUNICORN_THREADS=4,
            DATABASE_POOL_SIZE=1,
            DATABASE_POOL_TIMEOUT_MS=500,
            DATABASE_LOCK_TIMEOUT_MS=3000,
        )
        queue = create_queue(service)
        lock_row = "SELECT 1 FROM queues WHERE account_id = %s AND id = %s FOR UPDATE"
        with (
            holding(fault_db, lock_row, (service.tenant.account_id, queue["id"])),
            ThreadPoolExecutor(4) as pool,
        ):
            blocked = pool.submit(
                service.post,
                "queues/update",
                {"queue_id": queue["id"], "name": "B"},
                token=service.tenant.token,
            )
            # Once it holds the worker's only connection (waiting on the lock), ask for more.
            wait_until(
                lambda: any(c["state"] == "active" for c in fault_db.app_connections(service)),
                10,
                what="the update to wait on the lock",
            )
            waiting = [
                pool.submit(service.post, "queues", token=service.tenant.token) for _ in range(3)
            ]
            waited = [f.result() for f in waiting]
            first = blocked.result()
        assert (first.status, first.code) == (503, "database_timeout")
        for response in waited:
            # They gave up after the pool timeout: never a hang.
            assert (response.status, response.code) == (503, "database_unavailable")
            assert 0.4 < response.elapsed < 2.5
        assert_no_leaks(fault_db, service, workers=1, pool_size=1)
