from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.resolution_category import ResolutionCategory


T = TypeVar("T", bound="ResolutionCategoryEnvelope")


@_attrs_define
class ResolutionCategoryEnvelope:
    """
    Attributes:
        resolution_category (ResolutionCategory):
    """

    resolution_category: ResolutionCategory

    def to_dict(self) -> dict[str, Any]:
        resolution_category = self.resolution_category.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "resolution_category": resolution_category,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.resolution_category import ResolutionCategory  # noqa: PLC0415

        d = dict(src_dict)
        resolution_category = ResolutionCategory.from_dict(d.pop("resolution_category"))

        resolution_category_envelope = cls(
            resolution_category=resolution_category,
        )

        return resolution_category_envelope
