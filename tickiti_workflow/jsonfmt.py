"""How the API writes values JSON has no type for: the web app and the worker share it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any


def iso_utc(value: dt.datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, microseconds kept (isoformat: 2× faster than strftime)."""
    if value.tzinfo is not dt.UTC:  # rows come in UTC already (the session's TimeZone)
        value = value.astimezone(dt.UTC)
    return value.isoformat(timespec="microseconds")[:-6] + "Z"


def default(o: Any) -> Any:
    """Timestamps as ISO 8601 UTC with ``Z``; dates as ISO dates."""
    if isinstance(o, dt.datetime):
        return iso_utc(o)
    if isinstance(o, dt.date):
        return o.isoformat()
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def dumps(value: Any) -> str:
    """Compact JSON in the API's formats, keys in the order given."""
    return json.dumps(value, default=default, ensure_ascii=False, separators=(",", ":"))
