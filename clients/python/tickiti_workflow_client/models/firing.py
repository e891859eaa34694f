from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.move_to_queue import MoveToQueue
    from ..models.notify_users import NotifyUsers
    from ..models.set_priority import SetPriority


T = TypeVar("T", bound="Firing")


@_attrs_define
class Firing:
    """
    Attributes:
        id (int):
        ticket_id (int):
        escalation_id (int):
        escalation_version (int):
        metric (str):
        cycle (int):
        due_at (datetime.datetime):
        fired_at (datetime.datetime):
        lag_seconds (float):
        actions (list[MoveToQueue | NotifyUsers | SetPriority]):
    """

    id: int
    ticket_id: int
    escalation_id: int
    escalation_version: int
    metric: str
    cycle: int
    due_at: datetime.datetime
    fired_at: datetime.datetime
    lag_seconds: float
    actions: list[MoveToQueue | NotifyUsers | SetPriority]

    def to_dict(self) -> dict[str, Any]:
        from ..models.move_to_queue import MoveToQueue  # noqa: PLC0415
        from ..models.set_priority import SetPriority  # noqa: PLC0415

        id = self.id

        ticket_id = self.ticket_id

        escalation_id = self.escalation_id

        escalation_version = self.escalation_version

        metric = self.metric

        cycle = self.cycle

        due_at = self.due_at.isoformat()

        fired_at = self.fired_at.isoformat()

        lag_seconds = self.lag_seconds

        actions = []
        for actions_item_data in self.actions:
            actions_item: dict[str, Any]
            if isinstance(actions_item_data, MoveToQueue):
                actions_item = actions_item_data.to_dict()
            elif isinstance(actions_item_data, SetPriority):
                actions_item = actions_item_data.to_dict()
            else:
                actions_item = actions_item_data.to_dict()

            actions.append(actions_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "ticket_id": ticket_id,
                "escalation_id": escalation_id,
                "escalation_version": escalation_version,
                "metric": metric,
                "cycle": cycle,
                "due_at": due_at,
                "fired_at": fired_at,
                "lag_seconds": lag_seconds,
                "actions": actions,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.move_to_queue import MoveToQueue  # noqa: PLC0415
        from ..models.notify_users import NotifyUsers  # noqa: PLC0415
        from ..models.set_priority import SetPriority  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        ticket_id = d.pop("ticket_id")

        escalation_id = d.pop("escalation_id")

        escalation_version = d.pop("escalation_version")

        metric = d.pop("metric")

        cycle = d.pop("cycle")

        due_at = datetime.datetime.fromisoformat(d.pop("due_at"))

        fired_at = datetime.datetime.fromisoformat(d.pop("fired_at"))

        lag_seconds = d.pop("lag_seconds")

        actions = []
        _actions = d.pop("actions")
        for actions_item_data in _actions:

            def _parse_actions_item(data: object) -> MoveToQueue | NotifyUsers | SetPriority:
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    actions_item_type_0 = MoveToQueue.from_dict(data)

                    return actions_item_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    actions_item_type_1 = SetPriority.from_dict(data)

                    return actions_item_type_1
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                actions_item_type_2 = NotifyUsers.from_dict(data)

                return actions_item_type_2

            actions_item = _parse_actions_item(actions_item_data)

            actions.append(actions_item)

        firing = cls(
            id=id,
            ticket_id=ticket_id,
            escalation_id=escalation_id,
            escalation_version=escalation_version,
            metric=metric,
            cycle=cycle,
            due_at=due_at,
            fired_at=fired_at,
            lag_seconds=lag_seconds,
            actions=actions,
        )

        return firing
