"""Rows for tests, written with plain SQL the way ops and other services write them."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator

from auth import hash_token, mint_token
from tickiti_workflow.web import openapi


@dataclass
class Tenant:
    """An account, one of its users and a token of that user, with a client that uses it."""

    factory: Factory
    account_id: int
    user_id: int
    token: str
    token_id: int
    inbox_id: int
    plan: str = "pro"

    def post(self, path: str, json: Any = None, *, token: str | None = None, headers=None, **kw):
        """POST to /api/v1/workflow/<path> as this tenant."""
        headers = dict(headers or {})
        headers.setdefault("Authorization", f"Bearer {token or self.token}")
        url = path if path.startswith("/") else f"/api/v1/workflow/{path}"
        # Each tenant calls from an address of its own, as separate clients do (invalid
        # credentials are limited per client address).
        kw.setdefault("environ_base", {"REMOTE_ADDR": self.address})
        if json is not None:
            kw["json"] = json
        response = self.factory.client.post(url, headers=headers, **kw)
        self.factory.check_contract(url, response)
        return response

    @property
    def address(self) -> str:
        n = self.account_id
        return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"

    def ok(self, path: str, json: Any = None, status: int = 200, **kw) -> dict:
        """POST and assert the status; return the JSON body."""
        response = self.post(path, json, **kw)
        assert response.status_code == status, response.get_json()
        return response.get_json()

    def token_for(self, **kw) -> str:
        """Another token of this tenant's user (or of ``user_id``)."""
        kw.setdefault("user_id", self.user_id)
        return self.factory.token(self.account_id, **kw)[0]

    def tickets(self, queue_id: int, count: int, status: str = "open") -> list[int]:
        return self.factory.tickets(self.account_id, queue_id, count, status)

    def queue(self, name: str | None = None, **kw) -> dict:
        """Create a queue through the API."""
        body = {"name": name or f"Queue {secrets.token_hex(4)}", **kw}
        return self.ok("queues/create", body, status=201)["queue"]


class Factory:
    def __init__(self, app, conn):
        self.app = app
        self.client = app.test_client()
        self.conn = conn
        self._document: dict | None = None
        self._validators: dict[tuple[str, int], Draft202012Validator] = {}

    def check_contract(self, path: str, response) -> None:
        """Every response any test receives has a status and a body the OpenAPI document names."""
        if self._document is None:
            self._document = openapi.build(self.app)
        operation = self._document["paths"].get(path, {}).get("post")
        if operation is None:
            return  # not an API endpoint (an unknown path, a test-only route)
        key = (path, response.status_code)
        if key not in self._validators:
            documented = operation["responses"].get(str(response.status_code))
            assert documented, f"{path} answered {response.status_code}, which it does not document"
            schema = documented["content"]["application/json"]["schema"]
            self._validators[key] = Draft202012Validator(
                {**schema, "components": self._document["components"]},
                format_checker=Draft202012Validator.FORMAT_CHECKER,
            )
        errors = [
            f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
            for e in self._validators[key].iter_errors(response.get_json())
        ]
        assert not errors, f"{path} {response.status_code} breaks its documented schema: {errors}"

    def sql(self, query: str, params: Any = None) -> list[dict]:
        with self.conn.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchall() if cur.description else []

    def one(self, query: str, params: Any = None) -> dict:
        return self.sql(query, params)[0]

    def account(self, plan: str = "pro") -> int:
        return self.one(
            "INSERT INTO accounts (name, plan_code) VALUES (%s, %s) RETURNING id",
            (f"Account {secrets.token_hex(4)}", plan),
        )["id"]

    def user(self, account_id: int, role: str = "admin", active: bool = True) -> int:
        return self.one(
            "INSERT INTO users (account_id, email, name, role, active)"
            " VALUES (%s, %s, 'Test User', %s, %s) RETURNING id",
            (account_id, f"u{secrets.token_hex(6)}@example.com", role, active),
        )["id"]

    def token(
        self,
        account_id: int,
        user_id: int,
        abilities: tuple[str, ...] = ("workflow:write",),
        expires_in: str | None = None,
        revoked: bool = False,
    ) -> tuple[str, int]:
        secret = mint_token("tkt_")
        row = self.one(
            "INSERT INTO api_tokens (account_id, user_id, name, token_hash, token_prefix,"
            " abilities, expires_at, revoked_at) VALUES (%s, %s, 'test', %s, %s, %s,"
            " now() + %s::interval, CASE WHEN %s THEN now() END) RETURNING id",
            (
                account_id,
                user_id,
                hash_token(secret),
                secret[:8],
                list(abilities),
                expires_in,
                revoked,
            ),
        )
        return secret, row["id"]

    def tenant(
        self,
        plan: str = "pro",
        role: str = "admin",
        abilities: tuple[str, ...] = ("workflow:write",),
    ) -> Tenant:
        account_id = self.account(plan)
        user_id = self.user(account_id, role)
        token, token_id = self.token(account_id, user_id, abilities)
        inbox_id = self.one(
            "SELECT id FROM queues WHERE account_id = %s AND is_builtin", (account_id,)
        )["id"]
        return Tenant(self, account_id, user_id, token, token_id, inbox_id, plan)

    def tickets(
        self, account_id: int, queue_id: int, count: int, status: str = "open"
    ) -> list[int]:
        rows = self.sql(
            "INSERT INTO tickets (account_id, queue_id, status, priority, subject)"
            " SELECT %s, %s, %s, 'normal', 'Ticket ' || n FROM generate_series(1, %s) n"
            " RETURNING id",
            (account_id, queue_id, status, count),
        )
        return [r["id"] for r in rows]


def race(*calls):
    """Run the calls at the same moment, each in its own thread; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results
