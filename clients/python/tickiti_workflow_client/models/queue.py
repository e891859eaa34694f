from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="Queue")


@_attrs_define
class Queue:
    """
    Attributes:
        id (int):
        name (str):
        description (str):
        is_builtin (bool):
        ticket_count (int):
        open_ticket_count (int):
        version (int):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    id: int
    name: str
    description: str
    is_builtin: bool
    ticket_count: int
    open_ticket_count: int
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        description = self.description

        is_builtin = self.is_builtin

        ticket_count = self.ticket_count

        open_ticket_count = self.open_ticket_count

        version = self.version

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "name": name,
                "description": description,
                "is_builtin": is_builtin,
                "ticket_count": ticket_count,
                "open_ticket_count": open_ticket_count,
                "version": version,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        description = d.pop("description")

        is_builtin = d.pop("is_builtin")

        ticket_count = d.pop("ticket_count")

        open_ticket_count = d.pop("open_ticket_count")

        version = d.pop("version")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        queue = cls(
            id=id,
            name=name,
            description=description,
            is_builtin=is_builtin,
            ticket_count=ticket_count,
            open_ticket_count=open_ticket_count,
            version=version,
            created_at=created_at,
            updated_at=updated_at,
        )

        return queue
