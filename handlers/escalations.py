"""Escalations and the account's business hours (plan feature ``escalations``).

Escalations are ordered rules (``position`` 1..n): when a ticket matching the conditions misses
the target, the actions run. Business hours are one object per account that escalations with
``target.business_hours`` count in; the preview endpoint shows what a target means with them.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from functools import cache
from itertools import pairwise
from typing import Any
from zoneinfo import available_timezones

from flask import Blueprint
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema
from psycopg.types.json import Jsonb

import sql
from auth import Ability, current_principal, requires
from tickiti_workflow import audit, business_time
from tickiti_workflow.db import read_cursor, transaction
from tickiti_workflow.errors import LimitReached, NotFound, ValidationFailed
from tickiti_workflow.openapi import envelope, returns
from tickiti_workflow.schema import (
    Bool,
    Empty,
    ExpectedVersion,
    Id,
    Int,
    Name,
    StrictSchema,
    body,
)
from tickiti_workflow.versioning import changes

bp = Blueprint("escalations", __name__)

FEATURE = "escalations"
MAX_ESCALATIONS = 200
MAX_ACTIONS = 10
MAX_CONDITION_QUEUES = 500
MAX_NOTIFY_USERS = 100
MAX_TARGET_MINUTES = 525_600
PRIORITIES = ("low", "normal", "high", "urgent")
METRICS = ("first_response", "next_response", "resolution", "idle")

WEEKDAYS = business_time.WEEKDAYS
MAX_INTERVALS_PER_DAY = 6
MAX_HOLIDAYS = 500
MAX_HOLIDAY_DAYS = 366
HOLIDAY_KEYS = ("name", "start_date", "end_date", "recurring")
# A preview whose due time lies further out than this is refused rather than computed.
MAX_PREVIEW_YEARS = 100
PREVIEW_YEARS = (1970, 2999)


def _distinct(what: str):
    def check(values: list) -> None:
        seen: set = set()
        repeated = [v for v in values if v in seen or seen.add(v)]
        if repeated:
            raise ValidationError(f"{what} must be distinct; repeated: {repeated[:20]}.")

    return check


# --- Escalation bodies ------------------------------------------------------------------------


class Conditions(StrictSchema):
    queue_ids = fields.List(
        Id(),
        load_default=list,
        validate=[validate.Length(max=MAX_CONDITION_QUEUES), _distinct("Queue ids")],
    )
    priorities = fields.List(
        fields.String(validate=validate.OneOf(PRIORITIES)),
        load_default=list,
        validate=_distinct("Priorities"),
    )


class Target(StrictSchema):
    metric = fields.String(required=True, validate=validate.OneOf(METRICS))
    minutes = Int(required=True, minimum=1, maximum=MAX_TARGET_MINUTES)
    business_hours = Bool(load_default=False)


class MoveToQueue(StrictSchema):
    type = fields.String(required=True, validate=validate.Equal("move_to_queue"))
    queue_id = Id(required=True)


class SetPriority(StrictSchema):
    type = fields.String(required=True, validate=validate.Equal("set_priority"))
    priority = fields.String(required=True, validate=validate.OneOf(PRIORITIES))


class NotifyUsers(StrictSchema):
    type = fields.String(required=True, validate=validate.Equal("notify_users"))
    user_ids = fields.List(
        Id(),
        required=True,
        validate=[validate.Length(min=1, max=MAX_NOTIFY_USERS), _distinct("User ids")],
    )


ACTION_SCHEMAS = {
    "move_to_queue": MoveToQueue,
    "set_priority": SetPriority,
    "notify_users": NotifyUsers,
}


class Action(fields.Field):
    """One action, validated by the schema its ``type`` names."""

    def _deserialize(self, value, attr, data, **kwargs) -> dict:
        if not isinstance(value, dict):
            raise ValidationError("Must be an object.")
        kind = value.get("type")
        if "type" not in value:
            raise ValidationError({"type": ["Missing data for required field."]})
        if not isinstance(kind, str) or kind not in ACTION_SCHEMAS:
            raise ValidationError({"type": [f"Must be one of: {', '.join(ACTION_SCHEMAS)}."]})
        return ACTION_SCHEMAS[kind]().load(value)


def Actions(**kw) -> fields.List:
    action = Action(metadata={"one_of": list(ACTION_SCHEMAS.values())})
    return fields.List(action, validate=validate.Length(min=1, max=MAX_ACTIONS), **kw)


class EscalationCreate(StrictSchema):
    name = Name(required=True)
    enabled = Bool(load_default=True)
    conditions = fields.Nested(Conditions, load_default=lambda: Conditions().load({}))
    target = fields.Nested(Target, required=True)
    actions = Actions(required=True)


class EscalationUpdate(ExpectedVersion):
    id = Id(required=True)
    name = Name()
    enabled = Bool()
    position = Int(minimum=1)
    conditions = fields.Nested(Conditions)
    target = fields.Nested(Target)
    actions = Actions()


class EscalationDelete(StrictSchema):
    id = Id(required=True)


def check_references(cur, account_id: int, conditions: dict | None, actions: list | None) -> None:
    """422 naming every path whose queue or user is not in the account (one query per kind)."""
    queue_refs: list[tuple[str, int]] = []
    user_refs: list[tuple[str, int]] = []
    if conditions:
        queue_refs += [
            (f"conditions.queue_ids.{i}", q) for i, q in enumerate(conditions["queue_ids"])
        ]
    for n, action in enumerate(actions or ()):
        if action["type"] == "move_to_queue":
            queue_refs.append((f"actions.{n}.queue_id", action["queue_id"]))
        elif action["type"] == "notify_users":
            user_refs += [
                (f"actions.{n}.user_ids.{i}", u) for i, u in enumerate(action["user_ids"])
            ]
    errors: dict[str, list[str]] = {}
    if queue_refs:
        ids = sorted({q for _, q in queue_refs})
        found = {
            r["id"]
            for r in sql.escalations.existing_queues.all(cur, account_id=account_id, queue_ids=ids)
        }
        errors |= {p: ["No queue with this id exists."] for p, q in queue_refs if q not in found}
    if user_refs:
        ids = sorted({u for _, u in user_refs})
        found = {
            r["id"]
            for r in sql.escalations.active_users.all(cur, account_id=account_id, user_ids=ids)
        }
        errors |= {
            p: ["No active user with this id exists."] for p, u in user_refs if u not in found
        }
    if errors:
        raise ValidationFailed(
            errors, "Some referenced queues or users do not exist in the account."
        )


def referenced_queue_ids(escalation: dict) -> list[int]:
    """Every queue the escalation names, in its conditions or a move_to_queue action."""
    ids = set(escalation["conditions"]["queue_ids"])
    ids |= {a["queue_id"] for a in escalation["actions"] if a["type"] == "move_to_queue"}
    return sorted(ids)


def _columns(escalation: dict) -> dict[str, Any]:
    """The escalation's API shape as the parameters of the SQL that stores it."""
    conditions, target = escalation["conditions"], escalation["target"]
    return {
        "name": escalation["name"],
        "enabled": escalation["enabled"],
        "queue_ids": conditions["queue_ids"],
        "priorities": conditions["priorities"],
        "metric": target["metric"],
        "minutes": target["minutes"],
        "business_hours": target["business_hours"],
        "actions": Jsonb(escalation["actions"]),
    }


