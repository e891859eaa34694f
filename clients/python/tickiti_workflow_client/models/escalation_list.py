from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.business_hours import BusinessHours
    from ..models.escalation import Escalation


T = TypeVar("T", bound="EscalationList")


@_attrs_define
class EscalationList:
    """
    Attributes:
        escalations (list[Escalation]):
        business_hours (BusinessHours):
    """

    escalations: list[Escalation]
    business_hours: BusinessHours

    def to_dict(self) -> dict[str, Any]:
        escalations = []
        for escalations_item_data in self.escalations:
            escalations_item = escalations_item_data.to_dict()
            escalations.append(escalations_item)

        business_hours = self.business_hours.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "escalations": escalations,
                "business_hours": business_hours,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.business_hours import BusinessHours  # noqa: PLC0415
        from ..models.escalation import Escalation  # noqa: PLC0415

        d = dict(src_dict)
        escalations = []
        _escalations = d.pop("escalations")
        for escalations_item_data in _escalations:
            escalations_item = Escalation.from_dict(escalations_item_data)

            escalations.append(escalations_item)

        business_hours = BusinessHours.from_dict(d.pop("business_hours"))

        escalation_list = cls(
            escalations=escalations,
            business_hours=business_hours,
        )

        return escalation_list
