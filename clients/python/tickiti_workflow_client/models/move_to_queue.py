from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.move_to_queue_type import MoveToQueueType

T = TypeVar("T", bound="MoveToQueue")


@_attrs_define
class MoveToQueue:
    """
    Attributes:
        type_ (MoveToQueueType):
        queue_id (int):
    """

    type_: MoveToQueueType
    queue_id: int

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        queue_id = self.queue_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "queue_id": queue_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = MoveToQueueType(d.pop("type"))

        queue_id = d.pop("queue_id")

        move_to_queue = cls(
            type_=type_,
            queue_id=queue_id,
        )

        return move_to_queue
