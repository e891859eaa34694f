from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.intervention import Intervention


T = TypeVar("T", bound="InterventionList")


@_attrs_define
class InterventionList:
    """
    Attributes:
        interventions (list[Intervention]):
    """

    interventions: list[Intervention]

    def to_dict(self) -> dict[str, Any]:
        interventions = []
        for interventions_item_data in self.interventions:
            interventions_item = interventions_item_data.to_dict()
            interventions.append(interventions_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "interventions": interventions,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.intervention import Intervention  # noqa: PLC0415

        d = dict(src_dict)
        interventions = []
        _interventions = d.pop("interventions")
        for interventions_item_data in _interventions:
            interventions_item = Intervention.from_dict(interventions_item_data)

            interventions.append(interventions_item)

        intervention_list = cls(
            interventions=interventions,
        )

        return intervention_list
