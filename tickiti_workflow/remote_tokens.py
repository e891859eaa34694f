"""Remote tokens (``tkr_…``): the secret an intervention's remote service presents back.

A token is shown once when minted and stored only as its SHA-256 hash. ``verify_remote_token``
is the check the intervention runtime calls with a presented one.
"""

from __future__ import annotations

from psycopg.rows import dict_row

import sql
from tickiti_workflow.tokens import hash_token, mint_token

TOKEN_PREFIX = "tkr_"


def mint_remote_token() -> str:
    """A new remote token: ``tkr_`` and 256 random bits."""
    return mint_token(TOKEN_PREFIX)


def verify_remote_token(conn, token: str) -> tuple[int, int] | None:
    """``(account_id, intervention_id)`` for a valid presented remote token, else None.

    Valid means: the current token of an enabled intervention, or the token it replaced while
    that one's grace period lasts, in an account whose plan includes interventions. A valid
    use is recorded in ``remote_token_last_used_at`` (within the caller's transaction, if any).
    """
    if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX):
        return None
    with conn.cursor(row_factory=dict_row) as cur:
        row = sql.interventions.verify_remote_token.one(cur, token_hash=hash_token(token))
    return None if row is None else (row["account_id"], row["intervention_id"])
