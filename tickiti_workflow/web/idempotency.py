"""Idempotency-Key for write endpoints: the same key and body replay the first response.

The key is claimed with an INSERT in the same transaction as the write, so a concurrent retry
with the same key waits on the unique index until the first attempt commits (then replays it)
or rolls back (then runs itself). A write that fails stores nothing and can be retried.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import psycopg
from flask import Response, current_app, g, make_response, request

import sql

from .. import db
from ..errors import ApiError

HEADER = "Idempotency-Key"


class IdempotencyKeyReused(ApiError):
    status, code = 422, "idempotency_key_reused"
    message = "This Idempotency-Key was already used with a different request body."


class InvalidIdempotencyKey(ApiError):
    status, code = 400, "invalid_idempotency_key"
    message = "The Idempotency-Key header must be 1–255 printable ASCII characters."


def valid_key(key: str) -> bool:
    """1–255 printable ASCII characters."""
    return 1 <= len(key) <= 255 and key.isascii() and key.isprintable()


def withhold_on_replay(*keys: str) -> None:
    """Store these top-level response keys as null: a secret is shown once, never replayed."""
    g.idempotency_withheld = keys


def _stored_body(response: Response) -> str:
    withheld = g.get("idempotency_withheld")
    if not withheld:
        return response.get_data(as_text=True)
    body = response.get_json()
    return current_app.json.dumps({k: None if k in withheld else v for k, v in body.items()})


def _request_hash() -> str:
    digest = hashlib.sha256(request.path.encode())
    digest.update(b"\0")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def run(principal: Any, call: Callable[[psycopg.Cursor], Any]) -> Response:
    """Call ``call(cur)`` in one new transaction, honouring an Idempotency-Key header if sent.

    The transaction begins here, before the key is claimed, and commits when ``call`` has
    returned and its response is stored under the key; an error rolls back both."""
    key = request.headers.get(HEADER)
    if key is None:
        with db.transaction() as cur:
            return make_response(call(cur))
    if not valid_key(key):
        raise InvalidIdempotencyKey()
    ids = {"account_id": principal.account_id, "user_id": principal.user_id, "key": key}
    request_hash = _request_hash()
    with db.transaction() as cur:
        wait_ms = current_app.config["SETTINGS"].statement_timeout_ms
        sql.idempotency.wait_for_key.one(cur, wait_ms=wait_ms)
        if sql.idempotency.claim_key.one(cur, request_hash=request_hash, **ids) is None:
            stored = sql.idempotency.get_key.one(cur, **ids)
            if stored["request_hash"] != request_hash:
                raise IdempotencyKeyReused()
            replay = Response(stored["response_body"], stored["status_code"])
            replay.mimetype = "application/json"
            replay.headers["Idempotent-Replayed"] = "true"
            return replay
        response = make_response(call(cur))
        sql.idempotency.store_response.run(
            cur,
            status_code=response.status_code,
            response_body=_stored_body(response),
            **ids,
        )
        return response
