from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.job_query_status_type_1 import JobQueryStatusType1
from ..models.job_query_status_type_2_type_1 import JobQueryStatusType2Type1
from ..models.job_query_status_type_3_type_1 import JobQueryStatusType3Type1
from ..types import UNSET, Unset

T = TypeVar("T", bound="JobQuery")


@_attrs_define
class JobQuery:
    """
    Attributes:
        status (JobQueryStatusType1 | JobQueryStatusType2Type1 | JobQueryStatusType3Type1 | None | Unset):
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):
    """

    status: JobQueryStatusType1 | JobQueryStatusType2Type1 | JobQueryStatusType3Type1 | None | Unset = UNSET
    limit: int | Unset = 50
    cursor: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, JobQueryStatusType1):
            status = self.status.value
        elif isinstance(self.status, JobQueryStatusType2Type1):
            status = self.status.value
        elif isinstance(self.status, JobQueryStatusType3Type1):
            status = self.status.value
        else:
            status = self.status

        limit = self.limit

        cursor: None | str | Unset
        if isinstance(self.cursor, Unset):
            cursor = UNSET
        else:
            cursor = self.cursor

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if status is not UNSET:
            field_dict["status"] = status
        if limit is not UNSET:
            field_dict["limit"] = limit
        if cursor is not UNSET:
            field_dict["cursor"] = cursor

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_status(
            data: object,
        ) -> JobQueryStatusType1 | JobQueryStatusType2Type1 | JobQueryStatusType3Type1 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_1 = JobQueryStatusType1(data)

                return status_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_2_type_1 = JobQueryStatusType2Type1(data)

                return status_type_2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_3_type_1 = JobQueryStatusType3Type1(data)

                return status_type_3_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(JobQueryStatusType1 | JobQueryStatusType2Type1 | JobQueryStatusType3Type1 | None | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        limit = d.pop("limit", UNSET)

        def _parse_cursor(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        cursor = _parse_cursor(d.pop("cursor", UNSET))

        job_query = cls(
            status=status,
            limit=limit,
            cursor=cursor,
        )

        return job_query
