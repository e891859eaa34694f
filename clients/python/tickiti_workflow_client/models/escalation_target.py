from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="EscalationTarget")


@_attrs_define
class EscalationTarget:
    """
    Attributes:
        metric (str):
        minutes (int):
        business_hours (bool):
    """

    metric: str
    minutes: int
    business_hours: bool

    def to_dict(self) -> dict[str, Any]:
        metric = self.metric

        minutes = self.minutes

        business_hours = self.business_hours

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "metric": metric,
                "minutes": minutes,
                "business_hours": business_hours,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        metric = d.pop("metric")

        minutes = d.pop("minutes")

        business_hours = d.pop("business_hours")

        escalation_target = cls(
            metric=metric,
            minutes=minutes,
            business_hours=business_hours,
        )

        return escalation_target
