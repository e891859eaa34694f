from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="QueueDelete")


@_attrs_define
class QueueDelete:
    """
    Attributes:
        queue_id (int):
        reassign_to_queue_id (int | None | Unset):
    """

    queue_id: int
    reassign_to_queue_id: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        queue_id = self.queue_id

        reassign_to_queue_id: int | None | Unset
        if isinstance(self.reassign_to_queue_id, Unset):
            reassign_to_queue_id = UNSET
        else:
            reassign_to_queue_id = self.reassign_to_queue_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "queue_id": queue_id,
            }
        )
        if reassign_to_queue_id is not UNSET:
            field_dict["reassign_to_queue_id"] = reassign_to_queue_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        queue_id = d.pop("queue_id")

        def _parse_reassign_to_queue_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        reassign_to_queue_id = _parse_reassign_to_queue_id(d.pop("reassign_to_queue_id", UNSET))

        queue_delete = cls(
            queue_id=queue_id,
            reassign_to_queue_id=reassign_to_queue_id,
        )

        return queue_delete
