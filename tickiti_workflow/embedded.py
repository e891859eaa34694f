"""The embedded PostgreSQL used when no DATABASE_URL is configured."""

from __future__ import annotations

import locale
import os
import sys
import tempfile
from pathlib import Path

from .config import Settings, require_database

# pgserver stops the server when its handle is collected; the process keeps it for life.
_servers: list = []


def database_url(settings: Settings, *, asked: bool = False) -> str:
    """DATABASE_URL when it is set; else the embedded PostgreSQL, started (or joined) and
    migrated, when it was asked for (TICKITI_EMBEDDED_DB, or ``asked`` as by `serve`); else
    refuse to go on (SystemExit)."""
    if settings.database_url:
        return settings.database_url
    if not asked:
        require_database(settings)
    from . import db  # here: db needs Flask, which a bare `start` does not

    url = start(settings.data_dir)
    db.migrate(url)
    return url


def start(data_dir: Path, cleanup_mode: str | None = None) -> str:
    """Start (or join) an embedded PostgreSQL in ``data_dir``; return its connection URL.

    By default the server keeps running after this process exits (gunicorn workers come and
    go; the next command joins the same server). ``cleanup_mode="delete"`` is for tests.
    """
    # pgserver looks up a runtime dir through platformdirs and warns when XDG_RUNTIME_DIR is
    # unset, which it is on most servers; the warning means nothing to a user.
    if "XDG_RUNTIME_DIR" not in os.environ:
        runtime = Path(tempfile.gettempdir()) / f"tickiti-runtime-{os.getuid()}"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    try:
        import pgserver
    except ImportError:
        raise SystemExit(
            "the embedded PostgreSQL is not installed: pip install 'tickiti-workflow[embedded]'"
            " (or '.[embedded]' in a checkout), or set DATABASE_URL"
        ) from None

    pgdata = Path(data_dir).resolve() / "pgdata"
    first_start = not (pgdata / "PG_VERSION").exists()
    pgdata.mkdir(parents=True, exist_ok=True)
    if first_start:
        _utf8_ctype_for_initdb()
    server = pgserver.get_server(pgdata, cleanup_mode=cleanup_mode)
    _servers.append(server)
    if first_start:
        print(f"Started a new embedded PostgreSQL in {pgdata}", file=sys.stderr)
    return server.get_uri()


def _utf8_ctype_for_initdb() -> None:
    """initdb takes its LC_CTYPE from the environment; names compare ignoring case through
    lower(), which folds only ASCII under a non-UTF-8 ctype such as plain "C"."""
    current = (locale.setlocale(locale.LC_CTYPE) or "").upper().replace("UTF8", "UTF-8")
    if "UTF-8" not in current:
        os.environ["LC_ALL"] = "C.UTF-8"
