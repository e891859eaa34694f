from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="TicketsMoved")


@_attrs_define
class TicketsMoved:
    """
    Attributes:
        moved (int):
        from_queue_id (int):
        to_queue_id (int):
    """

    moved: int
    from_queue_id: int
    to_queue_id: int

    def to_dict(self) -> dict[str, Any]:
        moved = self.moved

        from_queue_id = self.from_queue_id

        to_queue_id = self.to_queue_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "moved": moved,
                "from_queue_id": from_queue_id,
                "to_queue_id": to_queue_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        moved = d.pop("moved")

        from_queue_id = d.pop("from_queue_id")

        to_queue_id = d.pop("to_queue_id")

        tickets_moved = cls(
            moved=moved,
            from_queue_id=from_queue_id,
            to_queue_id=to_queue_id,
        )

        return tickets_moved
