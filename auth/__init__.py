"""Who is calling and what they may do: tokens, abilities and the gates."""

from .gates import Ability, Principal, check_gates, current_principal
from .tokens import hash_token, mint_token

__all__ = ["Ability", "Principal", "check_gates", "current_principal", "hash_token", "mint_token"]
