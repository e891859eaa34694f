from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.intervention import Intervention


T = TypeVar("T", bound="InterventionEnvelope")


@_attrs_define
class InterventionEnvelope:
    """
    Attributes:
        intervention (Intervention):
    """

    intervention: Intervention

    def to_dict(self) -> dict[str, Any]:
        intervention = self.intervention.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "intervention": intervention,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.intervention import Intervention  # noqa: PLC0415

        d = dict(src_dict)
        intervention = Intervention.from_dict(d.pop("intervention"))

        intervention_envelope = cls(
            intervention=intervention,
        )

        return intervention_envelope
