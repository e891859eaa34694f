from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.job_error_details import JobErrorDetails


T = TypeVar("T", bound="JobError")


@_attrs_define
class JobError:
    """
    Attributes:
        code (str):
        message (str):
        details (JobErrorDetails):
    """

    code: str
    message: str
    details: JobErrorDetails

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        message = self.message

        details = self.details.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "code": code,
                "message": message,
                "details": details,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.job_error_details import JobErrorDetails  # noqa: PLC0415

        d = dict(src_dict)
        code = d.pop("code")

        message = d.pop("message")

        details = JobErrorDetails.from_dict(d.pop("details"))

        job_error = cls(
            code=code,
            message=message,
            details=details,
        )

        return job_error
