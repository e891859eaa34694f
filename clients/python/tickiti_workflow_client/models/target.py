from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.target_metric import TargetMetric
from ..types import UNSET, Unset

T = TypeVar("T", bound="Target")


@_attrs_define
class Target:
    """
    Attributes:
        metric (TargetMetric):
        minutes (int):
        business_hours (bool | Unset):  Default: False.
    """

    metric: TargetMetric
    minutes: int
    business_hours: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        metric = self.metric.value

        minutes = self.minutes

        business_hours = self.business_hours

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "metric": metric,
                "minutes": minutes,
            }
        )
        if business_hours is not UNSET:
            field_dict["business_hours"] = business_hours

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        metric = TargetMetric(d.pop("metric"))

        minutes = d.pop("minutes")

        business_hours = d.pop("business_hours", UNSET)

        target = cls(
            metric=metric,
            minutes=minutes,
            business_hours=business_hours,
        )

        return target
