"""Business hours: the update and preview bodies, and the hours as the API shows them."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from itertools import pairwise
from zoneinfo import available_timezones

from marshmallow import Schema, ValidationError, fields, post_load, validates_schema

from tickiti_workflow.business_time import MAX_TARGET_MINUTES
from tickiti_workflow.web.body import Bool, BoundedList, ExpectedVersion, Int, Name, StrictSchema
from tickiti_workflow.web.openapi import envelope

MAX_INTERVALS_PER_DAY = 6
MAX_HOLIDAYS = 500
MAX_HOLIDAY_DAYS = 366
PREVIEW_YEARS = (1970, 2999)
_HH_MM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


@cache
def iana_timezones() -> frozenset[str]:
    # "localtime" and "Factory" are files of the zone database, not zones a business is in.
    return frozenset(available_timezones() - {"localtime", "Factory"})


def _timezone(value: str) -> None:
    if value not in iana_timezones():
        raise ValidationError("Must be an IANA time zone name, e.g. 'Europe/Berlin' or 'UTC'.")


class LocalTime(fields.String):
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
    start = LocalTime(required=True)
    end = LocalTime(required=True, allow_midnight_end=True)

    @validates_schema
    def _start_before_end(self, data, **_):
        if data["start"] >= data["end"]:
            raise ValidationError("Must be later than start.", "end")


class DayIntervals(fields.List):
    """A weekday's intervals: at most six, sorted, neither overlapping nor touching."""

    def __init__(self, **kw):
        super().__init__(fields.Nested(Interval), **kw)

    def _deserialize(self, value, attr, data, **kwargs) -> list[dict]:  # type: ignore[override]
        if isinstance(value, list) and len(value) > MAX_INTERVALS_PER_DAY:
            raise ValidationError(f"At most {MAX_INTERVALS_PER_DAY} intervals a day.")
        intervals: list[dict] = super()._deserialize(value, attr, data, **kwargs)  # type: ignore[assignment]
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


ISO_DATE: dict = {"invalid": "Must be an ISO date 'YYYY-MM-DD'."}


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
    holidays = BoundedList(fields.Nested(Holiday), max_length=MAX_HOLIDAYS)


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


BusinessHoursEnvelope = envelope("BusinessHoursEnvelope", "business_hours", BusinessHours)


class BusinessHoursPreviewed(Schema):
    due_at = fields.DateTime(required=True)
    business_minutes = fields.Integer(required=True)
