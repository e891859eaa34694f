from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="InterventionRef")


@_attrs_define
class InterventionRef:
    """
    Attributes:
        intervention_id (int):
    """

    intervention_id: int

    def to_dict(self) -> dict[str, Any]:
        intervention_id = self.intervention_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "intervention_id": intervention_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        intervention_id = d.pop("intervention_id")

        intervention_ref = cls(
            intervention_id=intervention_id,
        )

        return intervention_ref
