"""Contract test: the service under gunicorn against its own OpenAPI document, with schemathesis.

Starts the service as the Procfile does on a fresh database (TEST_DATABASE_URL's server, else a
throwaway embedded PostgreSQL), creates an admin token on a plan with every feature, and runs
schemathesis with a fixed seed and a bounded number of examples, including its stateful
(link-following) phase. Exits with schemathesis's status.

    python scripts/contract_test.py [--max-examples N] [extra schemathesis arguments]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tickiti_workflow import db, embedded  # noqa: E402
from tickiti_workflow.config import normalize_database_url  # noqa: E402

SEED = 20261130


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(env: dict, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "tickiti_workflow.cli", *args],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout)


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the service did not answer {url} within {seconds} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-examples", type=int, default=100)
    args, extra = parser.parse_known_args()

    tmp = tempfile.TemporaryDirectory(prefix="tickiti-contract-")
    server = os.environ.get("TEST_DATABASE_URL")
    server = normalize_database_url(server) if server else embedded.start(Path(tmp.name), "delete")
    name = f"tickiti_contract_{secrets.token_hex(4)}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(server)._replace(path="/" + name))
    gunicorn = None
    try:
        db.migrate(url)
        with psycopg.connect(url, autocommit=True) as conn:
            # The run sends thousands of requests with one token in a few minutes.
            conn.execute("UPDATE plans SET rate_limit_per_minute = 1000000")
        env = {**os.environ, "DATABASE_URL": url}
        account = cli(env, "create-account", "--name", "Contract", "--plan", "pro")
        user = cli(env, "create-user", "--account", str(account["id"]),
                   "--email", "contract@example.com", "--role", "admin")  # fmt: skip
        token = cli(env, "create-token", "--user", str(user["id"]),
                    "--ability", "workflow:write")["token"]  # fmt: skip

        port = free_port()
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "app:create_app()"],
            cwd=ROOT,
            env={**env, "PORT": str(port), "WEB_CONCURRENCY": "2", "LOG_LEVEL": "WARNING"},
        )
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/healthz")
        command = [
            str(Path(sys.executable).with_name("st")), "run",
            f"{base}/api/v1/workflow/openapi.json",
            "--header", f"Authorization: Bearer {token}",
            "--checks", "all",
            "--phases", "examples,coverage,fuzzing,stateful",
            "--max-examples", str(args.max_examples),
            "--seed", str(SEED),
            # One worker: CPython 3.11 can fail parsing ASTs from two threads at once
            # ("AST constructor recursion depth mismatch") inside hypothesis.
            "--workers", "1",
            *extra,
        ]  # fmt: skip
        print("$", " ".join(c if not c.startswith("Authorization") else "Authorization: …"
                            for c in command), flush=True)  # fmt: skip
        return subprocess.run(command, cwd=ROOT).returncode
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
