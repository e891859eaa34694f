"""Invalid credentials are cheap and limited, per client address, without the database.

Each worker process counts, per client address and fixed one-minute window, the requests whose
credentials were refused (malformed, unknown, revoked or expired). Past ``LIMIT`` in a window,
the client's requests are answered 429 before any SQL runs, except those presenting a token
this process has recently seen authenticate: a shared address (an office behind one NAT) keeps
working with its good tokens while guesses from it stop reaching PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from flask import request

LIMIT = 30  # refused credentials per client address per minute, in each worker process
WINDOW = 60
MAX_CLIENTS = 10_000  # addresses tracked at once; the oldest windows are forgotten first
MAX_KNOWN_GOOD = 10_000  # token hashes recently authenticated


def client_address() -> str:
    """The client as the edge saw it: the last X-Forwarded-For entry (a router such as
    Heroku's appends the address that connected to it), else the socket's peer."""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded:
        return forwarded.rsplit(",", 1)[-1].strip()[:64]
    return request.remote_addr or ""


class FailureLimiter:
    def __init__(self, limit: int = LIMIT, window: int = WINDOW):
        self.limit, self.window = limit, window
        self._lock = threading.Lock()
        # address -> (window number, refusals in it); ordered by first refusal in the window.
        self._refusals: OrderedDict[str, tuple[int, int]] = OrderedDict()
        self._good: OrderedDict[str, None] = OrderedDict()

    def retry_after(self, client: str, token_hash: str | None) -> int | None:
        """Seconds the client must wait, or None if its request may reach the database."""
        now = time.time()
        window = int(now // self.window)
        with self._lock:
            seen = self._refusals.get(client)
            if seen is None or seen[0] != window or seen[1] < self.limit:
                return None
            if token_hash is not None and token_hash in self._good:
                return None
        return max(1, int((window + 1) * self.window - now + 0.999))

    def refused(self, client: str) -> None:
        window = int(time.time() // self.window)
        with self._lock:
            seen = self._refusals.pop(client, None)
            count = seen[1] + 1 if seen is not None and seen[0] == window else 1
            self._refusals[client] = (window, count)
            while len(self._refusals) > MAX_CLIENTS:
                self._refusals.popitem(last=False)

    def authenticated(self, token_hash: str) -> None:
        with self._lock:
            self._good[token_hash] = None
            self._good.move_to_end(token_hash)
            while len(self._good) > MAX_KNOWN_GOOD:
                self._good.popitem(last=False)


limiter = FailureLimiter()
