from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="FiringQuery")


@_attrs_define
class FiringQuery:
    """
    Attributes:
        escalation_id (int | None | Unset):
        ticket_id (int | None | Unset):
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):
    """

    escalation_id: int | None | Unset = UNSET
    ticket_id: int | None | Unset = UNSET
    limit: int | Unset = 50
    cursor: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        escalation_id: int | None | Unset
        if isinstance(self.escalation_id, Unset):
            escalation_id = UNSET
        else:
            escalation_id = self.escalation_id

        ticket_id: int | None | Unset
        if isinstance(self.ticket_id, Unset):
            ticket_id = UNSET
        else:
            ticket_id = self.ticket_id

        limit = self.limit

        cursor: None | str | Unset
        if isinstance(self.cursor, Unset):
            cursor = UNSET
        else:
            cursor = self.cursor

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if escalation_id is not UNSET:
            field_dict["escalation_id"] = escalation_id
        if ticket_id is not UNSET:
            field_dict["ticket_id"] = ticket_id
        if limit is not UNSET:
            field_dict["limit"] = limit
        if cursor is not UNSET:
            field_dict["cursor"] = cursor

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_escalation_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        escalation_id = _parse_escalation_id(d.pop("escalation_id", UNSET))

        def _parse_ticket_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        ticket_id = _parse_ticket_id(d.pop("ticket_id", UNSET))

        limit = d.pop("limit", UNSET)

        def _parse_cursor(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        cursor = _parse_cursor(d.pop("cursor", UNSET))

        firing_query = cls(
            escalation_id=escalation_id,
            ticket_id=ticket_id,
            limit=limit,
            cursor=cursor,
        )

        return firing_query