# --- Business-hours bodies --------------------------------------------------------------------

_HH_MM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


@cache
def iana_timezones() -> frozenset[str]:
    # "localtime" and "Factory" are files of the zone database, not zones a business is in.
    return frozenset(available_timezones() - {"localtime", "Factory"})


def _timezone(value: str) -> None:
    if value not in iana_timezones():
        raise ValidationError("Must be an IANA time zone name, e.g. 'Europe/Berlin' or 'UTC'.")


class Clock(fields.String):
    """A local time "HH:MM"; ``24:00`` only where ``allow_midnight_end``."""

    def __init__(self, *, allow_midnight_end: bool = False, **kw):
        self.allow_midnight_end = allow_midnight_end
        super().__init__(**kw)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not (_HH_MM.fullmatch(text) or (self.allow_midnight_end and text == "24:00")):
            upper = "24:00" if self.allow_midnight_end else "23:59"
            raise ValidationError(f"Must be a time 'HH:MM' between 00:00 and {upper}.")
        return text


class Interval(StrictSchema):
    start = Clock(required=True)
    end = Clock(required=True, allow_midnight_end=True)

    @validates_schema
    def _start_before_end(self, data, **_):
        if data["start"] >= data["end"]:
            raise ValidationError("Must be later than start.", "end")


class DayIntervals(fields.List):
    """A weekday's intervals: at most six, sorted, neither overlapping nor touching."""

    def __init__(self, **kw):
        super().__init__(fields.Nested(Interval), **kw)

    def _deserialize(self, value, attr, data, **kwargs) -> list[dict]:
        if isinstance(value, list) and len(value) > MAX_INTERVALS_PER_DAY:
            raise ValidationError(f"At most {MAX_INTERVALS_PER_DAY} intervals a day.")
        intervals = super()._deserialize(value, attr, data, **kwargs)
        # "HH:MM" strings (and "24:00") compare like the times they name.
        errors = {
            i: {"start": [f"Must be later than {prev['end']}, the end of the previous interval."]}
            for i, (prev, cur) in enumerate(pairwise(intervals), start=1)
            if cur["start"] <= prev["end"]
        }
        if errors:
            raise ValidationError(errors)
        return intervals


