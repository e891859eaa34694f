"""Who is calling and what they may do: tokens, abilities and the gate decorators."""

from .gates import Ability, Principal, current_principal, requires
from .tokens import hash_token, mint_token

__all__ = ["Ability", "Principal", "current_principal", "hash_token", "mint_token", "requires"]
