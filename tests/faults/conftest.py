"""Reliability tests: a PostgreSQL and a PgBouncer of their own, the service under real gunicorn.

These tests stop databases and kill processes, so they run only when asked for:
``python -m pytest -q -m faults tests/faults`` (or with ``TICKITI_FAULT_TESTS=1``). The plain
``pytest -q`` run skips them. See docs/RELIABILITY.md.

Everything listens on 127.0.0.1 on free ports; every process started here is stopped here.
"""

from __future__ import annotations

import contextlib
import glob
import http.client
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from tickiti_workflow import db
from tickiti_workflow.devserver import free_port, start_gunicorn, wait_until, with_database
from tickiti_workflow.tokens import hash_token, mint_token

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


# --- only with -m faults ---------------------------------------------------------------------


def pytest_collection_modifyitems(config, items):
    markexpr = config.option.markexpr or ""
    wanted = ("faults" in markexpr and "not faults" not in markexpr) or os.environ.get(
        "TICKITI_FAULT_TESTS"
    ) in ("1", "true", "yes")
    if wanted:
        return
    skip = pytest.mark.skip(reason="fault tests run with -m faults (see docs/RELIABILITY.md)")
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(skip)


# --- processes -------------------------------------------------------------------------------


def as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL and PgBouncer refuse to run as root: run them as the ``postgres`` user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def make_tempdir(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
    return path


def pg_bindir() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    return Path(found[-1]).parent if found else None


def can_connect(url: str) -> bool:
    try:
        psycopg.connect(url, connect_timeout=2).close()
        return True
    except psycopg.Error:
        return False


class PostgresServer:
    """A throwaway PostgreSQL cluster in a temp dir, which the tests may stop and start."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.dir = make_tempdir("tickiti-faults-pg-")
        self.data = self.dir / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        subprocess.run(
            as_postgres(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--no-sync",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            capture_output=True,
        )
        settings = (
            f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
            f"unix_socket_directories = '{self.dir}'\nmax_connections = 200\n"
            "fsync = off\nsynchronous_commit = on\nfull_page_writes = off\n"
            "log_min_messages = warning\n"
        )
        subprocess.run(
            as_postgres(["sh", "-c", f"cat >> '{self.data}/postgresql.conf'"]),
            input=settings.encode(),
            check=True,
        )

    def pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.data), *args]),
            check=check,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        self.pg_ctl("start", "-w", "-t", "30", "-l", str(self.dir / "server.log"))
        wait_until(lambda: can_connect(self.url), 20, what="PostgreSQL to accept connections")

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("stop", "-w", "-t", "30", "-m", mode)

    def running(self) -> bool:
        return self.pg_ctl("status", check=False).returncode == 0

    def destroy(self) -> None:
        if self.running():
            self.pg_ctl("stop", "-m", "immediate", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)

    def connect(self, dbname: str = "postgres", **kw) -> psycopg.Connection:
        kw.setdefault("autocommit", True)
        kw.setdefault("row_factory", dict_row)
        return psycopg.connect(with_database(self.url, dbname), connect_timeout=5, **kw)


class PgBouncer:
    """PgBouncer in transaction pooling mode in front of ``server``, any database name."""

    def __init__(self, server: PostgresServer, binary: str):
        self.dir = make_tempdir("tickiti-faults-pgb-")
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        ini = self.dir / "pgbouncer.ini"
        ini.write_text(
            "[databases]\n"
            f"* = host=127.0.0.1 port={server.port}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\n"
            f"unix_socket_dir = {self.dir}\n"
            "auth_type = trust\n"
            f"auth_file = {self.dir}/users.txt\n"
            "pool_mode = transaction\n"
            "max_client_conn = 500\ndefault_pool_size = 40\n"
            # Fail fast instead of queueing while PostgreSQL is unreachable.
            "server_login_retry = 1\nquery_wait_timeout = 10\n"
            "ignore_startup_parameters = extra_float_digits\n"
            f"logfile = {self.dir}/pgbouncer.log\npidfile = {self.dir}/pgbouncer.pid\n"
        )
        (self.dir / "users.txt").write_text('"postgres" ""\n')
        if os.geteuid() == 0:
            for path in self.dir.iterdir():
                shutil.chown(path, "postgres", "postgres")
        self.process = subprocess.Popen(
            as_postgres([binary, str(ini)]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: can_connect(self.url), 15, what="PgBouncer to accept connections")

    def log(self) -> str:
        with contextlib.suppress(OSError):
            return (self.dir / "pgbouncer.log").read_text()[-4000:]
        return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class Response:
    status: int
    body: Any
    headers: dict[str, str]
    elapsed: float

    @property
    def code(self) -> str | None:
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
            return self.body["error"].get("code")
        return None


class Service:
    """The web process as the Procfile runs it: gunicorn with gunicorn.conf.py, on a free port."""

    def __init__(self, database_url: str, workdir: Path, **env: Any):
        self.port = free_port()
        self.log_path = workdir / f"gunicorn-{self.port}.log"
        environment = {
            **os.environ,
            "PORT": str(self.port),
            "WEB_CONCURRENCY": "2",
            "GUNICORN_THREADS": "4",
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "WARNING",
            # The Procfile binds 0.0.0.0; the tests keep everything on the loopback.
            "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{self.port}",
            **{k: str(v) for k, v in env.items()},
        }
        self._log = self.log_path.open("wb")
        self.process = start_gunicorn(
            environment,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until(self._answers, 30, interval=0.1, what="gunicorn to answer")
        except AssertionError:
            self.stop()
            raise AssertionError("gunicorn did not start:\n" + self.log()) from None

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError("gunicorn exited:\n" + self.log())
        try:
            return self.get("/healthz", timeout=2).status in (200, 503)
        except OSError:
            return False

    def log(self) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")[-6000:]
        return ""

    def workers(self) -> list[int]:
        """The pids of gunicorn's worker processes (children of the master)."""
        pid = self.process.pid
        with contextlib.suppress(OSError):
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        return []

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: dict | None = None,
        timeout: float = 30,
    ) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        started = time.monotonic()
        try:
            conn.request(method, path, body=data, headers=all_headers)
            raw = conn.getresponse()
            payload = raw.read()
            elapsed = time.monotonic() - started
            try:
                parsed = json.loads(payload) if payload else None
            except ValueError:
                parsed = payload.decode(errors="replace")
            return Response(raw.status, parsed, dict(raw.getheaders()), elapsed)
        finally:
            conn.close()

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw) -> Response:
        url = path if path.startswith("/") else f"/api/v1/workflow/{path}"
        return self.request("POST", url, {} if body is None else body, **kw)

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(25)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self._log.close()


