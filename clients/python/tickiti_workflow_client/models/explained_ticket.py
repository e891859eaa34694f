from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ExplainedTicket")


@_attrs_define
class ExplainedTicket:
    """
    Attributes:
        id (int):
        status (str):
        queue_id (int):
        priority (str):
        created_at (datetime.datetime):
    """

    id: int
    status: str
    queue_id: int
    priority: str
    created_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        status = self.status

        queue_id = self.queue_id

        priority = self.priority

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "status": status,
                "queue_id": queue_id,
                "priority": priority,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        status = d.pop("status")

        queue_id = d.pop("queue_id")

        priority = d.pop("priority")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        explained_ticket = cls(
            id=id,
            status=status,
            queue_id=queue_id,
            priority=priority,
            created_at=created_at,
        )

        return explained_ticket
