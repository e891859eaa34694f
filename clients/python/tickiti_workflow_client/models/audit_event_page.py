from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.audit_event import AuditEvent


T = TypeVar("T", bound="AuditEventPage")


@_attrs_define
class AuditEventPage:
    """
    Attributes:
        audit_events (list[AuditEvent]):
        next_cursor (None | str):
    """

    audit_events: list[AuditEvent]
    next_cursor: None | str

    def to_dict(self) -> dict[str, Any]:
        audit_events = []
        for audit_events_item_data in self.audit_events:
            audit_events_item = audit_events_item_data.to_dict()
            audit_events.append(audit_events_item)

        next_cursor: None | str
        next_cursor = self.next_cursor

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "audit_events": audit_events,
                "next_cursor": next_cursor,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.audit_event import AuditEvent  # noqa: PLC0415

        d = dict(src_dict)
        audit_events = []
        _audit_events = d.pop("audit_events")
        for audit_events_item_data in _audit_events:
            audit_events_item = AuditEvent.from_dict(audit_events_item_data)

            audit_events.append(audit_events_item)

        def _parse_next_cursor(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        next_cursor = _parse_next_cursor(d.pop("next_cursor"))

        audit_event_page = cls(
            audit_events=audit_events,
            next_cursor=next_cursor,
        )

        return audit_event_page
