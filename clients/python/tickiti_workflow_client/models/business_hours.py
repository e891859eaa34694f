from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.business_holiday import BusinessHoliday
    from ..models.business_hours_schedule import BusinessHoursSchedule


T = TypeVar("T", bound="BusinessHours")


@_attrs_define
class BusinessHours:
    """
    Attributes:
        timezone (str):
        schedule (BusinessHoursSchedule):
        holidays (list[BusinessHoliday]):
        version (int):
        updated_at (datetime.datetime):
    """

    timezone: str
    schedule: BusinessHoursSchedule
    holidays: list[BusinessHoliday]
    version: int
    updated_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        timezone = self.timezone

        schedule = self.schedule.to_dict()

        holidays = []
        for holidays_item_data in self.holidays:
            holidays_item = holidays_item_data.to_dict()
            holidays.append(holidays_item)

        version = self.version

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "timezone": timezone,
                "schedule": schedule,
                "holidays": holidays,
                "version": version,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.business_holiday import BusinessHoliday  # noqa: PLC0415
        from ..models.business_hours_schedule import BusinessHoursSchedule  # noqa: PLC0415

        d = dict(src_dict)
        timezone = d.pop("timezone")

        schedule = BusinessHoursSchedule.from_dict(d.pop("schedule"))

        holidays = []
        _holidays = d.pop("holidays")
        for holidays_item_data in _holidays:
            holidays_item = BusinessHoliday.from_dict(holidays_item_data)

            holidays.append(holidays_item)

        version = d.pop("version")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        business_hours = cls(
            timezone=timezone,
            schedule=schedule,
            holidays=holidays,
            version=version,
            updated_at=updated_at,
        )

        return business_hours
