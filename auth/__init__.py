"""Who is calling and what they may do: the token lookup, abilities and the gates."""

from .gates import Ability, Principal, check_gates, current_principal

__all__ = ["Ability", "Principal", "check_gates", "current_principal"]
