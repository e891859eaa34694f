from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="AuditEvent")


@_attrs_define
class AuditEvent:
    """
    Attributes:
        id (int):
        occurred_at (datetime.datetime):
        actor_user_id (int):
        token_id (int | None):
        request_id (None | str):
        action (str):
        object_type (str):
        object_id (int | None):
        before (Any):
        after (Any):
    """

    id: int
    occurred_at: datetime.datetime
    actor_user_id: int
    token_id: int | None
    request_id: None | str
    action: str
    object_type: str
    object_id: int | None
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        occurred_at = self.occurred_at.isoformat()

        actor_user_id = self.actor_user_id

        token_id: int | None
        token_id = self.token_id

        request_id: None | str
        request_id = self.request_id

        action = self.action

        object_type = self.object_type

        object_id: int | None
        object_id = self.object_id

        before = self.before

        after = self.after

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "occurred_at": occurred_at,
                "actor_user_id": actor_user_id,
                "token_id": token_id,
                "request_id": request_id,
                "action": action,
                "object_type": object_type,
                "object_id": object_id,
                "before": before,
                "after": after,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        occurred_at = datetime.datetime.fromisoformat(d.pop("occurred_at"))

        actor_user_id = d.pop("actor_user_id")

        def _parse_token_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        token_id = _parse_token_id(d.pop("token_id"))

        def _parse_request_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        request_id = _parse_request_id(d.pop("request_id"))

        action = d.pop("action")

        object_type = d.pop("object_type")

        def _parse_object_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        object_id = _parse_object_id(d.pop("object_id"))

        before = d.pop("before")

        after = d.pop("after")

        audit_event = cls(
            id=id,
            occurred_at=occurred_at,
            actor_user_id=actor_user_id,
            token_id=token_id,
            request_id=request_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            before=before,
            after=after,
        )

        return audit_event
