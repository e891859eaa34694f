from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.clock import Clock
    from ..models.explained_ticket import ExplainedTicket
    from ..models.ticket_firing import TicketFiring


T = TypeVar("T", bound="Explanation")


@_attrs_define
class Explanation:
    """
    Attributes:
        ticket (ExplainedTicket):
        evaluated_at (datetime.datetime):
        pause_statuses (list[str]):
        clocks (list[Clock]):
        firings (list[TicketFiring]):
    """

    ticket: ExplainedTicket
    evaluated_at: datetime.datetime
    pause_statuses: list[str]
    clocks: list[Clock]
    firings: list[TicketFiring]

    def to_dict(self) -> dict[str, Any]:
        ticket = self.ticket.to_dict()

        evaluated_at = self.evaluated_at.isoformat()

        pause_statuses = self.pause_statuses

        clocks = []
        for clocks_item_data in self.clocks:
            clocks_item = clocks_item_data.to_dict()
            clocks.append(clocks_item)

        firings = []
        for firings_item_data in self.firings:
            firings_item = firings_item_data.to_dict()
            firings.append(firings_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "ticket": ticket,
                "evaluated_at": evaluated_at,
                "pause_statuses": pause_statuses,
                "clocks": clocks,
                "firings": firings,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.clock import Clock  # noqa: PLC0415
        from ..models.explained_ticket import ExplainedTicket  # noqa: PLC0415
        from ..models.ticket_firing import TicketFiring  # noqa: PLC0415

        d = dict(src_dict)
        ticket = ExplainedTicket.from_dict(d.pop("ticket"))

        evaluated_at = datetime.datetime.fromisoformat(d.pop("evaluated_at"))

        pause_statuses = cast(list[str], d.pop("pause_statuses"))

        clocks = []
        _clocks = d.pop("clocks")
        for clocks_item_data in _clocks:
            clocks_item = Clock.from_dict(clocks_item_data)

            clocks.append(clocks_item)

        firings = []
        _firings = d.pop("firings")
        for firings_item_data in _firings:
            firings_item = TicketFiring.from_dict(firings_item_data)

            firings.append(firings_item)

        explanation = cls(
            ticket=ticket,
            evaluated_at=evaluated_at,
            pause_statuses=pause_statuses,
            clocks=clocks,
            firings=firings,
        )

        return explanation
