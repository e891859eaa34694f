from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.escalation import Escalation
    from ..models.immediate_firings import ImmediateFirings


T = TypeVar("T", bound="EscalationEnvelope")


@_attrs_define
class EscalationEnvelope:
    """
    Attributes:
        escalation (Escalation):
        would_fire_immediately (ImmediateFirings):
    """

    escalation: Escalation
    would_fire_immediately: ImmediateFirings

    def to_dict(self) -> dict[str, Any]:
        escalation = self.escalation.to_dict()

        would_fire_immediately = self.would_fire_immediately.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "escalation": escalation,
                "would_fire_immediately": would_fire_immediately,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.escalation import Escalation  # noqa: PLC0415
        from ..models.immediate_firings import ImmediateFirings  # noqa: PLC0415

        d = dict(src_dict)
        escalation = Escalation.from_dict(d.pop("escalation"))

        would_fire_immediately = ImmediateFirings.from_dict(d.pop("would_fire_immediately"))

        escalation_envelope = cls(
            escalation=escalation,
            would_fire_immediately=would_fire_immediately,
        )

        return escalation_envelope
