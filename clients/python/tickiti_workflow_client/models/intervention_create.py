from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.form_field import FormField


T = TypeVar("T", bound="InterventionCreate")


@_attrs_define
class InterventionCreate:
    """
    Attributes:
        name (str):
        remote_url (str): An absolute https:// URL whose host is not localhost or a private, loopback, link-local or
            unspecified IP literal.
        description (None | str | Unset):  Default: ''.
        enabled (bool | Unset):  Default: True.
        fields (list[FormField] | Unset):
    """

    name: str
    remote_url: str
    description: None | str | Unset = ""
    enabled: bool | Unset = True
    fields: list[FormField] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        remote_url = self.remote_url

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        enabled = self.enabled

        fields: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.fields, Unset):
            fields = []
            for fields_item_data in self.fields:
                fields_item = fields_item_data.to_dict()
                fields.append(fields_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "remote_url": remote_url,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if fields is not UNSET:
            field_dict["fields"] = fields

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.form_field import FormField  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        remote_url = d.pop("remote_url")

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        enabled = d.pop("enabled", UNSET)

        _fields = d.pop("fields", UNSET)
        fields: list[FormField] | Unset = UNSET
        if _fields is not UNSET:
            fields = []
            for fields_item_data in _fields:
                fields_item = FormField.from_dict(fields_item_data)

                fields.append(fields_item)

        intervention_create = cls(
            name=name,
            remote_url=remote_url,
            description=description,
            enabled=enabled,
            fields=fields,
        )

        return intervention_create
