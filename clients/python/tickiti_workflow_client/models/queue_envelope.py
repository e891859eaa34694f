from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.queue import Queue


T = TypeVar("T", bound="QueueEnvelope")


@_attrs_define
class QueueEnvelope:
    """
    Attributes:
        queue (Queue):
    """

    queue: Queue

    def to_dict(self) -> dict[str, Any]:
        queue = self.queue.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "queue": queue,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.queue import Queue  # noqa: PLC0415

        d = dict(src_dict)
        queue = Queue.from_dict(d.pop("queue"))

        queue_envelope = cls(
            queue=queue,
        )

        return queue_envelope
