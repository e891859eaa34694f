from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.escalation_conditions import EscalationConditions
    from ..models.escalation_target import EscalationTarget
    from ..models.move_to_queue import MoveToQueue
    from ..models.notify_users import NotifyUsers
    from ..models.set_priority import SetPriority


T = TypeVar("T", bound="Escalation")


@_attrs_define
class Escalation:
    """
    Attributes:
        id (int):
        name (str):
        enabled (bool):
        position (int):
        conditions (EscalationConditions):
        target (EscalationTarget):
        actions (list[MoveToQueue | NotifyUsers | SetPriority]):
        version (int):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    id: int
    name: str
    enabled: bool
    position: int
    conditions: EscalationConditions
    target: EscalationTarget
    actions: list[MoveToQueue | NotifyUsers | SetPriority]
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        from ..models.move_to_queue import MoveToQueue  # noqa: PLC0415
        from ..models.set_priority import SetPriority  # noqa: PLC0415

        id = self.id

        name = self.name

        enabled = self.enabled

        position = self.position

        conditions = self.conditions.to_dict()

        target = self.target.to_dict()

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

        version = self.version

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "name": name,
                "enabled": enabled,
                "position": position,
                "conditions": conditions,
                "target": target,
                "actions": actions,
                "version": version,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.escalation_conditions import EscalationConditions  # noqa: PLC0415
        from ..models.escalation_target import EscalationTarget  # noqa: PLC0415
        from ..models.move_to_queue import MoveToQueue  # noqa: PLC0415
        from ..models.notify_users import NotifyUsers  # noqa: PLC0415
        from ..models.set_priority import SetPriority  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        enabled = d.pop("enabled")

        position = d.pop("position")

        conditions = EscalationConditions.from_dict(d.pop("conditions"))

        target = EscalationTarget.from_dict(d.pop("target"))

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

        version = d.pop("version")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        escalation = cls(
            id=id,
            name=name,
            enabled=enabled,
            position=position,
            conditions=conditions,
            target=target,
            actions=actions,
            version=version,
            created_at=created_at,
            updated_at=updated_at,
        )

        return escalation
