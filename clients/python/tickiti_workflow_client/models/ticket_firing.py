from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.move_to_queue import MoveToQueue
    from ..models.notify_users import NotifyUsers
    from ..models.set_priority import SetPriority


T = TypeVar("T", bound="TicketFiring")


@_attrs_define
class TicketFiring:
    """
    Attributes:
        id (int):
        escalation_id (int):
        escalation_version (int):
        metric (str):
        cycle (int):
        due_at (datetime.datetime):
        fired_at (datetime.datetime):
        actions (list[MoveToQueue | NotifyUsers | SetPriority]):
    """

    id: int
    escalation_id: int
    escalation_version: int
    metric: str
    cycle: int
    due_at: datetime.datetime
    fired_at: datetime.datetime
    actions: list[MoveToQueue | NotifyUsers | SetPriority]

    def to_dict(self) -> dict[str, Any]:
        from ..models.move_to_queue import MoveToQueue  # noqa: PLC0415
        from ..models.set_priority import SetPriority  # noqa: PLC0415

        id = self.id

        escalation_id = self.escalation_id

        escalation_version = self.escalation_version

        metric = self.metric

        cycle = self.cycle

        due_at = self.due_at.isoformat()

        fired_at = self.fired_at.isoformat()

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
                "escalation_id": escalation_id,
                "escalation_version": escalation_version,
                "metric": metric,
                "cycle": cycle,
                "due_at": due_at,
                "fired_at": fired_at,
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

        escalation_id = d.pop("escalation_id")

        escalation_version = d.pop("escalation_version")

        metric = d.pop("metric")

        cycle = d.pop("cycle")

        due_at = datetime.datetime.fromisoformat(d.pop("due_at"))

        fired_at = datetime.datetime.fromisoformat(d.pop("fired_at"))

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

        ticket_firing = cls(
            id=id,
            escalation_id=escalation_id,
            escalation_version=escalation_version,
            metric=metric,
            cycle=cycle,
            due_at=due_at,
            fired_at=fired_at,
            actions=actions,
        )

        return ticket_firing
