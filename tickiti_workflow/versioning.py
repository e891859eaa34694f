"""Optimistic concurrency shared by every update endpoint."""

from __future__ import annotations

from typing import Any

from .errors import VersionConflict


def changes(current: dict[str, Any], payload: dict[str, Any], fields: tuple[str, ...]) -> dict:
    """Check ``expected_version`` against the locked row; return the fields that really change.

    An update that changes nothing keeps the version, so a retried update never conflicts
    with itself.
    """
    expected = payload.get("expected_version")
    if expected is not None and expected != current["version"]:
        raise VersionConflict(current["version"])
    return {f: payload[f] for f in fields if f in payload and payload[f] != current[f]}
