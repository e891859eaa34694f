"""Named SQL queries, loaded once from the ``.sql`` files beside this module.

Each query starts with a ``-- name: query_name`` line followed by a one-line ``--``
description, and uses psycopg's ``%(param)s`` placeholders. A file ``queues.sql`` becomes the
attribute ``sql.queues``, and its query ``list_queues`` becomes ``sql.queues.list_queues``.
A query name that does not exist fails at import time of the caller, not on a request.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

MIGRATIONS = Path(__file__).parent / "migrations"

_HEADER = re.compile(r"^-- name: ([a-z_][a-z0-9_]*)[ \t]*\n", re.MULTILINE)


class Query:
    """One named statement; its methods run it on a cursor with named parameters."""

    __slots__ = ("doc", "name", "text")

    def __init__(self, name: str, doc: str, text: str):
        self.name, self.doc, self.text = name, doc, text

    def one(self, cur, **params: Any) -> dict | None:
        """Run the statement and return its first row (or None)."""
        cur.execute(self.text, params)
        return cur.fetchone()

    def all(self, cur, **params: Any) -> list[dict]:
        """Run the statement and return every row."""
        cur.execute(self.text, params)
        return cur.fetchall()

    def run(self, cur, **params: Any) -> int:
        """Run the statement and return the number of rows it affected."""
        cur.execute(self.text, params)
        return cur.rowcount

    def __repr__(self) -> str:
        return f"<Query {self.name}>"


def parse(text: str) -> dict[str, Query]:
    """Split a file's text into its named queries."""
    parts = _HEADER.split(text)
    queries: dict[str, Query] = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        lines = body.strip().splitlines()
        doc = lines[0].removeprefix("--").strip() if lines and lines[0].startswith("--") else ""
        if not doc:
            raise ValueError(f"query {name} has no one-line description")
        if name in queries:
            raise ValueError(f"query {name} is defined twice")
        queries[name] = Query(name, doc, "\n".join(lines[1:]).strip())
    return queries


def _load() -> dict[str, SimpleNamespace]:
    return {
        path.stem: SimpleNamespace(**parse(path.read_text(encoding="utf-8")))
        for path in sorted(Path(__file__).parent.glob("*.sql"))
    }


FILES = _load()
globals().update(FILES)


def __getattr__(name: str) -> SimpleNamespace:
    raise AttributeError(f"no SQL file sql/{name}.sql")


def all_queries() -> list[Query]:
    """Every loaded query, for the test that prepares each one against the schema."""
    return [q for ns in FILES.values() for q in vars(ns).values()]
