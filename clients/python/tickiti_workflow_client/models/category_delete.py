from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CategoryDelete")


@_attrs_define
class CategoryDelete:
    """
    Attributes:
        id (int):
        replace_with_id (int | None | Unset):
    """

    id: int
    replace_with_id: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        replace_with_id: int | None | Unset
        if isinstance(self.replace_with_id, Unset):
            replace_with_id = UNSET
        else:
            replace_with_id = self.replace_with_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
            }
        )
        if replace_with_id is not UNSET:
            field_dict["replace_with_id"] = replace_with_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        def _parse_replace_with_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        replace_with_id = _parse_replace_with_id(d.pop("replace_with_id", UNSET))

        category_delete = cls(
            id=id,
            replace_with_id=replace_with_id,
        )

        return category_delete
