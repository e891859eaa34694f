from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.notify_users_type import NotifyUsersType

T = TypeVar("T", bound="NotifyUsers")


@_attrs_define
class NotifyUsers:
    """
    Attributes:
        type_ (NotifyUsersType):
        user_ids (list[int]):
    """

    type_: NotifyUsersType
    user_ids: list[int]

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        user_ids = self.user_ids

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "user_ids": user_ids,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = NotifyUsersType(d.pop("type"))

        user_ids = cast(list[int], d.pop("user_ids"))

        notify_users = cls(
            type_=type_,
            user_ids=user_ids,
        )

        return notify_users
