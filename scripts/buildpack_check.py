"""Install the service as the platform's Python buildpack does, then run the Procfile on it.

1. ``uv sync --locked --no-default-groups`` from uv.lock into a fresh environment: no extras
   (so no embedded PostgreSQL), the Python of .python-version; it fails if uv.lock is stale.
2. honcho runs the Procfile's ``release`` line (migrations), then its ``web`` line, with the
   environment a platform gives: DATABASE_URL in the ``postgres://`` form, PORT, a
   WEB_CONCURRENCY larger than the connection budget allows, and GUNICORN_CMD_ARGS adding an
   access log.
3. It proves that /healthz answers, that every line the web process prints is JSON, that each
   request is logged once (with the router's request id kept), that the boot log states the
   connection budget, and that the workers stay within it.

Usage: .venv/bin/python scripts/buildpack_check.py [--database-url postgresql://…]
Without --database-url it starts a throwaway embedded PostgreSQL (the test environment has it).
Exits non-zero on any failure.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg

from tickiti_workflow.devserver import free_port, scratch_server, with_database

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ROUTER_ID = "dGhlLXJvdXRlcg==+/0123456789-abcdef"
MAX_CONNECTIONS = 6
WORKERS = 4


def fail(message: str) -> None:
    print(f"buildpack check FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def install(env_dir: Path) -> None:
    """What the buildpack runs (lib/uv.sh): uv sync --locked --no-default-groups."""
    env = {
        **os.environ,
        "UV_PROJECT_ENVIRONMENT": str(env_dir),
        "UV_NO_MANAGED_PYTHON": "1",
        "UV_PYTHON_DOWNLOADS": "never",
    }
    command = [str(BIN / "uv"), "sync", "--locked", "--no-default-groups", "--compile-bytecode",
               "--no-progress"]  # fmt: skip
    print("$", " ".join(command[1:]), flush=True)
    proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        fail(f"uv sync failed:\n{proc.stderr}")
    python = env_dir / "bin" / "python"
    version = subprocess.run(
        [str(python), "-c", "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    wanted = (ROOT / ".python-version").read_text().strip()
    if version != wanted:
        fail(f"the environment runs Python {version}, .python-version says {wanted}")
    found = subprocess.run([str(python), "-c", "import pgserver"], capture_output=True)
    if found.returncode == 0:
        fail("pgserver (the embedded PostgreSQL) is installed without the 'embedded' extra")
    print(f"installed from uv.lock on Python {version}, without pgserver", flush=True)


def scratch_database(server_url: str) -> tuple[str, str]:
    name = f"tickiti_buildpack_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, with_database(server_url, name)


def honcho(process: str, env: dict, port: int, **kwargs) -> subprocess.Popen:
    command = [str(BIN / "honcho"), "--no-colour", "start", "-p", str(port), process]
    return subprocess.Popen(command, cwd=ROOT, env=env, text=True, **kwargs)


def run_release(env: dict, port: int) -> None:
    proc = honcho("release", env, port, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out, _ = proc.communicate(timeout=120)
    print(out, end="", flush=True)
    if proc.returncode != 0:
        fail(f"the release line exited with {proc.returncode}")
    answers = [line.split("| ", 1)[1] for line in out.splitlines() if " release.1 " in line]
    if not any(json.loads(a).get("applied", 0) > 0 for a in answers if a.startswith("{")):
        fail("the release line applied no migration on an empty database")


def get(port: int, path: str, headers: dict | None = None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def run_web(env: dict, port: int, database: str, server_url: str) -> None:
    with tempfile.TemporaryFile("w+") as log:
        proc = honcho(
            "web", env, port, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    status, _, body = get(port, "/healthz")
                    if status == 200:
                        break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    fail(f"the web line never answered /healthz:\n{log.read()}")
                time.sleep(0.3)
            print(f"/healthz answered {status}: {body.decode()}", flush=True)
            status, headers, _ = get(port, "/healthz", {"X-Request-ID": ROUTER_ID})
            if headers.get("X-Request-ID") != ROUTER_ID:
                fail(f"the router's request id was not kept: {headers.get('X-Request-ID')}")
            status, _, _ = get(port, "/api/v1/workflow/openapi.json")
            if status != 200:
                fail(f"the OpenAPI document answered {status}")
            for _ in range(3 * WORKERS):
                get(port, "/healthz")
            with psycopg.connect(server_url) as conn:
                opened = conn.execute(  # type: ignore[index]
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
                    " AND application_name LIKE 'tickiti-workflow/%%'",
                    (database,),
                ).fetchone()[0]
            if opened > MAX_CONNECTIONS:
                fail(f"{opened} connections open, DATABASE_MAX_CONNECTIONS is {MAX_CONNECTIONS}")
            time.sleep(0.5)
        finally:
            os.killpg(proc.pid, 15)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait()
        log.seek(0)
        check_web_log(log.read(), opened)


def check_web_log(output: str, opened: int) -> None:
    entries = []
    for line in output.splitlines():
        name, sep, text = line.partition("| ")
        if not sep or "system" in name:
            continue  # honcho's own lines
        try:
            entries.append(json.loads(text))
        except ValueError:
            fail(f"the web process printed a line that is not JSON: {text!r}")
    requests = [e for e in entries if e.get("logger") == "tickiti.access"]
    routed = [e for e in requests if e.get("request_id") == ROUTER_ID]
    if len(routed) != 1:
        fail(f"the request with the router's id was logged {len(routed)} times")
    if len(requests) < 3 * WORKERS + 3:
        fail(f"only {len(requests)} request lines for {3 * WORKERS + 3} requests")
    budget = [e for e in entries if e.get("message") == "connection budget"]
    if len(budget) != 1 or budget[0]["connections"] > MAX_CONNECTIONS:
        fail(f"the boot log did not state a budget within {MAX_CONNECTIONS}: {budget}")
    if not any(e.get("logger") == "gunicorn.error" for e in entries):
        fail("no gunicorn message came out as JSON")
    print(
        f"{len(entries)} JSON lines, {len(requests)} request lines (one per request), budget"
        f" {budget[0]['web_processes']} × {budget[0]['pool_size']} ="
        f" {budget[0]['connections']} ≤ {MAX_CONNECTIONS}, {opened} connections seen",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server to create a database on")
    args = parser.parse_args()
    server_url = args.database_url
    tmp = Path(tempfile.mkdtemp(prefix="tickiti-buildpack-"))
    try:
        if not server_url:
            server_url = scratch_server(None, tmp / "pg")
        install(tmp / "app-env")
        database, url = scratch_database(server_url)
        try:
            env = {
                "PATH": f"{tmp / 'app-env' / 'bin'}:/usr/bin:/bin",
                "HOME": str(tmp),
                "LANG": "C.UTF-8",
                "DATABASE_URL": url.replace("postgresql://", "postgres://", 1),
                "WEB_CONCURRENCY": str(WORKERS),
                "DATABASE_MAX_CONNECTIONS": str(MAX_CONNECTIONS),
                "GUNICORN_CMD_ARGS": "--access-logfile -",
            }
            run_release(env, free_port())
            run_web(env, free_port(), database, server_url)
        finally:
            with psycopg.connect(server_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("buildpack check passed", flush=True)


if __name__ == "__main__":
    main()
