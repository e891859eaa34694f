from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.intervention_field_type import InterventionFieldType

if TYPE_CHECKING:
    from ..models.intervention_field_option import InterventionFieldOption


T = TypeVar("T", bound="InterventionField")


@_attrs_define
class InterventionField:
    """
    Attributes:
        key (str):
        label (str):
        type_ (InterventionFieldType):
        required (bool):
        options (list[InterventionFieldOption]):
        help_text (str):
    """

    key: str
    label: str
    type_: InterventionFieldType
    required: bool
    options: list[InterventionFieldOption]
    help_text: str

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        label = self.label

        type_ = self.type_.value

        required = self.required

        options = []
        for options_item_data in self.options:
            options_item = options_item_data.to_dict()
            options.append(options_item)

        help_text = self.help_text

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "key": key,
                "label": label,
                "type": type_,
                "required": required,
                "options": options,
                "help_text": help_text,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.intervention_field_option import InterventionFieldOption  # noqa: PLC0415

        d = dict(src_dict)
        key = d.pop("key")

        label = d.pop("label")

        type_ = InterventionFieldType(d.pop("type"))

        required = d.pop("required")

        options = []
        _options = d.pop("options")
        for options_item_data in _options:
            options_item = InterventionFieldOption.from_dict(options_item_data)

            options.append(options_item)

        help_text = d.pop("help_text")

        intervention_field = cls(
            key=key,
            label=label,
            type_=type_,
            required=required,
            options=options,
            help_text=help_text,
        )

        return intervention_field