class Schedule(StrictSchema):
    """Some or all weekdays; an empty list closes the day. Unknown keys are refused."""

    monday = DayIntervals()
    tuesday = DayIntervals()
    wednesday = DayIntervals()
    thursday = DayIntervals()
    friday = DayIntervals()
    saturday = DayIntervals()
    sunday = DayIntervals()


ISO_DATE = {"invalid": "Must be an ISO date 'YYYY-MM-DD'."}


class Holiday(StrictSchema):
    name = Name(required=True)
    start_date = fields.Date(required=True, error_messages=ISO_DATE)
    end_date = fields.Date(required=True, error_messages=ISO_DATE)
    recurring = Bool(load_default=False)

    @validates_schema
    def _range(self, data, **_):
        start, end = data["start_date"], data["end_date"]
        if end < start:
            raise ValidationError("Must not be before start_date.", "end_date")
        if (end - start).days + 1 > MAX_HOLIDAY_DAYS:
            raise ValidationError(f"A holiday spans at most {MAX_HOLIDAY_DAYS} days.", "end_date")

    @post_load
    def _as_json(self, data, **_) -> dict:
        """Stored and compared in the API shape, dates as ISO strings."""
        return {
            "name": data["name"],
            "start_date": data["start_date"].isoformat(),
            "end_date": data["end_date"].isoformat(),
            "recurring": data["recurring"],
        }


class BusinessHoursUpdate(ExpectedVersion):
    timezone = fields.String(validate=_timezone)
    schedule = fields.Nested(Schedule)
    holidays = fields.List(fields.Nested(Holiday), validate=validate.Length(max=MAX_HOLIDAYS))


class Instant(fields.Field):
    """An ISO-8601 timestamp with a UTC offset or ``Z``; naive times are refused."""

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        example = "e.g. '2025-03-07T16:00:00+01:00' or '2025-03-07T15:00:00Z'"
        if not isinstance(value, str) or len(value) > 64:
            raise ValidationError(f"Must be an ISO-8601 timestamp, {example}.")
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError(f"Must be an ISO-8601 timestamp, {example}.") from None
        if moment.utcoffset() is None:
            raise ValidationError(f"Must include a UTC offset or 'Z', {example}.")
        first, last = PREVIEW_YEARS
        # The local year first: converting 9999-12-31T23:30-01:00 to UTC overflows.
        if not first <= moment.year <= last or not first <= moment.astimezone(UTC).year <= last:
            raise ValidationError(f"Must lie between the years {first} and {last}.")
        return moment


class BusinessHoursPreview(StrictSchema):
    start = Instant(required=True)
    minutes = Int(required=True, minimum=1, maximum=MAX_TARGET_MINUTES)


HOURS_COLUMNS = ("timezone", "schedule", "holidays", "version", "updated_at")


def render_business_hours(row: dict) -> dict:
    """The API shape: all seven weekdays in order, keys in a fixed order (jsonb sorts them)."""
    return {
        "timezone": row["timezone"],
        "schedule": {
            day: [{"start": i["start"], "end": i["end"]} for i in row["schedule"].get(day, [])]
            for day in WEEKDAYS
        },
        "holidays": [{key: h[key] for key in HOLIDAY_KEYS} for h in row["holidays"]],
        "version": row["version"],
        "updated_at": row["updated_at"],
    }


def _no_business_time(reason: str) -> ValidationFailed:
    return ValidationFailed(
        {"business_hours": [reason]},
        f"{reason} Change the business hours (business-hours/update) to preview a due time.",
    )


def preview(hours_row: dict, start: datetime, minutes: int, now: datetime) -> dict:
    """When ``minutes`` business minutes from ``start`` end, and how many elapsed until ``now``."""
    hours = business_time.BusinessHours.from_json(hours_row)
    weekly = sum(
        _minutes(i["end"]) - _minutes(i["start"])
        for day in WEEKDAYS
        for i in hours_row["schedule"][day]
    )
    if weekly == 0:
        raise _no_business_time("The schedule has no business time: every weekday is closed.")
    if minutes / weekly * 7 > MAX_PREVIEW_YEARS * 365:
        raise ValidationFailed(
            {
                "minutes": [
                    f"With {weekly} business minutes a week this lies more than "
                    f"{MAX_PREVIEW_YEARS} years ahead."
                ]
            }
        )
    try:
        due = business_time.due_at(hours, start, minutes)
    except business_time.NoBusinessTime:
        raise _no_business_time(
            "The holidays leave no business time (or too little to reach this many minutes)."
        ) from None
    elapsed = business_time.business_minutes_between(hours, start, now) if start < now else 0
    return {"due_at": due, "business_minutes": math.floor(elapsed)}


