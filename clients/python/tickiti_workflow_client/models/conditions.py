from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.conditions_priorities_item import ConditionsPrioritiesItem
from ..types import UNSET, Unset

T = TypeVar("T", bound="Conditions")


@_attrs_define
class Conditions:
    """
    Attributes:
        queue_ids (list[int] | Unset):
        priorities (list[ConditionsPrioritiesItem] | Unset):
    """

    queue_ids: list[int] | Unset = UNSET
    priorities: list[ConditionsPrioritiesItem] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        queue_ids: list[int] | Unset = UNSET
        if not isinstance(self.queue_ids, Unset):
            queue_ids = self.queue_ids

        priorities: list[str] | Unset = UNSET
        if not isinstance(self.priorities, Unset):
            priorities = []
            for priorities_item_data in self.priorities:
                priorities_item = priorities_item_data.value
                priorities.append(priorities_item)

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if queue_ids is not UNSET:
            field_dict["queue_ids"] = queue_ids
        if priorities is not UNSET:
            field_dict["priorities"] = priorities

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        queue_ids = cast(list[int], d.pop("queue_ids", UNSET))

        _priorities = d.pop("priorities", UNSET)
        priorities: list[ConditionsPrioritiesItem] | Unset = UNSET
        if _priorities is not UNSET:
            priorities = []
            for priorities_item_data in _priorities:
                priorities_item = ConditionsPrioritiesItem(priorities_item_data)

                priorities.append(priorities_item)

        conditions = cls(
            queue_ids=queue_ids,
            priorities=priorities,
        )

        return conditions
