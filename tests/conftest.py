"""A real PostgreSQL per test session: TEST_DATABASE_URL's server, else a throwaway embedded one.

Each session creates a fresh database on that server and applies the migrations once. Tests
isolate themselves by working in accounts of their own (every query is tenant-scoped), so writes
really commit, as they do in production, and concurrency tests see each other.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import os
import re
import secrets
import tempfile
from urllib.parse import urlsplit

import psycopg
import pytest
from psycopg.rows import dict_row

from app import create_app
from tests.factories import Factory
from tickiti_workflow import db, logs
from tickiti_workflow.devserver import scratch_server, with_database
from tickiti_workflow.worker import Worker


@pytest.fixture(scope="session")
def server_url():
    """A PostgreSQL server the tests may create databases on."""
    with tempfile.TemporaryDirectory(prefix="tickiti-test-pg-") as tmp:
        yield scratch_server(os.environ.get("TEST_DATABASE_URL"), tmp)


@pytest.fixture(scope="session")
def fresh_database(server_url):
    """Make a new empty database on the test server; drop it at the end of the session."""
    created: list[str] = []

    def make() -> str:
        name = f"tickiti_test_{secrets.token_hex(6)}"
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return with_database(server_url, name)

    yield make
    with psycopg.connect(server_url, autocommit=True) as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url(fresh_database):
    url = fresh_database()
    db.migrate(url)
    return url


@pytest.fixture(scope="session")
def app(database_url):
    app_url = database_url
    # Hook for tests/faults (test_pgbouncer.py): with TEST_PGBOUNCER_URL (PgBouncer in front of the
    # TEST_DATABASE_URL server, e.g. "postgresql://postgres@127.0.0.1:6432/x?pgbouncer=true")
    # the app reaches the session's database through PgBouncer; fixtures stay direct.
    if os.environ.get("TEST_PGBOUNCER_URL"):
        app_url = with_database(os.environ["TEST_PGBOUNCER_URL"], urlsplit(database_url).path[1:])
    app = create_app(
        {"DATABASE_URL": app_url, "DATABASE_POOL_SIZE": 24, "DATABASE_MAX_CONNECTIONS": 100}
    )
    app.config["TESTING"] = False  # errors are rendered, as in production
    yield app
    app.extensions["tickiti.db"].close()


@pytest.fixture(scope="session")
def conn(database_url):
    """An autocommit connection for factories and for checking what the API wrote."""
    with psycopg.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        yield conn


@pytest.fixture(scope="session")
def factory(app, conn):
    return Factory(app, conn)


@pytest.fixture
def tenant(factory):
    """An admin with a workflow:write token in an account on the plan with every feature."""
    return factory.tenant()


@pytest.fixture
def other_tenant(factory):
    """A second account, to prove that nobody sees another account's objects."""
    return factory.tenant()


@pytest.fixture
def worker(app, database_url):
    """A worker of the service's own, driven step by step by the test."""
    w = Worker(database_url, dataclasses.replace(app.config["SETTINGS"]))
    yield w
    w.close()


SECRET_PATTERN = re.compile(r"tk[tr]_[A-Za-z0-9_\-]{20,}")
HASH_COLUMNS = """
SELECT table_name, column_name FROM information_schema.columns
WHERE table_schema = 'public' AND column_name LIKE '%%hash%%' AND data_type = 'text'
  AND table_name <> 'idempotency_keys'
"""


@pytest.fixture(scope="session", autouse=True)
def no_secret_in_logs_or_audit(database_url):
    """Capture every log line of the run; at its end, no token nor a stored token hash may
    appear in any log line or audit event."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    logger = logging.getLogger("tickiti")
    logger.addHandler(handler)
    yield
    logger.removeHandler(handler)
    with psycopg.connect(database_url) as conn:
        hashes = set()
        for table, column in conn.execute(HASH_COLUMNS).fetchall():
            query = f'SELECT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL'
            hashes.update(row[0] for row in conn.execute(query))
        audit = [
            row[0]
            for row in conn.execute("SELECT concat(before::text, after::text) FROM audit_events")
        ]
    for where, texts in (("log", stream.getvalue().splitlines()), ("audit event", audit)):
        for text in texts:
            assert not SECRET_PATTERN.search(text), f"a token in a {where}: {text[:300]}"
            assert not any(h in text for h in hashes), f"a token hash in a {where}: {text[:300]}"


@pytest.fixture
def round_trips():
    """``round_trips(call)``: the SQL round trips the access log recorded for call's request
    (which must succeed, or with ``refused=True`` be answered below 500)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("tickiti.access")
    logger.addHandler(handler)

    def measure(call, refused: bool = False) -> int:
        records.clear()
        response = call()
        assert len(records) == 1
        assert response.status_code < (500 if refused else 300), response.get_json()
        return records[0].db_round_trips

    yield measure
    logger.removeHandler(handler)
