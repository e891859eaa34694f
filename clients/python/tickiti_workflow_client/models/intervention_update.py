from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.form_field import FormField


T = TypeVar("T", bound="InterventionUpdate")


@_attrs_define
class InterventionUpdate:
    """
    Attributes:
        intervention_id (int):
        expected_version (int | None | Unset):
        name (str | Unset):
        description (None | str | Unset):
        enabled (bool | Unset):
        remote_url (str | Unset): An absolute https:// URL whose host is not localhost or a private, loopback, link-
            local or unspecified IP literal.
        fields (list[FormField] | Unset):
    """

    intervention_id: int
    expected_version: int | None | Unset = UNSET
    name: str | Unset = UNSET
    description: None | str | Unset = UNSET
    enabled: bool | Unset = UNSET
    remote_url: str | Unset = UNSET
    fields: list[FormField] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        intervention_id = self.intervention_id

        expected_version: int | None | Unset
        if isinstance(self.expected_version, Unset):
            expected_version = UNSET
        else:
            expected_version = self.expected_version

        name = self.name

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        enabled = self.enabled

        remote_url = self.remote_url

        fields: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.fields, Unset):
            fields = []
            for fields_item_data in self.fields:
                fields_item = fields_item_data.to_dict()
                fields.append(fields_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "intervention_id": intervention_id,
            }
        )
        if expected_version is not UNSET:
            field_dict["expected_version"] = expected_version
        if name is not UNSET:
            field_dict["name"] = name
        if description is not UNSET:
            field_dict["description"] = description
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if remote_url is not UNSET:
            field_dict["remote_url"] = remote_url
        if fields is not UNSET:
            field_dict["fields"] = fields

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.form_field import FormField  # noqa: PLC0415

        d = dict(src_dict)
        intervention_id = d.pop("intervention_id")

        def _parse_expected_version(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        expected_version = _parse_expected_version(d.pop("expected_version", UNSET))

        name = d.pop("name", UNSET)

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        enabled = d.pop("enabled", UNSET)

        remote_url = d.pop("remote_url", UNSET)

        _fields = d.pop("fields", UNSET)
        fields: list[FormField] | Unset = UNSET
        if _fields is not UNSET:
            fields = []
            for fields_item_data in _fields:
                fields_item = FormField.from_dict(fields_item_data)

                fields.append(fields_item)

        intervention_update = cls(
            intervention_id=intervention_id,
            expected_version=expected_version,
            name=name,
            description=description,
            enabled=enabled,
            remote_url=remote_url,
            fields=fields,
        )

        return intervention_update
