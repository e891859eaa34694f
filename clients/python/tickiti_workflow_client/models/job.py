from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.job_kind import JobKind
from ..models.job_status import JobStatus

if TYPE_CHECKING:
    from ..models.job_error import JobError


T = TypeVar("T", bound="Job")


@_attrs_define
class Job:
    """
    Attributes:
        id (int):
        kind (JobKind):
        status (JobStatus):
        source_id (int):
        target_id (int):
        total (int):
        done (int):
        error (JobError | None):
        created_at (datetime.datetime):
        started_at (datetime.datetime | None):
        updated_at (datetime.datetime):
        finished_at (datetime.datetime | None):
    """

    id: int
    kind: JobKind
    status: JobStatus
    source_id: int
    target_id: int
    total: int
    done: int
    error: JobError | None
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    updated_at: datetime.datetime
    finished_at: datetime.datetime | None

    def to_dict(self) -> dict[str, Any]:
        from ..models.job_error import JobError  # noqa: PLC0415

        id = self.id

        kind = self.kind.value

        status = self.status.value

        source_id = self.source_id

        target_id = self.target_id

        total = self.total

        done = self.done

        error: dict[str, Any] | None
        if isinstance(self.error, JobError):
            error = self.error.to_dict()
        else:
            error = self.error

        created_at = self.created_at.isoformat()

        started_at: None | str
        if isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        updated_at = self.updated_at.isoformat()

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "status": status,
                "source_id": source_id,
                "target_id": target_id,
                "total": total,
                "done": done,
                "error": error,
                "created_at": created_at,
                "started_at": started_at,
                "updated_at": updated_at,
                "finished_at": finished_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.job_error import JobError  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        kind = JobKind(d.pop("kind"))

        status = JobStatus(d.pop("status"))

        source_id = d.pop("source_id")

        target_id = d.pop("target_id")

        total = d.pop("total")

        done = d.pop("done")

        def _parse_error(data: object) -> JobError | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = JobError.from_dict(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(JobError | None, data)

        error = _parse_error(d.pop("error"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_started_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)

                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        started_at = _parse_started_at(d.pop("started_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        job = cls(
            id=id,
            kind=kind,
            status=status,
            source_id=source_id,
            target_id=target_id,
            total=total,
            done=done,
            error=error,
            created_at=created_at,
            started_at=started_at,
            updated_at=updated_at,
            finished_at=finished_at,
        )

        return job
