"""Settings, read only from the environment (twelve-factor)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# The largest request body: the web worker, Flask and the body reader all refuse more.
MAX_BODY_BYTES = 1024 * 1024


def _int(env: dict, name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be an integer, got {raw!r}") from None


def _bool(env: dict, name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise SystemExit(f"{name} must be true or false, got {raw!r}")


def split_pgbouncer_flag(url: str) -> tuple[str, bool]:
    """Remove a ``pgbouncer=true`` query parameter (libpq rejects it); say whether it was set.

    ``postgresql://u:p@host:6432/db?pgbouncer=true`` is how a platform that puts PgBouncer in
    front of the database can say so in the URL alone (the env var DATABASE_PGBOUNCER does too).
    """
    parts = urlsplit(url)
    if "pgbouncer" not in parts.query:
        return url, False
    query = parse_qsl(parts.query, keep_blank_values=True)
    flag = any(k == "pgbouncer" and v.lower() in ("1", "true", "yes", "on") for k, v in query)
    rest = [(k, v) for k, v in query if k != "pgbouncer"]
    return urlunsplit(parts._replace(query=urlencode(rest))), flag


def require_database(settings: Settings) -> None:
    """Refuse to go on without a database, unless the embedded one was asked for."""
    if not settings.database_url and not settings.embedded_database:
        raise SystemExit(
            "DATABASE_URL is not set: set it to the PostgreSQL to use"
            " (or TICKITI_EMBEDDED_DB=true for a local embedded one)"
        )


def normalize_database_url(url: str) -> str:
    """Accept the ``postgres://`` form that Heroku-style platforms hand out."""
    if url.startswith("postgres://"):
        return "postgresql://" + url.removeprefix("postgres://")
    return url


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment."""

    database_url: str | None
    port: int = 8000
    web_concurrency: int = 2
    threads: int = 4
    log_level: str = "INFO"
    data_dir: Path = field(default_factory=lambda: Path(".tickiti"))
    pool_size: int = 4
    pool_timeout: float = 5.0
    statement_timeout_ms: int = 5000
    lock_timeout_ms: int = 2000
    # PgBouncer in transaction pooling mode sits between us and PostgreSQL: no startup
    # ``options`` (PgBouncer rejects them), no server-side prepared statements, and the timeouts
    # are set with SET LOCAL inside each transaction instead (see db.py).
    pgbouncer: bool = False
    # Rendered list responses kept per worker (tickiti_workflow/web/list_cache.py); 0 turns it off.
    list_cache_mb: int = 32
    # Moves of more tickets than this run in the worker as a job (202) instead of the request.
    bulk_sync_max_tickets: int = 10_000
    # Tickets a job moves per transaction: each chunk holds its tickets' row locks well under
    # a second.
    job_chunk_size: int = 5_000
    # How long a worker's claim on a job lasts without progress; a dead worker's jobs are
    # resumed by another worker once it expires.
    worker_lease_seconds: int = 15
    # How often an idle worker looks for due jobs and scheduled tasks.
    worker_poll_ms: int = 500
    # The worker's own statement timeout: its statements are chunks and folds, never a scan.
    worker_statement_timeout_ms: int = 30_000
    # Seconds a client has to send a whole request before it is answered 408 (web_worker.py).
    request_read_timeout: int = 10
    # What the web processes of one dyno may open in all (README: Connection budget).
    database_max_connections: int = 20
    # DATABASE_POOL_SIZE as asked for; pool_size is what the budget leaves of it.
    requested_pool_size: int = 4
    # Without DATABASE_URL, start the embedded PostgreSQL only when asked (TICKITI_EMBEDDED_DB
    # or `tickiti-workflow serve`); anything else refuses to start.
    embedded_database: bool = False

    @classmethod
    def from_env(cls, env: dict | None = None) -> Settings:
        """Build settings from ``os.environ`` (or the mapping given)."""
        env = dict(os.environ if env is None else env)
        url, pgbouncer_in_url = split_pgbouncer_flag(env.get("DATABASE_URL", "").strip())
        threads = _int(env, "GUNICORN_THREADS", 4)
        # gunicorn's master exports the worker count it really runs (gunicorn_hooks.py), which
        # may differ from WEB_CONCURRENCY when a command line overrides it.
        processes = _int(env, "TICKITI_WEB_PROCESSES", 0) or _int(env, "WEB_CONCURRENCY", 2)
        max_connections = _int(env, "DATABASE_MAX_CONNECTIONS", 20)
        requested_pool = _int(env, "DATABASE_POOL_SIZE", threads)
        if max_connections < 1:
            raise SystemExit(f"DATABASE_MAX_CONNECTIONS must be at least 1, got {max_connections}")
        return cls(
            database_url=normalize_database_url(url) if url else None,
            port=_int(env, "PORT", 8000),
            web_concurrency=processes,
            threads=threads,
            log_level=env.get("LOG_LEVEL", "INFO").upper(),
            data_dir=Path(env.get("TICKITI_DATA_DIR", ".tickiti")),
            pool_size=pool_budget(requested_pool, processes, max_connections),
            pool_timeout=_int(env, "DATABASE_POOL_TIMEOUT_MS", 5000) / 1000,
            statement_timeout_ms=_int(env, "DATABASE_STATEMENT_TIMEOUT_MS", 5000),
            lock_timeout_ms=_int(env, "DATABASE_LOCK_TIMEOUT_MS", 2000),
            pgbouncer=pgbouncer_in_url or _bool(env, "DATABASE_PGBOUNCER"),
            list_cache_mb=_int(env, "LIST_CACHE_MB", 32),
            bulk_sync_max_tickets=_int(env, "BULK_SYNC_MAX_TICKETS", 10_000),
            job_chunk_size=max(1, _int(env, "JOB_CHUNK_SIZE", 5_000)),
            worker_lease_seconds=max(1, _int(env, "WORKER_LEASE_SECONDS", 15)),
            worker_poll_ms=max(10, _int(env, "WORKER_POLL_MS", 500)),
            worker_statement_timeout_ms=_int(env, "WORKER_STATEMENT_TIMEOUT_MS", 30_000),
            request_read_timeout=_int(env, "REQUEST_READ_TIMEOUT_S", 10),
            database_max_connections=max_connections,
            requested_pool_size=requested_pool,
            embedded_database=_bool(env, "TICKITI_EMBEDDED_DB"),
        )

    def budget(self) -> dict:
        """The connection budget of one dyno's web processes, as the boot log states it."""
        return {
            "web_processes": self.web_concurrency,
            "pool_size": self.pool_size,
            "requested_pool_size": self.requested_pool_size,
            "connections": self.web_concurrency * self.pool_size,
            "database_max_connections": self.database_max_connections,
        }


def pool_budget(requested: int, processes: int, max_connections: int) -> int:
    """Connections per process: what was asked for, cut so that processes × pool stays within
    max_connections (at least one; more processes than that are cut by gunicorn_hooks.py)."""
    return max(1, min(max(1, requested), max_connections // max(1, processes)))
