"""Connection pool, the per-request connection, transactions and migrations."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from flask import current_app, g, has_app_context
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

import sql

from .config import Settings


class CountingCursor(psycopg.Cursor):
    """Counts the statements a request sends (logged per request, and tested to stay fixed)."""

    def execute(self, query, params=None, **kwargs):
        count_round_trip()
        return super().execute(query, params, **kwargs)


def count_round_trip(n: int = 1) -> None:
    if has_app_context():
        g.db_round_trips = g.get("db_round_trips", 0) + n


class Database:
    """Owns the connection pool; the pool opens lazily so gunicorn workers each get their own."""

    def __init__(self, url: str, settings: Settings):
        self.url = url
        self.settings = settings
        self._pool: ConnectionPool | None = None
        self._lock = threading.Lock()

    @property
    def pool(self) -> ConnectionPool:
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    self._pool = self._open_pool()
        return self._pool

    def _open_pool(self) -> ConnectionPool:
        s = self.settings
        options = (
            f"-c statement_timeout={s.statement_timeout_ms} -c lock_timeout={s.lock_timeout_ms}"
            " -c idle_in_transaction_session_timeout=60000 -c TimeZone=UTC"
        )
        return ConnectionPool(
            self.url,
            min_size=1,
            max_size=max(1, s.pool_size),
            timeout=s.pool_timeout,
            kwargs={
                "autocommit": True,
                "row_factory": dict_row,
                "cursor_factory": CountingCursor,
                "options": options,
            },
            name="tickiti",
            open=True,
        )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None


def database() -> Database:
    return current_app.extensions["tickiti.db"]


def connection() -> psycopg.Connection:
    """The connection this request uses, checked out of the pool on first use."""
    conn = g.get("db_connection")
    if conn is None:
        conn = g.db_connection = database().pool.getconn()
    return conn


def release_connection(_exc: BaseException | None = None) -> None:
    """Return the request's connection to the pool (teardown hook)."""
    conn = g.pop("db_connection", None)
    g.pop("db_cursor", None)
    if conn is not None:
        database().pool.putconn(conn)


@contextmanager
def transaction() -> Iterator[psycopg.Cursor]:
    """A cursor inside the request's transaction, opening one unless a caller already has."""
    cur = g.get("db_cursor")
    if cur is not None:
        yield cur
        return
    conn = connection()
    count_round_trip(2)  # BEGIN and COMMIT (or ROLLBACK)
    with conn.transaction(), conn.cursor() as cur:
        g.db_cursor = cur
        try:
            yield cur
        finally:
            g.db_cursor = None


def yoyo_url(url: str) -> str:
    """yoyo picks its driver from the scheme; psycopg 3 is ``postgresql+psycopg``."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ("postgres", "postgresql", "postgresql+psycopg"):
        raise ValueError("DATABASE_URL must be a postgres:// or postgresql:// URL")
    return "postgresql+psycopg://" + rest


def _migrations():
    from yoyo import read_migrations

    return read_migrations(str(sql.MIGRATIONS))


def migrate(url: str) -> int:
    """Apply every pending migration; return how many ran."""
    from yoyo import get_backend

    backend = get_backend(yoyo_url(url))
    try:
        with backend.lock():
            pending = backend.to_apply(_migrations())
            backend.apply_migrations(pending)
            return len(pending)
    finally:
        backend.connection.close()


def rollback_all(url: str) -> int:
    """Roll back every applied migration (used by the migration round-trip test)."""
    from yoyo import get_backend

    backend = get_backend(yoyo_url(url))
    try:
        with backend.lock():
            applied = backend.to_rollback(_migrations())
            backend.rollback_migrations(applied)
            return len(applied)
    finally:
        backend.connection.close()
