from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="EscalationConditions")


@_attrs_define
class EscalationConditions:
    """
    Attributes:
        queue_ids (list[int]):
        priorities (list[str]):
    """

    queue_ids: list[int]
    priorities: list[str]

    def to_dict(self) -> dict[str, Any]:
        queue_ids = self.queue_ids

        priorities = self.priorities

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "queue_ids": queue_ids,
                "priorities": priorities,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        queue_ids = cast(list[int], d.pop("queue_ids"))

        priorities = cast(list[str], d.pop("priorities"))

        escalation_conditions = cls(
            queue_ids=queue_ids,
            priorities=priorities,
        )

        return escalation_conditions
