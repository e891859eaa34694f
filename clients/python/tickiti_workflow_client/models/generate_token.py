from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="GenerateToken")


@_attrs_define
class GenerateToken:
    """
    Attributes:
        intervention_id (int):
        grace_minutes (int | Unset):  Default: 0.
    """

    intervention_id: int
    grace_minutes: int | Unset = 0

    def to_dict(self) -> dict[str, Any]:
        intervention_id = self.intervention_id

        grace_minutes = self.grace_minutes

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "intervention_id": intervention_id,
            }
        )
        if grace_minutes is not UNSET:
            field_dict["grace_minutes"] = grace_minutes

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        intervention_id = d.pop("intervention_id")

        grace_minutes = d.pop("grace_minutes", UNSET)

        generate_token = cls(
            intervention_id=intervention_id,
            grace_minutes=grace_minutes,
        )

        return generate_token
