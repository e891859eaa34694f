"""Named SQL queries, loaded once from the ``.sql`` files beside this module.

Each query starts with a ``-- name: query_name`` line followed by a one-line ``--``
description, and uses psycopg's ``%(param)s`` placeholders. A ``-- shape: resource`` block
(also with a one-line description) is a resource's API row shape, a select list written once
per file; a query of the same file selects it as ``{{resource}}``. A file ``queues.sql`` becomes the
attribute ``sql.queues``, and its query ``list_queues`` becomes ``sql.queues.list_queues``.
A query name that does not exist fails at import time of the caller, not on a request.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

MIGRATIONS = Path(__file__).parent / "migrations"

_HEADER = re.compile(r"^-- (name|shape): ([a-z_][a-z0-9_]*)[ \t]*\n", re.MULTILINE)
_SHAPE = re.compile(r"\{\{([a-z_][a-z0-9_]*)\}\}")


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
    """Split a file's text into its named queries, each shape it selects written in."""
    parts = _HEADER.split(text)
    blocks: dict[str, dict[str, tuple[str, str]]] = {"name": {}, "shape": {}}
    for kind, name, body in zip(parts[1::3], parts[2::3], parts[3::3], strict=True):
        lines = body.strip().splitlines()
        doc = lines[0].removeprefix("--").strip() if lines and lines[0].startswith("--") else ""
        what = "query" if kind == "name" else kind
        if not doc:
            raise ValueError(f"{what} {name} has no one-line description")
        if name in blocks[kind]:
            raise ValueError(f"{what} {name} is defined twice")
        blocks[kind][name] = (doc, "\n".join(lines[1:]).strip())
    shapes = {name: text for name, (_, text) in blocks["shape"].items()}

    def shape(match: re.Match) -> str:
        if match.group(1) not in shapes:
            raise ValueError(f"no shape {match.group(1)} in this file")
        return shapes[match.group(1)]

    return {
        name: Query(name, doc, _SHAPE.sub(shape, text))
        for name, (doc, text) in blocks["name"].items()
    }


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
