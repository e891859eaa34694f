"""Ceiling endpoints for the benchmark (bench/run.py), mounted only with TICKITI_BENCH_ENDPOINTS=1.

`POST /bench/empty` answers ``{}`` (the framework ceiling: gunicorn, Flask, the request hooks
and the access log, no database); `POST /bench/select1` runs one ``SELECT 1`` through the same
pool as every endpoint (the stack ceiling). No auth, outside /api/v1/workflow, not in OpenAPI.
"""

from __future__ import annotations

from flask import Blueprint

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
