from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.intervention_field import InterventionField


T = TypeVar("T", bound="Intervention")


@_attrs_define
class Intervention:
    """
    Attributes:
        id (int):
        name (str):
        description (str):
        enabled (bool):
        remote_url (str):
        fields (list[InterventionField]):
        has_remote_token (bool):
        remote_token_hint (None | str):
        remote_token_created_at (datetime.datetime | None):
        remote_token_last_used_at (datetime.datetime | None):
        version (int):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    id: int
    name: str
    description: str
    enabled: bool
    remote_url: str
    fields: list[InterventionField]
    has_remote_token: bool
    remote_token_hint: None | str
    remote_token_created_at: datetime.datetime | None
    remote_token_last_used_at: datetime.datetime | None
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        description = self.description

        enabled = self.enabled

        remote_url = self.remote_url

        fields = []
        for fields_item_data in self.fields:
            fields_item = fields_item_data.to_dict()
            fields.append(fields_item)

        has_remote_token = self.has_remote_token

        remote_token_hint: None | str
        remote_token_hint = self.remote_token_hint

        remote_token_created_at: None | str
        if isinstance(self.remote_token_created_at, datetime.datetime):
            remote_token_created_at = self.remote_token_created_at.isoformat()
        else:
            remote_token_created_at = self.remote_token_created_at

        remote_token_last_used_at: None | str
        if isinstance(self.remote_token_last_used_at, datetime.datetime):
            remote_token_last_used_at = self.remote_token_last_used_at.isoformat()
        else:
            remote_token_last_used_at = self.remote_token_last_used_at

        version = self.version

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "name": name,
                "description": description,
                "enabled": enabled,
                "remote_url": remote_url,
                "fields": fields,
                "has_remote_token": has_remote_token,
                "remote_token_hint": remote_token_hint,
                "remote_token_created_at": remote_token_created_at,
                "remote_token_last_used_at": remote_token_last_used_at,
                "version": version,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.intervention_field import InterventionField  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        description = d.pop("description")

        enabled = d.pop("enabled")

        remote_url = d.pop("remote_url")

        fields = []
        _fields = d.pop("fields")
        for fields_item_data in _fields:
            fields_item = InterventionField.from_dict(fields_item_data)

            fields.append(fields_item)

        has_remote_token = d.pop("has_remote_token")

        def _parse_remote_token_hint(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        remote_token_hint = _parse_remote_token_hint(d.pop("remote_token_hint"))

        def _parse_remote_token_created_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                remote_token_created_at_type_0 = datetime.datetime.fromisoformat(data)

                return remote_token_created_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        remote_token_created_at = _parse_remote_token_created_at(d.pop("remote_token_created_at"))

        def _parse_remote_token_last_used_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                remote_token_last_used_at_type_0 = datetime.datetime.fromisoformat(data)

                return remote_token_last_used_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        remote_token_last_used_at = _parse_remote_token_last_used_at(d.pop("remote_token_last_used_at"))

        version = d.pop("version")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        intervention = cls(
            id=id,
            name=name,
            description=description,
            enabled=enabled,
            remote_url=remote_url,
            fields=fields,
            has_remote_token=has_remote_token,
            remote_token_hint=remote_token_hint,
            remote_token_created_at=remote_token_created_at,
            remote_token_last_used_at=remote_token_last_used_at,
            version=version,
            created_at=created_at,
            updated_at=updated_at,
        )

        return intervention
