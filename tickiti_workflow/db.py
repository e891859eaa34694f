"""Connection pool, the per-request connection, transactions and migrations.

Reliability rules (docs/RELIABILITY.md): every statement runs under ``statement_timeout`` and
``lock_timeout``; a request waits at most DATABASE_POOL_TIMEOUT_MS for a connection (about one
second while the database is known to be down, so clients hear 503 quickly); a pooled
connection the server has closed (restart, failover) is dropped at checkout without a round
trip; a connection returned mid-transaction is rolled back, and a broken one discarded, by the
pool. Behind PgBouncer (transaction pooling) the timeouts travel with each transaction.
"""

from __future__ import annotations

import contextlib
import io
import os
import select
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from flask import current_app, g, has_app_context
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

import sql

from .config import Settings

# How long a request waits for a connection while the last attempt to connect failed: long
# enough to catch the database coming back, short enough that clients hear 503 at once.
DOWN_POOL_TIMEOUT = 1.0
# The pool retries a failed connection attempt for this long (after 1 s, then at the end),
# then gives up until a request asks for a connection again: while the database is down, a new
# attempt is never more than about a second away from a waiting request.
RECONNECT_TIMEOUT = 2.0


class CountingCursor(psycopg.Cursor):
    """Counts the statements a request sends (logged per request, and tested to stay fixed).

    Behind PgBouncer a statement sent outside a transaction (the token lookup, the health
    check) is wrapped, in one pipelined round trip, as BEGIN; SET LOCAL timeouts; statement;
    COMMIT, so it too runs under the timeouts. It still counts as one statement.
    """

    def execute(self, query, params=None, **kwargs):
        count_round_trip()
        conn = self.connection
        local = getattr(conn, "local_settings", None)
        if not local or conn.pgconn.transaction_status != TransactionStatus.IDLE:
            return super().execute(query, params, **kwargs)
        raw = psycopg.Cursor(conn)
        try:
            with conn.pipeline():
                raw.execute("BEGIN")
                for statement in local:
                    raw.execute(statement)
                super().execute(query, params, **kwargs)
                raw.execute("COMMIT")
        except BaseException:
            _rollback_quietly(conn)
            raise
        return self


def _rollback_quietly(conn: psycopg.Connection) -> None:
    """Leave ``conn`` idle after a failed statement, or closed if even that fails."""
    if conn.closed or conn.pgconn.transaction_status == TransactionStatus.IDLE:
        return
    try:
        conn.rollback()
    except Exception:
        conn.close()


def count_round_trip(n: int = 1) -> None:
    if has_app_context():
        g.db_round_trips = g.get("db_round_trips", 0) + n


def local_settings(settings: Settings) -> list[str]:
    """SET LOCAL statements that give a transaction the configured timeouts (PgBouncer mode)."""
    return [
        f"SET LOCAL statement_timeout = {int(settings.statement_timeout_ms)}",
        f"SET LOCAL lock_timeout = {int(settings.lock_timeout_ms)}",
        "SET LOCAL idle_in_transaction_session_timeout = 60000",
        "SET LOCAL TimeZone = 'UTC'",
    ]


def _has_unread_input(conn: psycopg.Connection) -> bool:
    """True when an idle connection's socket is readable: the server sent an error (e.g.
    ``terminating connection due to administrator command``) and/or closed it. Costs no round
    trip; a pooled idle connection never legitimately has anything to read."""
    try:
        poller = select.poll()
        poller.register(conn.pgconn.socket, select.POLLIN | select.POLLERR | select.POLLHUP)
        return bool(poller.poll(0))
    except (OSError, ValueError, psycopg.OperationalError):
        return True


def _usable(conn: psycopg.Connection) -> bool:
    return (
        not conn.closed
        and conn.pgconn.transaction_status == TransactionStatus.IDLE
        and not _has_unread_input(conn)
    )


