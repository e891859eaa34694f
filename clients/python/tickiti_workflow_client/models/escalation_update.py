from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.conditions import Conditions
    from ..models.move_to_queue import MoveToQueue
    from ..models.notify_users import NotifyUsers
    from ..models.set_priority import SetPriority
    from ..models.target import Target


T = TypeVar("T", bound="EscalationUpdate")


@_attrs_define
class EscalationUpdate:
    """
    Attributes:
        id (int):
        expected_version (int | None | Unset):
        name (str | Unset):
        enabled (bool | Unset):
        position (int | Unset):
        conditions (Conditions | Unset):
        target (Target | Unset):
        actions (list[MoveToQueue | NotifyUsers | SetPriority] | Unset):
    """

    id: int
    expected_version: int | None | Unset = UNSET
    name: str | Unset = UNSET
    enabled: bool | Unset = UNSET
    position: int | Unset = UNSET
    conditions: Conditions | Unset = UNSET
    target: Target | Unset = UNSET
    actions: list[MoveToQueue | NotifyUsers | SetPriority] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.move_to_queue import MoveToQueue  # noqa: PLC0415
        from ..models.set_priority import SetPriority  # noqa: PLC0415

        id = self.id

        expected_version: int | None | Unset
        if isinstance(self.expected_version, Unset):
            expected_version = UNSET
        else:
            expected_version = self.expected_version

        name = self.name

        enabled = self.enabled

        position = self.position

        conditions: dict[str, Any] | Unset = UNSET
        if not isinstance(self.conditions, Unset):
            conditions = self.conditions.to_dict()

        target: dict[str, Any] | Unset = UNSET
        if not isinstance(self.target, Unset):
            target = self.target.to_dict()

        actions: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.actions, Unset):
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
            }
        )
        if expected_version is not UNSET:
            field_dict["expected_version"] = expected_version
        if name is not UNSET:
            field_dict["name"] = name
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if position is not UNSET:
            field_dict["position"] = position
        if conditions is not UNSET:
            field_dict["conditions"] = conditions
        if target is not UNSET:
            field_dict["target"] = target
        if actions is not UNSET:
            field_dict["actions"] = actions

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.conditions import Conditions  # noqa: PLC0415
        from ..models.move_to_queue import MoveToQueue  # noqa: PLC0415
        from ..models.notify_users import NotifyUsers  # noqa: PLC0415
        from ..models.set_priority import SetPriority  # noqa: PLC0415
        from ..models.target import Target  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        def _parse_expected_version(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        expected_version = _parse_expected_version(d.pop("expected_version", UNSET))

        name = d.pop("name", UNSET)

        enabled = d.pop("enabled", UNSET)

        position = d.pop("position", UNSET)

        _conditions = d.pop("conditions", UNSET)
        conditions: Conditions | Unset
        if isinstance(_conditions, Unset):
            conditions = UNSET
        else:
            conditions = Conditions.from_dict(_conditions)

        _target = d.pop("target", UNSET)
        target: Target | Unset
        if isinstance(_target, Unset):
            target = UNSET
        else:
            target = Target.from_dict(_target)

        _actions = d.pop("actions", UNSET)
        actions: list[MoveToQueue | NotifyUsers | SetPriority] | Unset = UNSET
        if _actions is not UNSET:
            actions = []
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

        escalation_update = cls(
            id=id,
            expected_version=expected_version,
            name=name,
            enabled=enabled,
            position=position,
            conditions=conditions,
            target=target,
            actions=actions,
        )

        return escalation_update
