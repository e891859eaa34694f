from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.firing import Firing


T = TypeVar("T", bound="FiringPage")


@_attrs_define
class FiringPage:
    """
    Attributes:
        firings (list[Firing]):
        next_cursor (None | str):
    """

    firings: list[Firing]
    next_cursor: None | str

    def to_dict(self) -> dict[str, Any]:
        firings = []
        for firings_item_data in self.firings:
            firings_item = firings_item_data.to_dict()
            firings.append(firings_item)

        next_cursor: None | str
        next_cursor = self.next_cursor

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "firings": firings,
                "next_cursor": next_cursor,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.firing import Firing  # noqa: PLC0415

        d = dict(src_dict)
        firings = []
        _firings = d.pop("firings")
        for firings_item_data in _firings:
            firings_item = Firing.from_dict(firings_item_data)

            firings.append(firings_item)

        def _parse_next_cursor(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        next_cursor = _parse_next_cursor(d.pop("next_cursor"))

        firing_page = cls(
            firings=firings,
            next_cursor=next_cursor,
        )

        return firing_page
