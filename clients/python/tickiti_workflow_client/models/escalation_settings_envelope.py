from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.escalation_recompute import EscalationRecompute
    from ..models.escalation_settings import EscalationSettings


T = TypeVar("T", bound="EscalationSettingsEnvelope")


@_attrs_define
class EscalationSettingsEnvelope:
    """
    Attributes:
        escalation_settings (EscalationSettings):
        recompute (EscalationRecompute | None):
    """

    escalation_settings: EscalationSettings
    recompute: EscalationRecompute | None

    def to_dict(self) -> dict[str, Any]:
        from ..models.escalation_recompute import EscalationRecompute  # noqa: PLC0415

        escalation_settings = self.escalation_settings.to_dict()

        recompute: dict[str, Any] | None
        if isinstance(self.recompute, EscalationRecompute):
            recompute = self.recompute.to_dict()
        else:
            recompute = self.recompute

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "escalation_settings": escalation_settings,
                "recompute": recompute,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.escalation_recompute import EscalationRecompute  # noqa: PLC0415
        from ..models.escalation_settings import EscalationSettings  # noqa: PLC0415

        d = dict(src_dict)
        escalation_settings = EscalationSettings.from_dict(d.pop("escalation_settings"))

        def _parse_recompute(data: object) -> EscalationRecompute | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                recompute_type_0 = EscalationRecompute.from_dict(data)

                return recompute_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EscalationRecompute | None, data)

        recompute = _parse_recompute(d.pop("recompute"))

        escalation_settings_envelope = cls(
            escalation_settings=escalation_settings,
            recompute=recompute,
        )

        return escalation_settings_envelope
