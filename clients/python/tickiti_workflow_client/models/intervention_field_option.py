from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="InterventionFieldOption")


@_attrs_define
class InterventionFieldOption:
    """
    Attributes:
        value (str):
        label (str):
    """

    value: str
    label: str

    def to_dict(self) -> dict[str, Any]:
        value = self.value

        label = self.label

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "value": value,
                "label": label,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        value = d.pop("value")

        label = d.pop("label")

        intervention_field_option = cls(
            value=value,
            label=label,
        )

        return intervention_field_option
