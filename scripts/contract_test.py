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
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tickiti_workflow import db  # noqa: E402
from tickiti_workflow.devserver import (  # noqa: E402
    free_port,
    healthy,
    scratch_server,
    start_gunicorn,
    wait_until,
    with_database,
)

SEED = 20261130


def cli(env: dict, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "tickiti_workflow.cli", *args],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-examples", type=int, default=100)
    args, extra = parser.parse_known_args()

    tmp = tempfile.TemporaryDirectory(prefix="tickiti-contract-")
    server = scratch_server(os.environ.get("TEST_DATABASE_URL"), tmp.name)
    name = f"tickiti_contract_{secrets.token_hex(4)}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(server, name)
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
        gunicorn = start_gunicorn(
            {**env, "PORT": str(port), "WEB_CONCURRENCY": "2", "LOG_LEVEL": "WARNING"}
        )
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: healthy(base), 30, interval=0.2, what=f"{base}/healthz")
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
