"""The benchmark's ceilings, served by bench/run.py as `gunicorn ... 'bench.ceilings:create_app()'`.

The service as the Procfile builds it plus two endpoints: `POST /bench/empty` answers ``{}``
(the framework ceiling: gunicorn, Flask, the request hooks and the access log, no database);
`POST /bench/select1` runs one ``SELECT 1`` through the same pool as every endpoint (the stack
ceiling). No auth, outside /api/v1/workflow, not in OpenAPI, never part of the service itself.
"""

from __future__ import annotations

from flask import Blueprint, Flask

import app as service
from tickiti_workflow.db import read_cursor

bp = Blueprint("bench", __name__)


@bp.post("/bench/empty")
def empty():
    return {}


@bp.post("/bench/select1")
def select1():
    with read_cursor() as cur:
        cur.execute("SELECT 1")
        cur.fetchone()
    return {}


def create_app() -> Flask:
    """The service's app with the two ceilings mounted."""
    app = service.create_app()
    app.register_blueprint(bp)
    return app
