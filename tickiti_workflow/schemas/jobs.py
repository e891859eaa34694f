"""Background jobs: the job as the API shows it, and the list and get bodies."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from tickiti_workflow.web.body import Cursor, Id, Int, StrictSchema
from tickiti_workflow.web.openapi import envelope

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
