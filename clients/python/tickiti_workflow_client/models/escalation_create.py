from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.conditions import Conditions
    from ..models.move_to_queue import MoveToQueue
    from ..models.notify_users import NotifyUsers
    from ..models.set_priority import SetPriority
    from ..models.target import Target


T = TypeVar("T", bound="EscalationCreate")


@_attrs_define
class EscalationCreate:
    """
    Attributes:
        name (str):
        target (Target):
        actions (list[MoveToQueue | NotifyUsers | SetPriority]):
        enabled (bool | Unset):  Default: True.
        conditions (Conditions | Unset):
    """

    name: str
    target: Target
    actions: list[MoveToQueue | NotifyUsers | SetPriority]
    enabled: bool | Unset = True
    conditions: Conditions | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.move_to_queue import MoveToQueue  # noqa: PLC0415
        from ..models.set_priority import SetPriority  # noqa: PLC0415

        name = self.name

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

        enabled = self.enabled

        conditions: dict[str, Any] | Unset = UNSET
        if not isinstance(self.conditions, Unset):
            conditions = self.conditions.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "target": target,
                "actions": actions,
            }
        )
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if conditions is not UNSET:
            field_dict["conditions"] = conditions

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.conditions import Conditions  # noqa: PLC0415
        from ..models.move_to_queue import MoveToQueue  # noqa: PLC0415
        from ..models.notify_users import NotifyUsers  # noqa: PLC0415
        from ..models.set_priority import SetPriority  # noqa: PLC0415
        from ..models.target import Target  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        target = Target.from_dict(d.pop("target"))

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

        enabled = d.pop("enabled", UNSET)

        _conditions = d.pop("conditions", UNSET)
        conditions: Conditions | Unset
        if isinstance(_conditions, Unset):
            conditions = UNSET
        else:
            conditions = Conditions.from_dict(_conditions)

        escalation_create = cls(
            name=name,
            target=target,
            actions=actions,
            enabled=enabled,
            conditions=conditions,
        )

        return escalation_create
