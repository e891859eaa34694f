"""Blueprints, one per resource, all under /api/v1/workflow."""

from __future__ import annotations

from flask import Flask

from . import (
    audit_events,
    business_hours,
    docs,
    escalation_clocks,
    escalation_settings,
    escalations,
    health,
    interventions,
    jobs,
    openapi,
    queues,
    resolution_categories,
)

PREFIX = "/api/v1/workflow"


def register(app: Flask) -> None:
    """Mount every blueprint; the route table lives in each module, gate beside path."""
    app.register_blueprint(health.bp)
    docs.register(app)
    for module in (
        queues,
        resolution_categories,
        interventions,
        escalations,
        escalation_clocks,
        escalation_settings,
        business_hours,
        audit_events,
        jobs,
        openapi,
    ):
        app.register_blueprint(module.bp, url_prefix=PREFIX)
