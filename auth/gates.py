"""The gates: authentication, ability, admin role, plan entitlement, in that order.

``check_gates`` runs all four in one call, so their order can never be shuffled; the route
pipeline (tickiti_workflow/web/pipeline.py) calls it first for every gated endpoint.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from flask import g, request

import sql
from tickiti_workflow import db
from tickiti_workflow.errors import ApiError, Forbidden, Unauthenticated
from tickiti_workflow.tokens import TOKEN_FORMAT, hash_token

from .failures import client_address, limiter

ADMIN_ROLES = frozenset({"owner", "admin"})
_BEARER = re.compile(r"Bearer[ ]+([A-Za-z0-9_\-.~+/]+=*)[ ]*", re.IGNORECASE)


class Ability(enum.StrEnum):
    WORKFLOW_READ = "workflow:read"
    WORKFLOW_WRITE = "workflow:write"


# Every plan feature a gate of this service checks (a plan may list only these; the ops
# console refuses others, and a test compares this set with the served document).
PLAN_FEATURES = frozenset({"resolution_tracking", "interventions", "escalations"})

# Write implies read.
IMPLIED_BY = {
    Ability.WORKFLOW_READ: {Ability.WORKFLOW_READ, Ability.WORKFLOW_WRITE},
    Ability.WORKFLOW_WRITE: {Ability.WORKFLOW_WRITE},
}


@dataclass(frozen=True, slots=True)
class Principal:
    """The token's owner, in whose name and account the request runs."""

    token_id: int
    user_id: int
    account_id: int
    role: str
    abilities: frozenset[str]
    features: frozenset[str]
    rate_limit: RateLimit
    # The state of what the account's lists show: its list epoch (migration 0011) and how many
    # ticket count changes wait to be folded (0013); None if the account has no epoch row.
    list_epoch: str | None = None


@dataclass(frozen=True, slots=True)
class RateLimit:
    """The token's fixed one-minute window, reported on every response."""

    limit: int
    used: int
    reset_seconds: int

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }


class RateLimited(ApiError):
    status, code = 429, "rate_limited"

    def __init__(self, rate_limit: RateLimit):
        super().__init__(
            f"This token may make {rate_limit.limit} requests a minute; retry after "
            f"{rate_limit.reset_seconds} s.",
            {"limit": rate_limit.limit, "retry_after_seconds": rate_limit.reset_seconds},
            headers={"Retry-After": str(rate_limit.reset_seconds)},
        )


def current_principal() -> Principal:
    return g.principal


class TooManyRefusals(ApiError):
    status, code = 429, "rate_limited"

    def __init__(self, retry_after: int):
        super().__init__(
            f"Too many requests with invalid credentials from this address; retry after "
            f"{retry_after} s.",
            {"limit": limiter.limit, "retry_after_seconds": retry_after},
            headers={"Retry-After": str(retry_after)},
        )


def _refuse(client: str, error: Unauthenticated) -> Unauthenticated:
    limiter.refused(client)
    return error


def authenticate() -> Principal:
    """Resolve the bearer token, or raise 401 (429 for a client refused too often)."""
    header = request.headers.get("Authorization", "")
    if not header:
        raise Unauthenticated()
    client = client_address()
    match = _BEARER.fullmatch(header)
    token = match.group(1) if match else None
    token_hash = hash_token(token) if token and TOKEN_FORMAT.fullmatch(token) else None
    if (retry_after := limiter.retry_after(client, token_hash)) is not None:
        raise TooManyRefusals(retry_after)
    if match is None:
        raise _refuse(client, Unauthenticated())
    if token_hash is None:  # not a token this service mints: no need to ask the database
        raise _refuse(client, Unauthenticated("The API token is not valid.", code="invalid_token"))
    # Autocommit, one statement: the last_used_at touch commits even if the request fails later.
    with db.connection().cursor() as cur:
        row = sql.auth.authenticate.one(cur, token_hash=token_hash)
    if row is None or row["revoked"] or not row["active"]:
        raise _refuse(client, Unauthenticated("The API token is not valid.", code="invalid_token"))
    if row["expired"]:
        raise _refuse(client, Unauthenticated("The API token has expired.", code="token_expired"))
    limiter.authenticated(token_hash)
    principal = Principal(
        token_id=row["token_id"],
        user_id=row["user_id"],
        account_id=row["account_id"],
        role=row["role"],
        abilities=frozenset(row["abilities"]),
        features=frozenset(row["features"]),
        rate_limit=RateLimit(
            row["rate_limit_per_minute"], row["request_count"], max(1, row["window_reset"])
        ),
        list_epoch=row["list_epoch"],
    )
    g.principal = principal
    if principal.rate_limit.used > principal.rate_limit.limit:
        raise RateLimited(principal.rate_limit)
    return principal


def check_gates(ability: Ability, feature: str | None) -> Principal:
    """Run the four gates in order (the rate limit right after authentication)."""
    principal = authenticate()
    if not principal.abilities & IMPLIED_BY[ability]:
        raise Forbidden(
            f"The token lacks the '{ability}' ability.",
            {"required_ability": str(ability)},
            code="insufficient_ability",
        )
    if principal.role not in ADMIN_ROLES:
        raise Forbidden(
            "Only an account owner or admin may use the Workflow API.", code="admin_required"
        )
    if feature is not None and feature not in principal.features:
        raise Forbidden(
            f"The account's plan does not include the '{feature}' feature.",
            {"feature": feature},
            code="feature_not_in_plan",
        )
    return principal