class Database:
    """Owns the connection pool; the pool opens lazily so gunicorn workers each get their own."""

    def __init__(self, url: str, settings: Settings):
        self.url = url
        self.settings = settings
        self._pool: ConnectionPool | None = None
        self._lock = threading.Lock()
        # monotonic time of the last failed connection attempt, None once one succeeds
        self.down_since: float | None = None
        # How many times the database became unreachable: a list cache forgets what it rendered
        # before an outage (a restore or a failover may have lost commits, and epochs with them).
        self.outages = 0

    @property
    def pool(self) -> ConnectionPool:
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    self._pool = self._open_pool()
        return self._pool

    def _connection_class(self) -> type[psycopg.Connection]:
        database = self
        local = local_settings(self.settings) if self.settings.pgbouncer else None

        class Connection(psycopg.Connection):
            """Remembers whether the database answers; carries PgBouncer's SET LOCALs."""

            local_settings = local

            @classmethod
            def connect(cls, *args, **kwargs):
                try:
                    conn = super().connect(*args, **kwargs)
                except psycopg.OperationalError:
                    if database.down_since is None:
                        database.down_since = time.monotonic()
                        database.outages += 1
                    raise
                database.down_since = None
                return conn

        return Connection

    def _open_pool(self) -> ConnectionPool:
        s = self.settings
        kwargs = {
            "autocommit": True,
            "row_factory": dict_row,
            "cursor_factory": CountingCursor,
            # libpq's minimum is 2 s; an unreachable host must not stall the pool's workers.
            "connect_timeout": max(2, round(s.pool_timeout)),
            # pg_stat_activity shows which worker holds which connection.
            "application_name": f"tickiti-workflow/{os.getpid()}",
        }
        if s.pgbouncer:
            # PgBouncer (transaction pooling) rejects the ``options`` startup parameter and
            # hands each transaction to any server connection, where a statement psycopg
            # prepared on another one does not exist: no prepared statements, and the
            # timeouts come with each transaction (transaction(), CountingCursor).
            kwargs["prepare_threshold"] = None
        else:
            kwargs["options"] = (
                f"-c statement_timeout={s.statement_timeout_ms}"
                f" -c lock_timeout={s.lock_timeout_ms}"
                " -c idle_in_transaction_session_timeout=60000 -c TimeZone=UTC"
            )
        return ConnectionPool(
            self.url,
            min_size=1,
            max_size=max(1, s.pool_size),
            timeout=s.pool_timeout,
            reconnect_timeout=RECONNECT_TIMEOUT,
            connection_class=self._connection_class(),
            kwargs=kwargs,
            name="tickiti",
            open=True,
        )

    def checkout(self) -> psycopg.Connection:
        """A usable connection from the pool, or PoolTimeout after the pool timeout.

        Connections the server closed while they sat in the pool are discarded here (the pool
        replaces them in the background). A request first waits at most a second; if by then
        the pool's last attempt to connect failed, it gives up (503 at once while the database
        is down), otherwise it waits out the rest of DATABASE_POOL_TIMEOUT_MS.
        """
        pool = self.pool
        deadline = time.monotonic() + self.settings.pool_timeout
        first_wait = time.monotonic() + min(self.settings.pool_timeout, DOWN_POOL_TIMEOUT)
        for _ in range(pool.max_size + 1):
            conn = self._getconn(pool, first_wait, deadline)
            if _usable(conn):
                return conn
            conn.close()
            pool.putconn(conn)  # closed: the pool drops it and opens a replacement
        return self._getconn(pool, first_wait, deadline)

    def _getconn(self, pool: ConnectionPool, first_wait: float, deadline: float):
        now = time.monotonic()
        if now < first_wait:
            try:
                return pool.getconn(first_wait - now)
            except PoolTimeout:
                if self.down_since is not None:
                    raise
        return pool.getconn(max(deadline - time.monotonic(), 0.001))

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
        conn = g.db_connection = database().checkout()
    return conn


def release_connection(_exc: BaseException | None = None) -> None:
    """Return the request's connection to the pool (teardown hook).

    The pool rolls back a connection returned inside a transaction and discards a broken one
    or one still running a statement, so a bad connection is never handed out again.
    """
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
    local = getattr(conn, "local_settings", None)
    if local:
        with _pgbouncer_transaction(conn, local), conn.cursor() as cur:
            g.db_cursor = cur
            try:
                yield cur
            finally:
                g.db_cursor = None
        return
    with conn.transaction(), conn.cursor() as cur:
        g.db_cursor = cur
        try:
            yield cur
        finally:
            g.db_cursor = None


@contextmanager
def read_cursor() -> Iterator[psycopg.Cursor]:
    """A cursor for a view that reads with ONE statement: autocommit, so no BEGIN/COMMIT round
    trips (a single statement sees one snapshot anyway). Inside a transaction, its cursor."""
    cur = g.get("db_cursor")
    if cur is not None:
        yield cur
        return
    with connection().cursor() as cur:
        yield cur


@contextmanager
def _pgbouncer_transaction(conn: psycopg.Connection, local: list[str]) -> Iterator[None]:
    """BEGIN plus the SET LOCAL timeouts in one simple-query message; COMMIT or ROLLBACK."""
    psycopg.Cursor(conn).execute("; ".join(["BEGIN", *local]))
    try:
        yield
    except BaseException:
        _rollback_quietly(conn)
        raise
    conn.commit()


def yoyo_url(url: str) -> str:
    """yoyo picks its driver from the scheme; psycopg 3 is ``postgresql+psycopg``."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ("postgres", "postgresql", "postgresql+psycopg"):
        raise ValueError("DATABASE_URL must be a postgres:// or postgresql:// URL")
    return "postgresql+psycopg://" + rest


@contextmanager
def _migration_backend(url: str) -> Iterator[tuple[Any, Any]]:
    """yoyo's backend for ``url``, holding its migration lock, with every migration file."""
    from yoyo import get_backend, read_migrations

    backend = get_backend(yoyo_url(url))
    try:
        with backend.lock():
            yield backend, read_migrations(str(sql.MIGRATIONS))
    finally:
        backend.connection.close()


def migrate(url: str) -> int:
    """Apply every pending migration; return how many ran."""
    with _migration_backend(url) as (backend, migrations):
        pending = backend.to_apply(migrations)
        # yoyo prints the rows of any SELECT in a migration (a setval, say) as a table on
        # stdout, where the ops console's JSON goes: keep them out of it.
        with contextlib.redirect_stdout(io.StringIO()):
            backend.apply_migrations(pending)
        return len(pending)


def migration_status(url: str) -> list[dict]:
    """Every migration in order, and whether it is applied."""
    with _migration_backend(url) as (backend, migrations):
        return [{"id": m.id, "applied": bool(backend.is_applied(m))} for m in migrations]


def rollback_last(url: str) -> str | None:
    """Roll back the last applied migration; return its id (None when none is applied)."""
    with _migration_backend(url) as (backend, migrations):
        applied = backend.to_rollback(migrations)
        if not applied:
            return None
        last = applied[:1]
        with contextlib.redirect_stdout(io.StringIO()):
            backend.rollback_migrations(last)
        return last[0].id


def rollback_all(url: str) -> int:
    """Roll back every applied migration (used by the migration round-trip test)."""
    with _migration_backend(url) as (backend, migrations):
        applied = backend.to_rollback(migrations)
        backend.rollback_migrations(applied)
        return len(applied)
