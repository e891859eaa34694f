from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="BusinessHoliday")


@_attrs_define
class BusinessHoliday:
    """
    Attributes:
        name (str):
        start_date (datetime.date):
        end_date (datetime.date):
        recurring (bool):
    """

    name: str
    start_date: datetime.date
    end_date: datetime.date
    recurring: bool

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        start_date = self.start_date.isoformat()

        end_date = self.end_date.isoformat()

        recurring = self.recurring

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "start_date": start_date,
                "end_date": end_date,
                "recurring": recurring,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        start_date = datetime.date.fromisoformat(d.pop("start_date"))

        end_date = datetime.date.fromisoformat(d.pop("end_date"))

        recurring = d.pop("recurring")

        business_holiday = cls(
            name=name,
            start_date=start_date,
            end_date=end_date,
            recurring=recurring,
        )

        return business_holiday
