from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ResolutionCategory")


@_attrs_define
class ResolutionCategory:
    """
    Attributes:
        id (int):
        name (str):
        description (str):
        position (int):
        ticket_count (int):
        version (int):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    id: int
    name: str
    description: str
    position: int
    ticket_count: int
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        description = self.description

        position = self.position

        ticket_count = self.ticket_count

        version = self.version

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "name": name,
                "description": description,
                "position": position,
                "ticket_count": ticket_count,
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

        position = d.pop("position")

        ticket_count = d.pop("ticket_count")

        version = d.pop("version")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        resolution_category = cls(
            id=id,
            name=name,
            description=description,
            position=position,
            ticket_count=ticket_count,
            version=version,
            created_at=created_at,
            updated_at=updated_at,
        )

        return resolution_category
