from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="QueueMove")


@_attrs_define
class QueueMove:
    """
    Attributes:
        from_queue_id (int):
        to_queue_id (int):
        ticket_ids (list[int] | None | Unset):
    """

    from_queue_id: int
    to_queue_id: int
    ticket_ids: list[int] | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from_queue_id = self.from_queue_id

        to_queue_id = self.to_queue_id

        ticket_ids: list[int] | None | Unset
        if isinstance(self.ticket_ids, Unset):
            ticket_ids = UNSET
        elif isinstance(self.ticket_ids, list):
            ticket_ids = self.ticket_ids

        else:
            ticket_ids = self.ticket_ids

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "from_queue_id": from_queue_id,
                "to_queue_id": to_queue_id,
            }
        )
        if ticket_ids is not UNSET:
            field_dict["ticket_ids"] = ticket_ids

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        from_queue_id = d.pop("from_queue_id")

        to_queue_id = d.pop("to_queue_id")

        def _parse_ticket_ids(data: object) -> list[int] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                ticket_ids_type_0 = cast(list[int], data)

                return ticket_ids_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[int] | None | Unset, data)

        ticket_ids = _parse_ticket_ids(d.pop("ticket_ids", UNSET))

        queue_move = cls(
            from_queue_id=from_queue_id,
            to_queue_id=to_queue_id,
            ticket_ids=ticket_ids,
        )

        return queue_move
