from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="RemoteTokenMinted")


@_attrs_define
class RemoteTokenMinted:
    """
    Attributes:
        intervention_id (int):
        remote_token (None | str):
        remote_token_hint (str):
        created_at (datetime.datetime):
    """

    intervention_id: int
    remote_token: None | str
    remote_token_hint: str
    created_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        intervention_id = self.intervention_id

        remote_token: None | str
        remote_token = self.remote_token

        remote_token_hint = self.remote_token_hint

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "intervention_id": intervention_id,
                "remote_token": remote_token,
                "remote_token_hint": remote_token_hint,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        intervention_id = d.pop("intervention_id")

        def _parse_remote_token(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        remote_token = _parse_remote_token(d.pop("remote_token"))

        remote_token_hint = d.pop("remote_token_hint")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        remote_token_minted = cls(
            intervention_id=intervention_id,
            remote_token=remote_token,
            remote_token_hint=remote_token_hint,
            created_at=created_at,
        )

        return remote_token_minted