def _minutes(hh_mm: str) -> int:
    hours, minutes = hh_mm.split(":")
    return int(hours) * 60 + int(minutes)


# --- Responses (for the OpenAPI document) ----------------------------------------------------


class EscalationConditions(Schema):
    queue_ids = fields.List(fields.Integer(), required=True)
    priorities = fields.List(fields.String(), required=True)


class EscalationTarget(Schema):
    metric = fields.String(required=True)
    minutes = fields.Integer(required=True)
    business_hours = fields.Boolean(required=True)


class Escalation(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    enabled = fields.Boolean(required=True)
    position = fields.Integer(required=True)
    conditions = fields.Nested(EscalationConditions, required=True)
    target = fields.Nested(EscalationTarget, required=True)
    actions = fields.List(
        fields.Raw(metadata={"one_of": list(ACTION_SCHEMAS.values())}), required=True
    )
    version = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class BusinessInterval(Schema):
    start = fields.String(required=True)
    end = fields.String(required=True)


class BusinessHoliday(Schema):
    name = fields.String(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    recurring = fields.Boolean(required=True)


class BusinessHours(Schema):
    timezone = fields.String(required=True)
    schedule = fields.Dict(
        keys=fields.String(), values=fields.List(fields.Nested(BusinessInterval)), required=True
    )
    holidays = fields.List(fields.Nested(BusinessHoliday), required=True)
    version = fields.Integer(required=True)
    updated_at = fields.DateTime(required=True)


class EscalationList(Schema):
    escalations = fields.List(fields.Nested(Escalation), required=True)
    business_hours = fields.Nested(BusinessHours, required=True)


EscalationEnvelope = envelope("EscalationEnvelope", "escalation", Escalation)
BusinessHoursEnvelope = envelope("BusinessHoursEnvelope", "business_hours", BusinessHours)


class EscalationDeleted(Schema):
    deleted = fields.Boolean(required=True)
    id = fields.Integer(required=True)


class BusinessHoursPreviewed(Schema):
    due_at = fields.DateTime(required=True)
    business_minutes = fields.Integer(required=True)


# --- Views ------------------------------------------------------------------------------------


@bp.post("/escalations")
@returns(EscalationList)
@requires(Ability.WORKFLOW_READ, feature=FEATURE)
@body(Empty)
def list_escalations(_payload):
    """List escalations in position order, with the account's business hours."""
    account_id = current_principal().account_id
    with read_cursor() as cur:  # one statement: the escalations with the hours on the first row
        rows = sql.escalations.list_escalations_with_hours.all(cur, account_id=account_id)
    first = rows[0]
    hours = {key: first.pop(f"hours_{key}") for key in HOURS_COLUMNS}
    escalations = [] if first["id"] is None else rows
    for row in rows[1:]:
        for key in HOURS_COLUMNS:
            del row[f"hours_{key}"]
    return {"escalations": escalations, "business_hours": render_business_hours(hours)}


@bp.post("/escalations/create")
@returns(EscalationEnvelope, status=201, errors=(409,))
@requires(Ability.WORKFLOW_WRITE, feature=FEATURE)
@body(EscalationCreate)
def create_escalation(payload):
    """Create an escalation, appended last (at most 200 per account; names unique)."""
    account_id = current_principal().account_id
    with transaction() as cur:
        sql.accounts.lock_account.one(cur, account_id=account_id)
        check_references(cur, account_id, payload["conditions"], payload["actions"])
        row = sql.escalations.create_escalation.one(
            cur, account_id=account_id, limit=MAX_ESCALATIONS, **_columns(payload)
        )
        if row is None:
            raise LimitReached("escalations", MAX_ESCALATIONS)
        ids = {"account_id": account_id, "escalation_id": row["id"]}
        sql.escalations.write_queue_refs.run(cur, **ids, queue_ids=referenced_queue_ids(payload))
        escalation = sql.escalations.get_escalation.one(cur, **ids)
        audit.record(cur, "escalation.create", "escalation", row["id"], after=escalation)
    return {"escalation": escalation}, 201


@bp.post("/escalations/update")
@returns(EscalationEnvelope, errors=(404, 409))
@requires(Ability.WORKFLOW_WRITE, feature=FEATURE)
@body(EscalationUpdate)
def update_escalation(payload):
    """Change an escalation; `conditions`, `target` and `actions` replace their whole part."""
    account_id = current_principal().account_id
    ids = {"account_id": account_id, "escalation_id": payload["id"]}
    editable = ("name", "enabled", "position", "conditions", "target", "actions")
    with transaction() as cur:
        if "position" in payload:  # moving shifts others: serialise with creates and deletes
            sql.accounts.lock_account.one(cur, account_id=account_id)
        current = sql.escalations.lock_escalation.one(cur, **ids)
        if current is None:
            raise NotFound("escalation", payload["id"])
        before = sql.escalations.get_escalation.one(cur, **ids)
        if not (changed := changes(current, payload, editable)):
            return {"escalation": before}
        if "position" in changed:
            count = sql.escalations.count_escalations.one(cur, account_id=account_id)
            if changed["position"] > count["escalation_count"]:
                raise ValidationFailed(
                    {"position": [f"Must be between 1 and {count['escalation_count']}."]}
                )
            sql.escalations.move_escalation.run(
                cur, **ids, position=changed["position"], old_position=current["position"]
            )
        check_references(cur, account_id, changed.get("conditions"), changed.get("actions"))
        merged = {**current, **changed}
        sql.escalations.update_escalation.run(cur, **ids, **_columns(merged))
        if "conditions" in changed or "actions" in changed:
            sql.escalations.write_queue_refs.run(cur, **ids, queue_ids=referenced_queue_ids(merged))
        escalation = sql.escalations.get_escalation.one(cur, **ids)
        audit.record(cur, "escalation.update", "escalation", payload["id"], before, escalation)
    return {"escalation": escalation}


@bp.post("/escalations/delete")
@returns(EscalationDeleted, errors=(404,))
@requires(Ability.WORKFLOW_WRITE, feature=FEATURE)
@body(EscalationDelete)
def delete_escalation(payload):
    """Delete an escalation; the ones after it move up a position."""
    account_id = current_principal().account_id
    ids = {"account_id": account_id, "escalation_id": payload["id"]}
    with transaction() as cur:
        sql.accounts.lock_account.one(cur, account_id=account_id)  # positions shift
        before = sql.escalations.get_escalation.one(cur, **ids)
        if before is None:
            raise NotFound("escalation", payload["id"])
        sql.escalations.delete_escalation.run(cur, **ids)
        sql.escalations.close_position_gap.run(
            cur, account_id=account_id, position=before["position"]
        )
        audit.record(
            cur, "escalation.delete", "escalation", payload["id"], before, {"deleted": True}
        )
    return {"deleted": True, "id": payload["id"]}


@bp.post("/business-hours/update")
@returns(BusinessHoursEnvelope, errors=(409,))
@requires(Ability.WORKFLOW_WRITE, feature=FEATURE)
@body(BusinessHoursUpdate)
def update_business_hours(payload):
    """Replace the parts of the business hours sent; `schedule` replaces only the weekdays named."""
    account_id = current_principal().account_id
    with transaction() as cur:
        current = render_business_hours(
            sql.business_hours.lock_business_hours.one(cur, account_id=account_id)
        )
        wanted = dict(payload)
        if "schedule" in payload:  # the weekdays sent replace theirs; the others keep theirs
            wanted["schedule"] = {**current["schedule"], **payload["schedule"]}
        if not (changed := changes(current, wanted, ("timezone", "schedule", "holidays"))):
            return {"business_hours": current}
        merged = {**current, **changed}
        row = sql.business_hours.update_business_hours.one(
            cur,
            account_id=account_id,
            timezone=merged["timezone"],
            schedule=Jsonb(merged["schedule"]),
            holidays=Jsonb(merged["holidays"]),
        )
        hours = render_business_hours(row)
        audit.record(cur, "business_hours.update", "business_hours", None, current, hours)
    return {"business_hours": hours}


@bp.post("/business-hours/preview")
@returns(BusinessHoursPreviewed, errors=())
@requires(Ability.WORKFLOW_READ, feature=FEATURE)
@body(BusinessHoursPreview)
def preview_business_hours(payload):
    """When `minutes` business minutes from `start` end, and how many have elapsed since it."""
    with read_cursor() as cur:
        row = sql.business_hours.get_business_hours.one(
            cur, account_id=current_principal().account_id
        )
    hours = render_business_hours(row)
    return preview(hours, payload["start"], payload["minutes"], datetime.now(UTC))