@dataclass
class Tenant:
    account_id: int
    user_id: int
    token: str
    inbox_id: int
    extra: dict = field(default_factory=dict)


class Database:
    """One migrated database on the fault server, with helpers that write rows with SQL."""

    def __init__(self, server: PostgresServer):
        self.server = server
        self.name = f"tickiti_faults_{secrets.token_hex(4)}"
        with server.connect() as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        self.url = with_database(server.url, self.name)
        db.migrate(self.url)
        # These tests send far more than a client's per-minute allowance: lift any plan limit.
        self.sql(
            "DO $$ BEGIN IF EXISTS (SELECT 1 FROM information_schema.columns"
            " WHERE table_name = 'plans' AND column_name = 'rate_limit_per_minute')"
            " THEN UPDATE plans SET rate_limit_per_minute = 1000000; END IF; END $$"
        )

    def connect(self, **kw) -> psycopg.Connection:
        return self.server.connect(self.name, **kw)

    def sql(self, query: str, params: Any = None) -> list[dict]:
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchall() if cur.description else []

    def tenant(self, plan: str = "pro") -> Tenant:
        secret = mint_token("tkt_")
        with self.connect() as conn:
            account_id = conn.execute(
                "INSERT INTO accounts (name, plan_code) VALUES (%s, %s) RETURNING id",
                (f"Faults {secrets.token_hex(4)}", plan),
            ).fetchone()["id"]
            user_id = conn.execute(
                "INSERT INTO users (account_id, email, name, role, active)"
                " VALUES (%s, %s, 'Fault Tester', 'admin', true) RETURNING id",
                (account_id, f"f{secrets.token_hex(6)}@example.com"),
            ).fetchone()["id"]
            conn.execute(
                "INSERT INTO api_tokens (account_id, user_id, name, token_hash, token_prefix,"
                " abilities) VALUES (%s, %s, 'faults', %s, %s, %s)",
                (account_id, user_id, hash_token(secret), secret[:8], ["workflow:write"]),
            )
            inbox_id = conn.execute(
                "SELECT id FROM queues WHERE account_id = %s AND is_builtin", (account_id,)
            ).fetchone()["id"]
        return Tenant(account_id, user_id, secret, inbox_id)

    def tickets(self, tenant: Tenant, queue_id: int, count: int) -> list[int]:
        rows = self.sql(
            "INSERT INTO tickets (account_id, queue_id, status, priority, subject)"
            " SELECT %s, %s, 'open', 'normal', 'Ticket ' || n FROM generate_series(1, %s) n"
            " RETURNING id",
            (tenant.account_id, queue_id, count),
        )
        return [r["id"] for r in rows]

    def app_connections(self, service: Service) -> list[dict]:
        """The service's connections (application_name ``tickiti-workflow/<worker pid>``)."""
        names = [f"tickiti-workflow/{pid}" for pid in service.workers()]
        return self.sql(
            "SELECT pid, application_name, state, backend_xid IS NOT NULL AS has_xid"
            " FROM pg_stat_activity WHERE application_name = ANY(%s)",
            (names,),
        )


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server():
    bindir = pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries not found; run scripts/install-test-deps.sh")
    server = PostgresServer(bindir)
    try:
        server.start()
        yield server
    finally:
        server.destroy()


@pytest.fixture(scope="session")
def pgbouncer(pg_server):
    binary = shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if os.path.exists("/usr/sbin/pgbouncer") else None
    )
    if binary is None:
        pytest.skip("pgbouncer is not installed; run scripts/install-test-deps.sh")
    bouncer = PgBouncer(pg_server, binary)
    try:
        yield bouncer
    finally:
        bouncer.stop()


@pytest.fixture(scope="session")
def fault_db(pg_server):
    return Database(pg_server)


@pytest.fixture(scope="session")
def workdir():
    path = Path(tempfile.mkdtemp(prefix="tickiti-faults-logs-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def start_service(workdir):
    """``start_service(database_url, **env)`` → a running Service, stopped after the test."""
    started: list[Service] = []

    def start(database_url: str, **env: Any) -> Service:
        service = Service(database_url, workdir, **env)
        started.append(service)
        return service

    yield start
    for service in started:
        service.stop()
