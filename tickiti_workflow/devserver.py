"""Running the service for tests, scripts and the benchmark: free ports, scratch databases and
gunicorn started the way the Procfile starts it. Not used by the service itself."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from .config import normalize_database_url

REPO = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def free_port() -> int:
    """A TCP port on the loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at database ``name``."""
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def scratch_server(url: str | None, data_dir: str | Path) -> str:
    """A PostgreSQL server to create scratch databases on: ``url`` (TEST_DATABASE_URL and the
    like) when given, else a throwaway embedded one in ``data_dir``, deleted on exit."""
    if url:
        return normalize_database_url(url)
    from . import embedded

    return embedded.start(Path(data_dir), cleanup_mode="delete")


def wait_until(
    predicate: Callable[[], T], timeout: float, interval: float = 0.05, what: str = "condition"
) -> T:
    """Poll ``predicate`` until it returns something true; AssertionError after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def healthy(base: str) -> bool:
    """Whether the service at ``base`` answers /healthz with 200."""
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def start_gunicorn(
    env: dict[str, str], app: str = "app:create_app()", **popen: Any
) -> subprocess.Popen:
    """gunicorn as the Procfile runs it (gunicorn.conf.py, from the checkout) serving ``app``."""
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", app]
    return subprocess.Popen(command, cwd=REPO, env=env, **popen)
