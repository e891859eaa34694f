from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.set_priority_priority import SetPriorityPriority
from ..models.set_priority_type import SetPriorityType

T = TypeVar("T", bound="SetPriority")


@_attrs_define
class SetPriority:
    """
    Attributes:
        type_ (SetPriorityType):
        priority (SetPriorityPriority):
    """

    type_: SetPriorityType
    priority: SetPriorityPriority

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        priority = self.priority.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "priority": priority,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = SetPriorityType(d.pop("type"))

        priority = SetPriorityPriority(d.pop("priority"))

        set_priority = cls(
            type_=type_,
            priority=priority,
        )

        return set_priority
