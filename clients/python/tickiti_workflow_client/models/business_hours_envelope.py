from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.business_hours import BusinessHours


T = TypeVar("T", bound="BusinessHoursEnvelope")


@_attrs_define
class BusinessHoursEnvelope:
    """
    Attributes:
        business_hours (BusinessHours):
    """

    business_hours: BusinessHours

    def to_dict(self) -> dict[str, Any]:
        business_hours = self.business_hours.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "business_hours": business_hours,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.business_hours import BusinessHours  # noqa: PLC0415

        d = dict(src_dict)
        business_hours = BusinessHours.from_dict(d.pop("business_hours"))

        business_hours_envelope = cls(
            business_hours=business_hours,
        )

        return business_hours_envelope
