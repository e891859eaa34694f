from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ImmediateFirings")


@_attrs_define
class ImmediateFirings:
    """
    Attributes:
        tickets (int):
        examined (int):
        capped (bool):
    """

    tickets: int
    examined: int
    capped: bool

    def to_dict(self) -> dict[str, Any]:
        tickets = self.tickets

        examined = self.examined

        capped = self.capped

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "tickets": tickets,
                "examined": examined,
                "capped": capped,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        tickets = d.pop("tickets")

        examined = d.pop("examined")

        capped = d.pop("capped")

        immediate_firings = cls(
            tickets=tickets,
            examined=examined,
            capped=capped,
        )

        return immediate_firings
