"""Placeholder: the endpoints of this resource are being built (see the issue)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("resolution_categories", __name__)
