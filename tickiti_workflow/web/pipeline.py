"""``route``: every gated endpoint declared in one line, its steps run in one fixed order.

    @route(bp, "/queues/create", Ability.WORKFLOW_WRITE, body=QueueCreate,
           returns=QueueEnvelope, status=201, errors=(409,))
    def create_queue(cur, payload): ...

The order is decided here, once, never by how decorators are stacked at a call site:

1. gates (auth.check_gates): 401, 429, 403 ``insufficient_ability``, ``admin_required``,
   ``feature_not_in_plan``;
2. for a write: the request transaction begins and the Idempotency-Key is claimed in it (a
   replay answers here); the view gets the transaction's cursor as its first argument;
3. the body is read and validated with the route's schema (400 / 413 / 415 / 422);
4. for a cached list: the rendered body is answered from the list cache while the account's
   list epoch holds;
5. the view runs. A write's transaction commits after the view has returned and its response
   is stored under the Idempotency-Key; an error anywhere rolls all of it back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Blueprint
from marshmallow import Schema

from auth import Ability, check_gates

from . import idempotency, list_cache
from .body import Empty, load


@dataclass(frozen=True, slots=True)
class Route:
    """What a route declares; the OpenAPI document is built from it."""

    path: str
    ability: Ability
    feature: str | None
    body: type[Schema]
    returns: type[Schema]
    status: int
    errors: tuple[int, ...]
    accepted: type[Schema] | None
    cached: bool

    @property
    def writes(self) -> bool:
        return self.ability is Ability.WORKFLOW_WRITE


def route(
    bp: Blueprint,
    path: str,
    ability: Ability,
    feature: str | None = None,
    *,
    body: type[Schema] = Empty,
    returns: type[Schema],
    status: int = 200,
    errors: tuple[int, ...] = (),
    accepted: type[Schema] | None = None,
    cached: bool = False,
) -> Callable[[Callable], Callable]:
    """Mount ``POST path`` on ``bp`` behind the gates for ``ability`` (and plan ``feature``).

    ``body`` validates the request body; ``returns``/``status`` are the success body and its
    status, ``errors`` the statuses beyond the common ones the view can answer, ``accepted``
    the 202 body of a view that can hand its work to a job; ``cached`` serves a list from the
    list cache. A write view is called as ``view(cur, payload)`` inside the request
    transaction, which begins before the view and commits after its response is stored with
    the Idempotency-Key; a read view as ``view(payload)``, with no transaction of its own.
    """
    spec = Route(path, ability, feature, body, returns, status, errors, accepted, cached)
    if cached and spec.writes:
        raise TypeError(f"{path}: only a read can be served from the list cache")
    schema = body()

    def decorator(view: Callable) -> Callable:
        if spec.writes:

            @wraps(view)
            def endpoint() -> Any:
                principal = check_gates(ability, feature)
                return idempotency.run(
                    principal, lambda cur: view(cur, load(schema, empty_ok=False))
                )

        elif cached:

            @wraps(view)
            def endpoint() -> Any:
                principal = check_gates(ability, feature)
                payload = load(schema, empty_ok=True)
                return list_cache.cached(
                    principal.account_id, principal.list_epoch, payload, lambda: view(payload)
                )

        else:

            @wraps(view)
            def endpoint() -> Any:
                check_gates(ability, feature)
                return view(load(schema, empty_ok=True))

        endpoint.route = spec  # type: ignore[attr-defined]
        bp.post(path)(endpoint)
        return endpoint

    return decorator
