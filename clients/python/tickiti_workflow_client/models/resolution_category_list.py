from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.resolution_category import ResolutionCategory


T = TypeVar("T", bound="ResolutionCategoryList")


@_attrs_define
class ResolutionCategoryList:
    """
    Attributes:
        resolution_categories (list[ResolutionCategory]):
    """

    resolution_categories: list[ResolutionCategory]

    def to_dict(self) -> dict[str, Any]:
        resolution_categories = []
        for resolution_categories_item_data in self.resolution_categories:
            resolution_categories_item = resolution_categories_item_data.to_dict()
            resolution_categories.append(resolution_categories_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "resolution_categories": resolution_categories,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.resolution_category import ResolutionCategory  # noqa: PLC0415

        d = dict(src_dict)
        resolution_categories = []
        _resolution_categories = d.pop("resolution_categories")
        for resolution_categories_item_data in _resolution_categories:
            resolution_categories_item = ResolutionCategory.from_dict(resolution_categories_item_data)

            resolution_categories.append(resolution_categories_item)

        resolution_category_list = cls(
            resolution_categories=resolution_categories,
        )

        return resolution_category_list
