"""Background jobs: read how a bulk move or a deletion handed to the worker is going."""

from __future__ import annotations

from flask import Blueprint, current_app, g
from marshmallow import Schema, fields, validate

import sql
from auth import Ability, current_principal
from tickiti_workflow.db import read_cursor
from tickiti_workflow.errors import NotFound
from tickiti_workflow.web.body import Cursor, Id, Int, StrictSchema, encode_cursor
from tickiti_workflow.web.openapi import envelope
from tickiti_workflow.web.pipeline import route

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


def sync_limit() -> int:
    """Moves of more tickets than this run in the worker as a job."""
    return current_app.config["SETTINGS"].bulk_sync_max_tickets


def job_actor() -> dict:
    """Who queues a job: the worker records its audit events in this request's name."""
    principal = current_principal()
    return {
        "account_id": principal.account_id,
        "actor_user_id": principal.user_id,
        "token_id": principal.token_id,
        "request_id": g.get("request_id"),
    }


class JobGet(StrictSchema):
    job_id = Id(required=True)


class JobQuery(StrictSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    limit = Int(minimum=1, maximum=200, load_default=50)
    cursor = Cursor(load_default=None, prefix="job")


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
