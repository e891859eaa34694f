from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.escalation import Escalation


T = TypeVar("T", bound="EscalationEnvelope")


@_attrs_define
class EscalationEnvelope:
    """
    Attributes:
        escalation (Escalation):
    """

    escalation: Escalation

    def to_dict(self) -> dict[str, Any]:
        escalation = self.escalation.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "escalation": escalation,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.escalation import Escalation  # noqa: PLC0415

        d = dict(src_dict)
        escalation = Escalation.from_dict(d.pop("escalation"))

        escalation_envelope = cls(
            escalation=escalation,
        )

        return escalation_envelope
