"""Bearer secrets: minted with 256 bits of randomness, stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import re
import secrets

# What mint_token makes for API tokens; anything else is refused without a database lookup.
TOKEN_FORMAT = re.compile(r"tkt_[A-Za-z0-9_-]{43}")


def mint_token(prefix: str = "tkt_") -> str:
    """A new secret: ``prefix`` + 43 URL-safe characters (256 random bits)."""
    return prefix + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The hex SHA-256 under which a secret is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
