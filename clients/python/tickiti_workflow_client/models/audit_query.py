from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.audit_query_object_type_type_1 import AuditQueryObjectTypeType1
from ..models.audit_query_object_type_type_2_type_1 import AuditQueryObjectTypeType2Type1
from ..models.audit_query_object_type_type_3_type_1 import AuditQueryObjectTypeType3Type1
from ..types import UNSET, Unset

T = TypeVar("T", bound="AuditQuery")


@_attrs_define
class AuditQuery:
    """
    Attributes:
        object_type (AuditQueryObjectTypeType1 | AuditQueryObjectTypeType2Type1 | AuditQueryObjectTypeType3Type1 | None
            | Unset):
        object_id (int | None | Unset):
        since (datetime.datetime | None | Unset):
        until (datetime.datetime | None | Unset):
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):
    """

    object_type: (
        AuditQueryObjectTypeType1 | AuditQueryObjectTypeType2Type1 | AuditQueryObjectTypeType3Type1 | None | Unset
    ) = UNSET
    object_id: int | None | Unset = UNSET
    since: datetime.datetime | None | Unset = UNSET
    until: datetime.datetime | None | Unset = UNSET
    limit: int | Unset = 50
    cursor: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        object_type: None | str | Unset
        if isinstance(self.object_type, Unset):
            object_type = UNSET
        elif isinstance(self.object_type, AuditQueryObjectTypeType1):
            object_type = self.object_type.value
        elif isinstance(self.object_type, AuditQueryObjectTypeType2Type1):
            object_type = self.object_type.value
        elif isinstance(self.object_type, AuditQueryObjectTypeType3Type1):
            object_type = self.object_type.value
        else:
            object_type = self.object_type

        object_id: int | None | Unset
        if isinstance(self.object_id, Unset):
            object_id = UNSET
        else:
            object_id = self.object_id

        since: None | str | Unset
        if isinstance(self.since, Unset):
            since = UNSET
        elif isinstance(self.since, datetime.datetime):
            since = self.since.isoformat()
        else:
            since = self.since

        until: None | str | Unset
        if isinstance(self.until, Unset):
            until = UNSET
        elif isinstance(self.until, datetime.datetime):
            until = self.until.isoformat()
        else:
            until = self.until

        limit = self.limit

        cursor: None | str | Unset
        if isinstance(self.cursor, Unset):
            cursor = UNSET
        else:
            cursor = self.cursor

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if object_type is not UNSET:
            field_dict["object_type"] = object_type
        if object_id is not UNSET:
            field_dict["object_id"] = object_id
        if since is not UNSET:
            field_dict["since"] = since
        if until is not UNSET:
            field_dict["until"] = until
        if limit is not UNSET:
            field_dict["limit"] = limit
        if cursor is not UNSET:
            field_dict["cursor"] = cursor

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_object_type(
            data: object,
        ) -> AuditQueryObjectTypeType1 | AuditQueryObjectTypeType2Type1 | AuditQueryObjectTypeType3Type1 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                object_type_type_1 = AuditQueryObjectTypeType1(data)

                return object_type_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                object_type_type_2_type_1 = AuditQueryObjectTypeType2Type1(data)

                return object_type_type_2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                object_type_type_3_type_1 = AuditQueryObjectTypeType3Type1(data)

                return object_type_type_3_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                AuditQueryObjectTypeType1
                | AuditQueryObjectTypeType2Type1
                | AuditQueryObjectTypeType3Type1
                | None
                | Unset,
                data,
            )

        object_type = _parse_object_type(d.pop("object_type", UNSET))

        def _parse_object_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        object_id = _parse_object_id(d.pop("object_id", UNSET))

        def _parse_since(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                since_type_0 = datetime.datetime.fromisoformat(data)

                return since_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        since = _parse_since(d.pop("since", UNSET))

        def _parse_until(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                until_type_0 = datetime.datetime.fromisoformat(data)

                return until_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        until = _parse_until(d.pop("until", UNSET))

        limit = d.pop("limit", UNSET)

        def _parse_cursor(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        cursor = _parse_cursor(d.pop("cursor", UNSET))

        audit_query = cls(
            object_type=object_type,
            object_id=object_id,
            since=since,
            until=until,
            limit=limit,
            cursor=cursor,
        )

        return audit_query
