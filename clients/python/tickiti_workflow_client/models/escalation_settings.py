from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="EscalationSettings")


@_attrs_define
class EscalationSettings:
    """
    Attributes:
        pause_statuses (list[str]):
        version (int):
        updated_at (datetime.datetime):
    """

    pause_statuses: list[str]
    version: int
    updated_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        pause_statuses = self.pause_statuses

        version = self.version

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "pause_statuses": pause_statuses,
                "version": version,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        pause_statuses = cast(list[str], d.pop("pause_statuses"))

        version = d.pop("version")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        escalation_settings = cls(
            pause_statuses=pause_statuses,
            version=version,
            updated_at=updated_at,
        )

        return escalation_settings
