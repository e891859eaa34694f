"""The domain's refusal: a rule the input breaks, said per field. No Flask here.

Domain modules raise ``RuleBroken``; the web layer (tickiti_workflow/errors.py) answers it as
422 ``validation_failed`` with the same fields and message.
"""

from __future__ import annotations


class RuleBroken(ValueError):
    """Input the domain refuses: ``fields`` maps each input path to why; ``message`` sums it up."""

    def __init__(self, fields: dict[str, list[str]], message: str | None = None):
        super().__init__(message or "; ".join(m for ms in fields.values() for m in ms))
        self.fields = fields
        self.message = message
