"""Rendered list responses, reused while the account's list epoch is unchanged.

Every table a list endpoint reads bumps the account's epoch in the transaction that changes it
(migration 0011, deferred triggers, direct SQL included), and the authentication statement
reads the epoch in the same round trip as the token. So a list whose epoch matches the one it
was rendered at is exactly what the query would return now: the request costs the
authentication statement alone, and no query, row decoding or JSON encoding. A changed epoch
(or an account without one yet) renders the list afresh.

The cache is per worker process, bounded by LIST_CACHE_MB (0 turns it off), least recently
used first out. Gates always run first: a cached body is only ever answered to a request that
passed them for its own account. Keys hold account ids, paths and request bodies, never tokens.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import Response, current_app, request

from .. import db


class ListCache:
    """A byte-bounded LRU map from (account, endpoint, query) to (epoch, rendered body)."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, tuple[str, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.outages_seen = 0

    def get(self, key: tuple, epoch: str) -> bytes | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != epoch:
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: tuple, epoch: str, body: bytes) -> None:
        if len(body) > self.max_bytes // 8:  # one huge page must not evict everything
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old[1])
            self._entries[key] = (epoch, body)
            self._bytes += len(body)
            while self._bytes > self.max_bytes:
                _, (_, evicted) = self._entries.popitem(last=False)
                self._bytes -= len(evicted)

    def forget_after_outage(self, outages: int) -> None:
        """Drop everything once the database has been unreachable since the last call: a
        restore or failover behind the outage may have lost commits, and epochs with them."""
        if outages != self.outages_seen:
            with self._lock:
                self._entries.clear()
                self._bytes = 0
                self.outages_seen = outages

    def __len__(self) -> int:
        return len(self._entries)


def cached(account_id: int, epoch: str | None, payload: dict, render: Callable[[], Any]) -> Any:
    """The 200 body of a gated list from the cache while the account's epoch holds, else
    ``render()`` (its 200 body kept for the next request).

    The validated payload is part of the key (filters, cursors, limits)."""
    cache: ListCache | None = current_app.extensions.get("tickiti.list_cache")
    if cache is None or epoch is None:
        return render()
    cache.forget_after_outage(db.database().outages)
    key = (account_id, request.path, json.dumps(payload, sort_keys=True, default=str))
    body = cache.get(key, epoch)
    if body is not None:
        return current_app.response_class(body, mimetype="application/json")
    response: Response = current_app.make_response(render())
    if response.status_code == 200:
        cache.put(key, epoch, response.get_data())
    return response
