"""What tests share: rows written with plain SQL the way ops and other services write them,
objects created through the API, the check of an error response and the watch for leaked
remote tokens."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tickiti_workflow.tokens import hash_token, mint_token
from tickiti_workflow.web import openapi

REMOTE_URL = "https://hooks.example.com/tickiti"


def assert_error(response, status: int, code: str, *fields: str, only: bool = False) -> dict:
    """Assert that ``response`` is the API's error ``code`` with ``status``, in the one error
    shape (no stack trace, no SQL), and that each of ``fields`` has messages in
    ``error.details.fields`` (with ``only``, no other field has); return the error object."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "details"}, error
    assert error["code"] == code, error
    assert error["message"]
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "psycopg" not in text, text[:500]
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    if fields or only:
        named = error["details"]["fields"]
        assert all(f in named for f in fields), named
        assert not only or set(named) == set(fields), named
    return error


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

    def post_raw(self, path: str, raw: bytes | str, **kw):
        """POST ``raw`` as the body, declared as JSON."""
        return self.post(path, data=raw, content_type="application/json", **kw)

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

    def category(self, name: str | None = None, **kw) -> dict:
        """Create a resolution category through the API."""
        body = {"name": name or f"Category {secrets.token_hex(4)}", **kw}
        return self.ok("resolution-categories/create", body, status=201)["resolution_category"]

    def categorise(self, category_id: int, count: int) -> list[int]:
        """``count`` new tickets in the inbox that use the category."""
        ids = self.tickets(self.inbox_id, count)
        self.factory.sql(
            "UPDATE tickets SET resolution_category_id = %s WHERE account_id = %s AND id = ANY(%s)",
            (category_id, self.account_id, ids),
        )
        return ids

    def intervention(self, name: str | None = None, **kw) -> dict:
        """Create an intervention through the API."""
        body = {"name": name or f"Intervention {secrets.token_hex(4)}", "remote_url": REMOTE_URL}
        return self.ok("interventions/create", {**body, **kw}, status=201)["intervention"]

    def escalation_body(self, name: str = "Escalation", **overrides) -> dict:
        """A valid escalation create body: notify this tenant's user after an hour without a
        first response."""
        return {
            "name": name,
            "target": {"metric": "first_response", "minutes": 60},
            "actions": [{"type": "notify_users", "user_ids": [self.user_id]}],
            **overrides,
        }

    def escalation(self, name: str = "Escalation", **overrides) -> dict:
        """Create an escalation through the API."""
        body = self.escalation_body(name, **overrides)
        return self.ok("escalations/create", body, status=201)["escalation"]

    def queue_names(self) -> list[str]:
        """The names the queue list shows, in its order."""
        return [q["name"] for q in self.ok("queues", {})["queues"]]


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


@pytest.fixture
def not_at_a_minute_boundary():
    """Rate and refusal windows are whole UTC minutes; a test that counts requests must not
    straddle two (a module uses it with ``pytestmark = pytest.mark.usefixtures(...)``)."""
    if 60 - time.time() % 60 < 5:
        time.sleep(5.5)


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


# Remote tokens: a module that imports the two fixtures below has every response its tests
# receive checked for leaked secrets.


class SecretWatch:
    """Every remote token minted in a module, and every response its tests received."""

    def __init__(self):
        self.secrets: dict[str, str] = {}  # token -> its hash
        self.responses: list[tuple[str, str | None, str]] = []  # (url, token it minted, body)
        self.checked = (0, 0)  # how many responses and secrets were already checked

    def record(self, url: str, response) -> None:
        text = response.get_data(as_text=True)
        minted = None
        if url.endswith("/interventions/generate-token") and response.status_code == 200:
            minted = response.get_json()["remote_token"]  # null in an idempotent replay
            if minted is not None:
                self.secrets[minted] = hash_token(minted)
        self.responses.append((url, minted, text))

    def assert_no_leaks(self) -> None:
        """No response carries a token hash, and only its own generate-token carries a token.

        Each (response, secret) pair is checked once, so one leak fails one test, not all after.
        """
        responses, tokens = self.responses, list(self.secrets)
        seen_responses, seen_tokens = self.checked
        self.checked = (len(responses), len(tokens))
        pairs = [(r, t) for r in responses[seen_responses:] for t in tokens]
        pairs += [(r, t) for r in responses[:seen_responses] for t in tokens[seen_tokens:]]
        for (url, minted, text), token in pairs:
            assert self.secrets[token] not in text, f"{url} leaked a token hash"
            if token != minted:
                assert token not in text, f"{url} leaked a remote token"


class RecordingClient:
    """The factory's test client, recording each response into a SecretWatch."""

    def __init__(self, client, watch: SecretWatch):
        self._client, self._watch = client, watch

    def post(self, url, *args, **kwargs):
        response = self._client.post(url, *args, **kwargs)
        self._watch.record(url, response)
        return response

    def __getattr__(self, name):
        return getattr(self._client, name)


@pytest.fixture(scope="module")
def secret_watch():
    watch = SecretWatch()
    yield watch
    watch.assert_no_leaks()


@pytest.fixture(autouse=True)
def no_secret_leaks(factory, secret_watch, monkeypatch):
    """Route the tenants' requests through a recorder; after each test, grep all bodies so far."""
    monkeypatch.setattr(factory, "client", RecordingClient(factory.client, secret_watch))
    yield
    secret_watch.assert_no_leaks()
