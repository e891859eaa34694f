"""The served OpenAPI document (no authentication)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from tickiti_workflow.web import openapi

bp = Blueprint("openapi", __name__)


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 document of this API, built once per process from the route table."""
    document = current_app.extensions.get("tickiti.openapi")
    if document is None:
        document = current_app.extensions["tickiti.openapi"] = openapi.build(current_app)
    return jsonify(document)
