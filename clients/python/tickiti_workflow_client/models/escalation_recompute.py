from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="EscalationRecompute")


@_attrs_define
class EscalationRecompute:
    """
    Attributes:
        requested_at (datetime.datetime):
        queued (int):
        finished_at (datetime.datetime | None):
    """

    requested_at: datetime.datetime
    queued: int
    finished_at: datetime.datetime | None

    def to_dict(self) -> dict[str, Any]:
        requested_at = self.requested_at.isoformat()

        queued = self.queued

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "requested_at": requested_at,
                "queued": queued,
                "finished_at": finished_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        requested_at = datetime.datetime.fromisoformat(d.pop("requested_at"))

        queued = d.pop("queued")

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        escalation_recompute = cls(
            requested_at=requested_at,
            queued=queued,
            finished_at=finished_at,
        )

        return escalation_recompute
