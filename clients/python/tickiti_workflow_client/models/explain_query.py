from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ExplainQuery")


@_attrs_define
class ExplainQuery:
    """
    Attributes:
        ticket_id (int):
    """

    ticket_id: int

    def to_dict(self) -> dict[str, Any]:
        ticket_id = self.ticket_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "ticket_id": ticket_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        ticket_id = d.pop("ticket_id")

        explain_query = cls(
            ticket_id=ticket_id,
        )

        return explain_query
