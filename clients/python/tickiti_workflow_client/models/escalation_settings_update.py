from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="EscalationSettingsUpdate")


@_attrs_define
class EscalationSettingsUpdate:
    """
    Attributes:
        expected_version (int | None | Unset):
        pause_statuses (list[str] | Unset):
    """

    expected_version: int | None | Unset = UNSET
    pause_statuses: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        expected_version: int | None | Unset
        if isinstance(self.expected_version, Unset):
            expected_version = UNSET
        else:
            expected_version = self.expected_version

        pause_statuses: list[str] | Unset = UNSET
        if not isinstance(self.pause_statuses, Unset):
            pause_statuses = self.pause_statuses

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if expected_version is not UNSET:
            field_dict["expected_version"] = expected_version
        if pause_statuses is not UNSET:
            field_dict["pause_statuses"] = pause_statuses

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_expected_version(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        expected_version = _parse_expected_version(d.pop("expected_version", UNSET))

        pause_statuses = cast(list[str], d.pop("pause_statuses", UNSET))

        escalation_settings_update = cls(
            expected_version=expected_version,
            pause_statuses=pause_statuses,
        )

        return escalation_settings_update
