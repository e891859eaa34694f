"""What a Heroku-style platform relies on: the connection budget whatever WEB_CONCURRENCY the
platform sets, JSON lines only (one per request, even with an access log injected through
GUNICORN_CMD_ARGS), and app.json / Procfile / packaging that agree with the code."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

from tickiti_workflow.config import Settings, pool_budget
from tickiti_workflow.devserver import free_port

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("requested", "processes", "max_connections", "pool"),
    [(4, 2, 20, 4), (4, 4, 20, 4), (4, 17, 20, 1), (4, 5, 20, 4), (4, 6, 20, 3), (24, 2, 100, 24),
     (4, 40, 20, 1), (0, 1, 20, 1)],
)  # fmt: skip
def test_pool_budget(requested, processes, max_connections, pool):
    assert pool_budget(requested, processes, max_connections) == pool
    if processes <= max_connections:
        assert processes * pool <= max_connections


def test_settings_derive_the_pool_from_the_budget():
    env = {"DATABASE_URL": "postgresql://x/y", "WEB_CONCURRENCY": "17"}
    settings = Settings.from_env(env)
    assert (settings.pool_size, settings.requested_pool_size) == (1, 4)
    assert settings.budget()["connections"] == 17 <= settings.database_max_connections == 20
    # gunicorn's master says how many workers really run; the workers size their pools by it.
    settings = Settings.from_env({**env, "TICKITI_WEB_PROCESSES": "2"})
    assert settings.pool_size == 4
    with pytest.raises(SystemExit, match="DATABASE_MAX_CONNECTIONS"):
        Settings.from_env({**env, "DATABASE_MAX_CONNECTIONS": "0"})


def test_gunicorn_fits_the_budget_and_logs_only_json(database_url, tmp_path):
    """More workers than the budget allows: fewer run, each with a pool of one; an access log
    added the platform's way is not written; every line is JSON."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "WEB_CONCURRENCY": "3",
        "DATABASE_MAX_CONNECTIONS": "2",
        "GUNICORN_CMD_ARGS": "--access-logfile -",
        "PYTHONPATH": str(ROOT),
    }
    out = tmp_path / "out.log"
    with out.open("w") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "app:create_app()"],
            cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, out.read_text()
                time.sleep(0.2)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/healthz", headers={"X-Request-ID": "budget-check-1"}
        )
        with urllib.request.urlopen(request, timeout=2) as r:
            assert r.headers["X-Request-ID"] == "budget-check-1"
        time.sleep(0.3)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    entries = [json.loads(line) for line in out.read_text().splitlines()]  # only JSON lines
    budget = [e for e in entries if e["message"] == "connection budget"]
    assert len(budget) == 1
    assert budget[0]["web_processes"] == 2 and budget[0]["pool_size"] == 1
    assert budget[0]["connections"] == 2 == budget[0]["database_max_connections"]
    assert any(e["message"].startswith("more web processes") for e in entries)
    assert sum(e.get("request_id") == "budget-check-1" for e in entries) == 1
    booted = [e for e in entries if e["logger"] == "gunicorn.error"]
    assert len([e for e in booted if e["message"].startswith("Booting worker")]) == 2


def test_pool_messages_are_json():
    """The connection pool's own warnings (psycopg's logger) go to stdout as JSON lines too."""
    import logging

    from tickiti_workflow import logs

    logs.configure("INFO")
    pool_log = logging.getLogger("psycopg.pool")
    assert pool_log.getEffectiveLevel() == logging.WARNING
    (handler,) = [
        h for h in logging.getLogger("psycopg").handlers if getattr(h, "tickiti_stdout", False)
    ]
    record = pool_log.makeRecord(
        "psycopg.pool", logging.WARNING, __file__, 1, "error connecting in %r", ("tickiti",), None
    )
    entry = json.loads(handler.format(record))
    assert entry["message"] == "error connecting in 'tickiti'" and entry["level"] == "warning"
    logs.configure("DEBUG")
    assert pool_log.getEffectiveLevel() == logging.DEBUG
    logs.configure("INFO")


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def test_procfile_web_and_release_lines():
    processes = procfile()
    assert processes["web"].startswith("gunicorn --config gunicorn.conf.py ")
    assert processes["release"] == "tickiti-workflow migrate"


def test_app_json_agrees_with_the_code():
    app = json.loads((ROOT / "app.json").read_text())
    assert set(app["formation"]) <= set(procfile())
    assert any(a["plan"].startswith("heroku-postgresql") for a in app["addons"])
    config = (ROOT / "tickiti_workflow" / "config.py").read_text()
    readme = (ROOT / "README.md").read_text()
    for name, spec in app["env"].items():
        assert f'"{name}"' in config, name
        assert f"`{name}`" in readme, name
        assert spec["description"]


def test_production_does_not_install_the_embedded_database():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not any(d.startswith("pgserver") for d in project["dependencies"])
    assert any(d.startswith("pgserver") for d in project["optional-dependencies"]["embedded"])
    # Every dependency has an upper bound: a new major version arrives by a reviewed change.
    for dependency in project["dependencies"]:
        assert "<" in dependency or ("=" not in dependency and ">" not in dependency), dependency
    lock = (ROOT / "uv.lock").read_text()
    assert re.search(r'(?m)^name = "gunicorn"\nversion = "', lock)
    assert (ROOT / ".python-version").read_text().strip() == "3.11"
