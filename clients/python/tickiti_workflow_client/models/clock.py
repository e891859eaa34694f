from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.range_ import Range


T = TypeVar("T", bound="Clock")


@_attrs_define
class Clock:
    """
    Attributes:
        escalation_id (int):
        metric (str):
        cycle (int | None):
        target_minutes (int):
        business_hours (bool):
        cycle_started_at (datetime.datetime | None):
        cycle_ended_at (datetime.datetime | None):
        running_ranges (list[Range]):
        consumed_calendar_seconds (float):
        consumed_business_seconds (float):
        consumed_seconds (float):
        due_at (datetime.datetime | None):
        armed (bool):
        armed_due_at (datetime.datetime | None):
        due_now (bool):
        not_armed_because (None | str):
    """

    escalation_id: int
    metric: str
    cycle: int | None
    target_minutes: int
    business_hours: bool
    cycle_started_at: datetime.datetime | None
    cycle_ended_at: datetime.datetime | None
    running_ranges: list[Range]
    consumed_calendar_seconds: float
    consumed_business_seconds: float
    consumed_seconds: float
    due_at: datetime.datetime | None
    armed: bool
    armed_due_at: datetime.datetime | None
    due_now: bool
    not_armed_because: None | str

    def to_dict(self) -> dict[str, Any]:
        escalation_id = self.escalation_id

        metric = self.metric

        cycle: int | None
        cycle = self.cycle

        target_minutes = self.target_minutes

        business_hours = self.business_hours

        cycle_started_at: None | str
        if isinstance(self.cycle_started_at, datetime.datetime):
            cycle_started_at = self.cycle_started_at.isoformat()
        else:
            cycle_started_at = self.cycle_started_at

        cycle_ended_at: None | str
        if isinstance(self.cycle_ended_at, datetime.datetime):
            cycle_ended_at = self.cycle_ended_at.isoformat()
        else:
            cycle_ended_at = self.cycle_ended_at

        running_ranges = []
        for running_ranges_item_data in self.running_ranges:
            running_ranges_item = running_ranges_item_data.to_dict()
            running_ranges.append(running_ranges_item)

        consumed_calendar_seconds = self.consumed_calendar_seconds

        consumed_business_seconds = self.consumed_business_seconds

        consumed_seconds = self.consumed_seconds

        due_at: None | str
        if isinstance(self.due_at, datetime.datetime):
            due_at = self.due_at.isoformat()
        else:
            due_at = self.due_at

        armed = self.armed

        armed_due_at: None | str
        if isinstance(self.armed_due_at, datetime.datetime):
            armed_due_at = self.armed_due_at.isoformat()
        else:
            armed_due_at = self.armed_due_at

        due_now = self.due_now

        not_armed_because: None | str
        not_armed_because = self.not_armed_because

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "escalation_id": escalation_id,
                "metric": metric,
                "cycle": cycle,
                "target_minutes": target_minutes,
                "business_hours": business_hours,
                "cycle_started_at": cycle_started_at,
                "cycle_ended_at": cycle_ended_at,
                "running_ranges": running_ranges,
                "consumed_calendar_seconds": consumed_calendar_seconds,
                "consumed_business_seconds": consumed_business_seconds,
                "consumed_seconds": consumed_seconds,
                "due_at": due_at,
                "armed": armed,
                "armed_due_at": armed_due_at,
                "due_now": due_now,
                "not_armed_because": not_armed_because,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.range_ import Range  # noqa: PLC0415

        d = dict(src_dict)
        escalation_id = d.pop("escalation_id")

        metric = d.pop("metric")

        def _parse_cycle(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        cycle = _parse_cycle(d.pop("cycle"))

        target_minutes = d.pop("target_minutes")

        business_hours = d.pop("business_hours")

        def _parse_cycle_started_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                cycle_started_at_type_0 = datetime.datetime.fromisoformat(data)

                return cycle_started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        cycle_started_at = _parse_cycle_started_at(d.pop("cycle_started_at"))

        def _parse_cycle_ended_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                cycle_ended_at_type_0 = datetime.datetime.fromisoformat(data)

                return cycle_ended_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        cycle_ended_at = _parse_cycle_ended_at(d.pop("cycle_ended_at"))

        running_ranges = []
        _running_ranges = d.pop("running_ranges")
        for running_ranges_item_data in _running_ranges:
            running_ranges_item = Range.from_dict(running_ranges_item_data)

            running_ranges.append(running_ranges_item)

        consumed_calendar_seconds = d.pop("consumed_calendar_seconds")

        consumed_business_seconds = d.pop("consumed_business_seconds")

        consumed_seconds = d.pop("consumed_seconds")

        def _parse_due_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                due_at_type_0 = datetime.datetime.fromisoformat(data)

                return due_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        due_at = _parse_due_at(d.pop("due_at"))

        armed = d.pop("armed")

        def _parse_armed_due_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                armed_due_at_type_0 = datetime.datetime.fromisoformat(data)

                return armed_due_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        armed_due_at = _parse_armed_due_at(d.pop("armed_due_at"))

        due_now = d.pop("due_now")

        def _parse_not_armed_because(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        not_armed_because = _parse_not_armed_because(d.pop("not_armed_because"))

        clock = cls(
            escalation_id=escalation_id,
            metric=metric,
            cycle=cycle,
            target_minutes=target_minutes,
            business_hours=business_hours,
            cycle_started_at=cycle_started_at,
            cycle_ended_at=cycle_ended_at,
            running_ranges=running_ranges,
            consumed_calendar_seconds=consumed_calendar_seconds,
            consumed_business_seconds=consumed_business_seconds,
            consumed_seconds=consumed_seconds,
            due_at=due_at,
            armed=armed,
            armed_due_at=armed_due_at,
            due_now=due_now,
            not_armed_because=not_armed_because,
        )

        return clock
