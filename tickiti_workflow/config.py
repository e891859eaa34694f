"""Settings, read only from the environment (twelve-factor)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _int(env: dict, name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be an integer, got {raw!r}") from None


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

    @classmethod
    def from_env(cls, env: dict | None = None) -> Settings:
        """Build settings from ``os.environ`` (or the mapping given)."""
        env = dict(os.environ if env is None else env)
        url = env.get("DATABASE_URL", "").strip()
        threads = _int(env, "GUNICORN_THREADS", 4)
        return cls(
            database_url=normalize_database_url(url) if url else None,
            port=_int(env, "PORT", 8000),
            web_concurrency=_int(env, "WEB_CONCURRENCY", 2),
            threads=threads,
            log_level=env.get("LOG_LEVEL", "INFO").upper(),
            data_dir=Path(env.get("TICKITI_DATA_DIR", ".tickiti")),
            pool_size=_int(env, "DATABASE_POOL_SIZE", threads),
            pool_timeout=_int(env, "DATABASE_POOL_TIMEOUT_MS", 5000) / 1000,
            statement_timeout_ms=_int(env, "DATABASE_STATEMENT_TIMEOUT_MS", 5000),
            lock_timeout_ms=_int(env, "DATABASE_LOCK_TIMEOUT_MS", 2000),
        )
