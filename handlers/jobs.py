"""Background jobs: read how a bulk move or a deletion handed to the worker is going."""

from __future__ import annotations

from flask import Blueprint

import sql
from auth import Ability, current_principal
from tickiti_workflow.db import read_cursor
from tickiti_workflow.errors import NotFound
from tickiti_workflow.schemas.jobs import JobEnvelope, JobGet, JobPage, JobQuery
from tickiti_workflow.web.body import encode_cursor
from tickiti_workflow.web.pipeline import route

bp = Blueprint("jobs", __name__)


@route(bp, "/jobs", Ability.WORKFLOW_READ, body=JobQuery, returns=JobPage)
def list_jobs(payload):
    """List the account's background jobs, newest first (cursor pagination, status filter)."""
    limit = payload["limit"]
    with read_cursor() as cur:
        jobs = sql.jobs.list_jobs.all(
            cur,
            account_id=current_principal().account_id,
            before_id=payload["cursor"],
            status=payload["status"],
            limit=limit + 1,
        )
    more = len(jobs) > limit
    jobs = jobs[:limit]
    return {"jobs": jobs, "next_cursor": encode_cursor(jobs[-1]["id"], "job") if more else None}


@route(bp, "/jobs/get", Ability.WORKFLOW_READ, body=JobGet, returns=JobEnvelope, errors=(404,))
def get_job(payload):
    """One background job: its status, progress (`done` of `total`) and error, if it failed."""
    with read_cursor() as cur:
        job = sql.jobs.get_job.one(
            cur, account_id=current_principal().account_id, job_id=payload["job_id"]
        )
    if job is None:
        raise NotFound("job", payload["job_id"])
    return {"job": job}
