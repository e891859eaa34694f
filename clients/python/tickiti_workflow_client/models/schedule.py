from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.interval import Interval


T = TypeVar("T", bound="Schedule")


@_attrs_define
class Schedule:
    """
    Attributes:
        monday (list[Interval] | Unset):
        tuesday (list[Interval] | Unset):
        wednesday (list[Interval] | Unset):
        thursday (list[Interval] | Unset):
        friday (list[Interval] | Unset):
        saturday (list[Interval] | Unset):
        sunday (list[Interval] | Unset):
    """

    monday: list[Interval] | Unset = UNSET
    tuesday: list[Interval] | Unset = UNSET
    wednesday: list[Interval] | Unset = UNSET
    thursday: list[Interval] | Unset = UNSET
    friday: list[Interval] | Unset = UNSET
    saturday: list[Interval] | Unset = UNSET
    sunday: list[Interval] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        monday: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.monday, Unset):
            monday = []
            for monday_item_data in self.monday:
                monday_item = monday_item_data.to_dict()
                monday.append(monday_item)

        tuesday: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.tuesday, Unset):
            tuesday = []
            for tuesday_item_data in self.tuesday:
                tuesday_item = tuesday_item_data.to_dict()
                tuesday.append(tuesday_item)

        wednesday: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.wednesday, Unset):
            wednesday = []
            for wednesday_item_data in self.wednesday:
                wednesday_item = wednesday_item_data.to_dict()
                wednesday.append(wednesday_item)

        thursday: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.thursday, Unset):
            thursday = []
            for thursday_item_data in self.thursday:
                thursday_item = thursday_item_data.to_dict()
                thursday.append(thursday_item)

        friday: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.friday, Unset):
            friday = []
            for friday_item_data in self.friday:
                friday_item = friday_item_data.to_dict()
                friday.append(friday_item)

        saturday: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.saturday, Unset):
            saturday = []
            for saturday_item_data in self.saturday:
                saturday_item = saturday_item_data.to_dict()
                saturday.append(saturday_item)

        sunday: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.sunday, Unset):
            sunday = []
            for sunday_item_data in self.sunday:
                sunday_item = sunday_item_data.to_dict()
                sunday.append(sunday_item)

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if monday is not UNSET:
            field_dict["monday"] = monday
        if tuesday is not UNSET:
            field_dict["tuesday"] = tuesday
        if wednesday is not UNSET:
            field_dict["wednesday"] = wednesday
        if thursday is not UNSET:
            field_dict["thursday"] = thursday
        if friday is not UNSET:
            field_dict["friday"] = friday
        if saturday is not UNSET:
            field_dict["saturday"] = saturday
        if sunday is not UNSET:
            field_dict["sunday"] = sunday

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.interval import Interval  # noqa: PLC0415

        d = dict(src_dict)
        _monday = d.pop("monday", UNSET)
        monday: list[Interval] | Unset = UNSET
        if _monday is not UNSET:
            monday = []
            for monday_item_data in _monday:
                monday_item = Interval.from_dict(monday_item_data)

                monday.append(monday_item)

        _tuesday = d.pop("tuesday", UNSET)
        tuesday: list[Interval] | Unset = UNSET
        if _tuesday is not UNSET:
            tuesday = []
            for tuesday_item_data in _tuesday:
                tuesday_item = Interval.from_dict(tuesday_item_data)

                tuesday.append(tuesday_item)

        _wednesday = d.pop("wednesday", UNSET)
        wednesday: list[Interval] | Unset = UNSET
        if _wednesday is not UNSET:
            wednesday = []
            for wednesday_item_data in _wednesday:
                wednesday_item = Interval.from_dict(wednesday_item_data)

                wednesday.append(wednesday_item)

        _thursday = d.pop("thursday", UNSET)
        thursday: list[Interval] | Unset = UNSET
        if _thursday is not UNSET:
            thursday = []
            for thursday_item_data in _thursday:
                thursday_item = Interval.from_dict(thursday_item_data)

                thursday.append(thursday_item)

        _friday = d.pop("friday", UNSET)
        friday: list[Interval] | Unset = UNSET
        if _friday is not UNSET:
            friday = []
            for friday_item_data in _friday:
                friday_item = Interval.from_dict(friday_item_data)

                friday.append(friday_item)

        _saturday = d.pop("saturday", UNSET)
        saturday: list[Interval] | Unset = UNSET
        if _saturday is not UNSET:
            saturday = []
            for saturday_item_data in _saturday:
                saturday_item = Interval.from_dict(saturday_item_data)

                saturday.append(saturday_item)

        _sunday = d.pop("sunday", UNSET)
        sunday: list[Interval] | Unset = UNSET
        if _sunday is not UNSET:
            sunday = []
            for sunday_item_data in _sunday:
                sunday_item = Interval.from_dict(sunday_item_data)

                sunday.append(sunday_item)

        schedule = cls(
            monday=monday,
            tuesday=tuesday,
            wednesday=wednesday,
            thursday=thursday,
            friday=friday,
            saturday=saturday,
            sunday=sunday,
        )

        return schedule
