"""Background jobs: read how a bulk move or a deletion handed to the worker is going."""

from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, fields, validate

import sql
from auth import Ability, current_principal, requires
from tickiti_workflow.db import read_cursor
from tickiti_workflow.errors import NotFound
from tickiti_workflow.openapi import envelope, returns
from tickiti_workflow.schema import Cursor, Id, Int, StrictSchema, body, encode_cursor

bp = Blueprint("jobs", __name__)

KINDS = ("queue.move_tickets", "queue.delete", "resolution_category.delete")
STATUSES = ("queued", "running", "succeeded", "failed")


class JobError(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict(required=True)


class Job(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    source_id = fields.Integer(required=True)
    target_id = fields.Integer(required=True)
    total = fields.Integer(required=True)
    done = fields.Integer(required=True)
    error = fields.Nested(JobError, required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    started_at = fields.DateTime(required=True, allow_none=True)
    updated_at = fields.DateTime(required=True)
    finished_at = fields.DateTime(required=True, allow_none=True)


JobEnvelope = envelope("JobEnvelope", "job", Job)


class JobPage(Schema):
    jobs = fields.List(fields.Nested(Job), required=True)
    next_cursor = fields.String(required=True, allow_none=True)


class JobGet(StrictSchema):
    job_id = Id(required=True)


class JobQuery(StrictSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    limit = Int(minimum=1, maximum=200, load_default=50)
    cursor = Cursor(load_default=None, prefix="job")


@bp.post("/jobs")
@returns(JobPage)
@requires(Ability.WORKFLOW_READ)
@body(JobQuery)
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


@bp.post("/jobs/get")
@returns(JobEnvelope, errors=(404,))
@requires(Ability.WORKFLOW_READ)
@body(JobGet)
def get_job(payload):
    """One background job: its status, progress (`done` of `total`) and error, if it failed."""
    with read_cursor() as cur:
        job = sql.jobs.get_job.one(
            cur, account_id=current_principal().account_id, job_id=payload["job_id"]
        )
    if job is None:
        raise NotFound("job", payload["job_id"])
    return {"job": job}
