from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="BusinessHoursPreview")


@_attrs_define
class BusinessHoursPreview:
    """
    Attributes:
        start (Any):
        minutes (int):
    """

    start: Any
    minutes: int

    def to_dict(self) -> dict[str, Any]:
        start = self.start

        minutes = self.minutes

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "start": start,
                "minutes": minutes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        start = d.pop("start")

        minutes = d.pop("minutes")

        business_hours_preview = cls(
            start=start,
            minutes=minutes,
        )

        return business_hours_preview
