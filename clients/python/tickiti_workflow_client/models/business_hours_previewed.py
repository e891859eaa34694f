from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="BusinessHoursPreviewed")


@_attrs_define
class BusinessHoursPreviewed:
    """
    Attributes:
        due_at (datetime.datetime):
        business_minutes (int):
    """

    due_at: datetime.datetime
    business_minutes: int

    def to_dict(self) -> dict[str, Any]:
        due_at = self.due_at.isoformat()

        business_minutes = self.business_minutes

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "due_at": due_at,
                "business_minutes": business_minutes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        due_at = datetime.datetime.fromisoformat(d.pop("due_at"))

        business_minutes = d.pop("business_minutes")

        business_hours_previewed = cls(
            due_at=due_at,
            business_minutes=business_minutes,
        )

        return business_hours_previewed
