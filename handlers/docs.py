"""GET /api/v1/workflow/docs: an interactive reference of the served OpenAPI document.

Swagger UI, with its assets vendored in the flask-swagger-ui package: the page needs no network
access beyond this service. No token is needed to read it; "Try it out" sends the token given
under "Authorize" to this service only.
"""

from __future__ import annotations

from flask import Flask
from flask_swagger_ui import get_swaggerui_blueprint

from tickiti_workflow.web.openapi import API_PREFIX

DOCS_PATH = f"{API_PREFIX}/docs"

bp = get_swaggerui_blueprint(
    DOCS_PATH,
    f"{API_PREFIX}/openapi.json",
    config={
        "app_name": "Tickiti Workflow API",
        "docExpansion": "list",
        "defaultModelsExpandDepth": 0,
        "displayOperationId": True,
        "deepLinking": True,
    },
    blueprint_name="docs",
)


def register(app: Flask) -> None:
    """Mount the page at /docs (the blueprint's own /docs/ answers the JSON 404, as every path
    with a trailing slash does)."""
    app.register_blueprint(bp)
    app.add_url_rule(DOCS_PATH, endpoint="docs.index", view_func=app.view_functions["docs.show"])
