from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.form_field_type import FormFieldType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.field_option import FieldOption


T = TypeVar("T", bound="FormField")


@_attrs_define
class FormField:
    """
    Attributes:
        key (str):
        label (str):
        type_ (FormFieldType):
        required (bool | Unset):  Default: False.
        options (list[FieldOption] | None | Unset):
        help_text (str | Unset):  Default: ''.
    """

    key: str
    label: str
    type_: FormFieldType
    required: bool | Unset = False
    options: list[FieldOption] | None | Unset = UNSET
    help_text: str | Unset = ""

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        label = self.label

        type_ = self.type_.value

        required = self.required

        options: list[dict[str, Any]] | None | Unset
        if isinstance(self.options, Unset):
            options = UNSET
        elif isinstance(self.options, list):
            options = []
            for options_type_0_item_data in self.options:
                options_type_0_item = options_type_0_item_data.to_dict()
                options.append(options_type_0_item)

        else:
            options = self.options

        help_text = self.help_text

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "key": key,
                "label": label,
                "type": type_,
            }
        )
        if required is not UNSET:
            field_dict["required"] = required
        if options is not UNSET:
            field_dict["options"] = options
        if help_text is not UNSET:
            field_dict["help_text"] = help_text

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.field_option import FieldOption  # noqa: PLC0415

        d = dict(src_dict)
        key = d.pop("key")

        label = d.pop("label")

        type_ = FormFieldType(d.pop("type"))

        required = d.pop("required", UNSET)

        def _parse_options(data: object) -> list[FieldOption] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                options_type_0 = []
                _options_type_0 = data
                for options_type_0_item_data in _options_type_0:
                    options_type_0_item = FieldOption.from_dict(options_type_0_item_data)

                    options_type_0.append(options_type_0_item)

                return options_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[FieldOption] | None | Unset, data)

        options = _parse_options(d.pop("options", UNSET))

        help_text = d.pop("help_text", UNSET)

        form_field = cls(
            key=key,
            label=label,
            type_=type_,
            required=required,
            options=options,
            help_text=help_text,
        )

        return form_field
