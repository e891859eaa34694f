"""A bare Flask app for bench/run.py: ``POST /bench/empty`` answers ``{}`` with nothing else
around it (no hooks, request id, access log or error handlers). Run on the same gunicorn
settings as the service, it is the ceiling the service's own ``{}`` is measured against."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.post("/bench/empty")
def empty():
    return {}
