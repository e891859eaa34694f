"""Rules several bodies share: a list names each value once; two ids name different objects."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

from marshmallow import ValidationError

# A "repeated" list in an error names at most this many values.
MAX_REPEATED_SHOWN = 20


def repeat_positions(values: Sequence[Hashable]) -> list[int]:
    """The positions of the values that stand earlier in the list too."""
    seen: set[Hashable] = set()
    positions = []
    for position, value in enumerate(values):
        if value in seen:
            positions.append(position)
        seen.add(value)
    return positions


def distinct(what: str) -> Callable[[Sequence[Hashable]], None]:
    """A list validator: each value once; the error names the repeated ones, sorted."""

    def check(values: Sequence[Hashable]) -> None:
        if positions := repeat_positions(values):
            repeated = sorted({values[p] for p in positions})[:MAX_REPEATED_SHOWN]  # type: ignore[type-var]
            raise ValidationError(f"{what} must be distinct; repeated: {repeated}.")

    return check


def differs_from(data: Mapping[str, Any], field: str, other: str) -> None:
    """Refuse ``field`` naming the same object as ``other`` (the error is on ``field``)."""
    if data.get(field) == data.get(other):
        raise ValidationError(f"Must differ from {other}.", field)
