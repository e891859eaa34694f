from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.holiday import Holiday
    from ..models.schedule import Schedule


T = TypeVar("T", bound="BusinessHoursUpdate")


@_attrs_define
class BusinessHoursUpdate:
    """
    Attributes:
        expected_version (int | None | Unset):
        timezone (str | Unset):
        schedule (Schedule | Unset):
        holidays (list[Holiday] | Unset):
    """

    expected_version: int | None | Unset = UNSET
    timezone: str | Unset = UNSET
    schedule: Schedule | Unset = UNSET
    holidays: list[Holiday] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        expected_version: int | None | Unset
        if isinstance(self.expected_version, Unset):
            expected_version = UNSET
        else:
            expected_version = self.expected_version

        timezone = self.timezone

        schedule: dict[str, Any] | Unset = UNSET
        if not isinstance(self.schedule, Unset):
            schedule = self.schedule.to_dict()

        holidays: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.holidays, Unset):
            holidays = []
            for holidays_item_data in self.holidays:
                holidays_item = holidays_item_data.to_dict()
                holidays.append(holidays_item)

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if expected_version is not UNSET:
            field_dict["expected_version"] = expected_version
        if timezone is not UNSET:
            field_dict["timezone"] = timezone
        if schedule is not UNSET:
            field_dict["schedule"] = schedule
        if holidays is not UNSET:
            field_dict["holidays"] = holidays

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.holiday import Holiday  # noqa: PLC0415
        from ..models.schedule import Schedule  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_expected_version(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        expected_version = _parse_expected_version(d.pop("expected_version", UNSET))

        timezone = d.pop("timezone", UNSET)

        _schedule = d.pop("schedule", UNSET)
        schedule: Schedule | Unset
        if isinstance(_schedule, Unset):
            schedule = UNSET
        else:
            schedule = Schedule.from_dict(_schedule)

        _holidays = d.pop("holidays", UNSET)
        holidays: list[Holiday] | Unset = UNSET
        if _holidays is not UNSET:
            holidays = []
            for holidays_item_data in _holidays:
                holidays_item = Holiday.from_dict(holidays_item_data)

                holidays.append(holidays_item)

        business_hours_update = cls(
            expected_version=expected_version,
            timezone=timezone,
            schedule=schedule,
            holidays=holidays,
        )

        return business_hours_update
