from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Holiday")


@_attrs_define
class Holiday:
    """
    Attributes:
        name (str):
        start_date (datetime.date):
        end_date (datetime.date):
        recurring (bool | Unset):  Default: False.
    """

    name: str
    start_date: datetime.date
    end_date: datetime.date
    recurring: bool | Unset = False

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
            }
        )
        if recurring is not UNSET:
            field_dict["recurring"] = recurring

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        start_date = datetime.date.fromisoformat(d.pop("start_date"))

        end_date = datetime.date.fromisoformat(d.pop("end_date"))

        recurring = d.pop("recurring", UNSET)

        holiday = cls(
            name=name,
            start_date=start_date,
            end_date=end_date,
            recurring=recurring,
        )

        return holiday
