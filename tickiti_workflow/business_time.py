"""Business-time arithmetic: business time between two instants, and when N business minutes end.

Business time is wall-clock time in the account's zone (docs/API.md, "Business hours"): an instant
counts when its local time lies inside an interval of its local weekday and its local date is no
holiday. Elapsed business time is real elapsed time, so repeated local times after a fall-back
change count twice and skipped ones (a spring-forward gap) count not at all.

Internally every time is an integer number of microseconds since 1970-01-01T00:00: real instants
on the UTC scale, wall-clock times on the same scale read as naive local time. Between two UTC
offset changes the local time is the instant plus a constant offset, so each such stretch is
computed in closed form on a plain 7-day cycle, corrected for the runs of holidays it contains.
Nothing loops over minutes, days or weeks; the work grows with the offset changes and holiday
runs crossed, not with the span.
"""

from __future__ import annotations

import calendar
import heapq
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache, cached_property, lru_cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from .rules import RuleBroken

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_US = timedelta(microseconds=1)
_SECOND = 1_000_000
_MINUTE = 60 * _SECOND
_DAY = 24 * 60 * _MINUTE
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# 1970-01-01 was a Thursday; adding this makes `day + _MONDAY_SHIFT` divisible by 7 on Mondays.
_MONDAY_SHIFT = 3
# A due time this far beyond where it would fall without holidays means the holidays never end.
_HORIZON = 3653 * _DAY
_MIN_YEAR, _MAX_YEAR = 1, 9998


class NoBusinessTime(ValueError):
    """The business hours leave no business time to count towards a due time."""


@dataclass(frozen=True)
class ClosedDays:
    """Whole local days off, from start_date to end_date inclusive; recurring ones every year."""

    name: str
    start_date: date
    end_date: date
    recurring: bool = False

    def ranges_in(self, year: int) -> Iterator[tuple[date, date]]:
        """Yield the inclusive date ranges this holiday covers within `year`."""
        first, last = date(year, 1, 1), date(year, 12, 31)
        if not self.recurring:
            lo, hi = max(self.start_date, first), min(self.end_date, last)
            if lo <= hi:
                yield lo, hi
            return
        # A recurring holiday matches by month and day, so Feb 29 only exists in leap years.
        start_md = (self.start_date.month, self.start_date.day)
        end_md = (self.end_date.month, self.end_date.day)
        years = self.end_date.year - self.start_date.year
        if years == 0:
            ranges = [(_on_or_after(year, start_md), _on_or_before(year, end_md))]
        elif years == 1 and end_md < start_md:
            ranges = [(first, _on_or_before(year, end_md)), (_on_or_after(year, start_md), last)]
        else:
            ranges = [(first, last)]
        yield from ((lo, hi) for lo, hi in ranges if lo <= hi)


@dataclass(frozen=True)
class BusinessCalendar:
    """An account's business hours: local weekly intervals in minutes, a zone and holidays.

    Treat an instance as immutable: what the calculations need is derived on first use, and
    shared with equal instances, so building one per request from stored JSON stays cheap.
    """

    timezone: str
    # "monday".."sunday" -> sorted (start, end) minutes since local midnight, end <= 1440;
    # a missing weekday is closed.
    schedule: dict[str, list[tuple[int, int]]]
    holidays: list[ClosedDays] = field(default_factory=list)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> BusinessCalendar:
        """Build from the API shape (`{"start": "09:00", "end": "17:00"}`, ISO dates)."""
        return cls(
            timezone=obj["timezone"],
            schedule={
                day: [(_minutes(i["start"]), _minutes(i["end"])) for i in intervals]
                for day, intervals in obj["schedule"].items()
            },
            holidays=[
                ClosedDays(
                    name=h["name"],
                    start_date=date.fromisoformat(h["start_date"]),
                    end_date=date.fromisoformat(h["end_date"]),
                    recurring=h.get("recurring", False),
                )
                for h in obj.get("holidays", [])
            ],
        )

    @cached_property
    def _plan(self) -> _Plan:
        schedule = tuple(
            tuple((start, end) for start, end in self.schedule.get(day, ())) for day in WEEKDAYS
        )
        return _compile(self.timezone, schedule, tuple(self.holidays))


DEFAULT = BusinessCalendar(
    timezone="UTC",
    schedule={day: [(9 * 60, 17 * 60)] for day in WEEKDAYS[:5]},
)


def due_at(hours: BusinessCalendar, start: datetime, minutes: int) -> datetime:
    """Return (in UTC) the earliest instant by which `minutes` business minutes have elapsed."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    return due_after(hours, start, timedelta(minutes=minutes))


def due_after(hours: BusinessCalendar, start: datetime, amount: timedelta) -> datetime:
    """Return (in UTC) the earliest instant by which `amount` of business time has elapsed."""
    remaining = amount // _US
    if remaining < 0:
        raise ValueError("amount must not be negative")
    if remaining == 0:
        return start.astimezone(UTC)
    plan = hours._plan
    if not plan.week:
        raise NoBusinessTime("the schedule has no business hours")
    t = _instant(start)
    horizon = t + (remaining // plan.week + 1) * 7 * _DAY + _HORIZON
    while t < horizon:
        offset, until = plan.timeline.piece(t)
        local_due = plan.reach(t + offset, remaining, until + offset)
        if local_due is not None:
            return _EPOCH + (local_due - offset) * _US
        remaining -= plan.between(t + offset, until + offset)
        t = until
    raise NoBusinessTime("holidays leave no business time")


def business_time_between(hours: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Return the business time within [start, end); zero when end <= start."""
    plan = hours._plan
    t, stop = _instant(start), _instant(end)
    total = 0
    while t < stop:
        offset, until = plan.timeline.piece(t)
        until = min(until, stop)
        total += plan.between(t + offset, until + offset)
        t = until
    return total * _US


def open_ranges(
    hours: BusinessCalendar, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """Return the business hours within [start, end) as UTC ranges, in time order.

    Adjacent ranges are joined, so their lengths sum to `business_time_between(start, end)`,
    and walking them until `amount` is used up ends at `due_after(start, amount)`: the
    background recompute arms due times in SQL by walking these ranges.
    """
    plan = hours._plan
    t, stop = _instant(start), _instant(end)
    ranges: list[list[int]] = []
    while t < stop:
        offset, until = plan.timeline.piece(t)
        until = min(until, stop)
        a, b = t + offset, until + offset  # local times
        first_day, last_day = a // _DAY, (b - 1) // _DAY
        runs = plan._holiday_runs(first_day, last_day) if plan.holidays else None
        for day in range(first_day, last_day + 1):
            if runs is not None:
                i = bisect_left(runs.lasts, day)
                if i < len(runs.firsts) and runs.firsts[i] <= day:
                    continue
            midnight = day * _DAY
            for begin, finish in plan.day_intervals[(day + _MONDAY_SHIFT) % 7]:
                lo, hi = max(midnight + begin, a) - offset, min(midnight + finish, b) - offset
                if lo >= hi:
                    continue
                if ranges and ranges[-1][1] == lo:
                    ranges[-1][1] = hi
                else:
                    ranges.append([lo, hi])
        t = until
    return [(_EPOCH + lo * _US, _EPOCH + hi * _US) for lo, hi in ranges]


def business_minutes_between(hours: BusinessCalendar, start: datetime, end: datetime) -> float:
    """Return the business minutes within [start, end); zero when end <= start."""
    return business_time_between(hours, start, end) / timedelta(minutes=1)


# --- The account's hours as the API shows them, and the preview of a target ------------------

# A target is at most a year of minutes.
MAX_TARGET_MINUTES = 525_600
# A preview whose due time lies further out than this is refused rather than computed.
MAX_PREVIEW_YEARS = 100
HOLIDAY_KEYS = ("name", "start_date", "end_date", "recurring")
HOURS_COLUMNS = ("timezone", "schedule", "holidays", "version", "updated_at")


def render_business_hours(row: Mapping[str, Any]) -> dict[str, Any]:
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


def _no_business_time(reason: str) -> RuleBroken:
    return RuleBroken(
        {"business_hours": [reason]},
        f"{reason} Change the business hours (business-hours/update) to preview a due time.",
    )


def preview(hours_json: Mapping[str, Any], start: datetime, minutes: int, now: datetime) -> dict:
    """When ``minutes`` business minutes from ``start`` end, and how many elapsed until ``now``.

    ``hours_json`` is the API shape (render_business_hours). Raises RuleBroken when the hours
    have no business time, or too little to reach the due time within MAX_PREVIEW_YEARS.
    """
    hours = BusinessCalendar.from_json(hours_json)
    weekly = sum(hi - lo for day in hours.schedule.values() for lo, hi in day)
    if weekly == 0:
        raise _no_business_time("The schedule has no business time: every weekday is closed.")
    if minutes / weekly * 7 > MAX_PREVIEW_YEARS * 365:
        raise RuleBroken(
            {
                "minutes": [
                    f"With {weekly} business minutes a week this lies more than "
                    f"{MAX_PREVIEW_YEARS} years ahead."
                ]
            }
        )
    try:
        due = due_at(hours, start, minutes)
    except NoBusinessTime:
        raise _no_business_time(
            "The holidays leave no business time (or too little to reach this many minutes)."
        ) from None
    elapsed = business_minutes_between(hours, start, now) if start < now else 0
    return {"due_at": due, "business_minutes": math.floor(elapsed)}


@lru_cache(maxsize=1024)
def _compile(
    timezone: str,
    schedule: tuple[tuple[tuple[int, int], ...], ...],
    holidays: tuple[ClosedDays, ...],
) -> _Plan:
    """Return the plan for these business hours, shared by all equal BusinessCalendar."""
    return _Plan(timezone, schedule, holidays)


class _Plan:
    """Business hours compiled for closed-form arithmetic on local microsecond times."""

    def __init__(
        self,
        timezone: str,
        schedule: tuple[tuple[tuple[int, int], ...], ...],
        holidays: tuple[ClosedDays, ...],
    ) -> None:
        self.timeline = _timeline(timezone)
        self.holidays = holidays
        self.day_intervals: list[tuple[tuple[int, int], ...]] = []
        # Business time in the week before each weekday begins (index 7: the whole week).
        self.day_before = [0]
        # The week's interval ends as offsets from Monday 00:00, with running business totals.
        self.week_ends: list[int] = []
        self.week_totals: list[int] = []
        for weekday, (name, intervals) in enumerate(zip(WEEKDAYS, schedule, strict=True)):
            previous_end = 0
            for start, end in intervals:
                if not previous_end <= start < end <= 1440:
                    raise ValueError(f"schedule.{name} intervals must be sorted, within the day")
                previous_end = end
            day = tuple((start * _MINUTE, end * _MINUTE) for start, end in intervals)
            self.day_intervals.append(day)
            total = self.day_before[-1]
            for start, end in day:
                self.week_ends.append(weekday * _DAY + end)
                total += end - start
                self.week_totals.append(total)
            self.day_before.append(total)
        self.week = self.day_before[7]
        # Replaced whole, never changed in place, so threads sharing the plan need no lock.
        self._runs: _HolidayRuns | None = None

    def cumulative(self, local: int) -> int:
        """Business time from the local epoch's Monday to `local`, holidays ignored."""
        day, time_of_day = divmod(local, _DAY)
        weeks, weekday = divmod(day + _MONDAY_SHIFT, 7)
        total = weeks * self.week + self.day_before[weekday]
        for start, end in self.day_intervals[weekday]:
            if time_of_day <= start:
                break
            total += min(time_of_day, end) - start
        return total

    def first_reaching(self, total: int) -> int:
        """Earliest local time whose `cumulative` equals `total` (holidays ignored)."""
        weeks, rest = divmod(total, self.week)
        if not rest:
            # Earliest means the end of the last interval before, not the start of the next.
            weeks, rest = weeks - 1, self.week
        i = bisect_left(self.week_totals, rest)
        week_start = (weeks * 7 - _MONDAY_SHIFT) * _DAY
        return week_start + self.week_ends[i] - (self.week_totals[i] - rest)

    def between(self, a: int, b: int) -> int:
        """Business time within local [a, b)."""
        total_a, total_b = self.cumulative(a), self.cumulative(b)
        total = total_b - total_a
        if self.holidays:
            first_day, last_day = a // _DAY, (b - 1) // _DAY
            runs = self._holiday_runs(first_day, last_day)
            for i in range(bisect_left(runs.lasts, first_day), len(runs.firsts)):
                if runs.firsts[i] > last_day:
                    break
                # `cumulative` never decreases, so clipping totals clips the times.
                total -= min(total_b, runs.end_totals[i]) - max(total_a, runs.start_totals[i])
        return total

    def reach(self, a: int, amount: int, limit: int) -> int | None:
        """Earliest local x with `amount` business time in [a, x), or None if x would pass limit."""
        total_a = self.cumulative(a)
        target = total_a + amount
        if self.holidays:
            first_day, last_day = a // _DAY, (limit - 1) // _DAY
            runs = self._holiday_runs(first_day, last_day)
            for i in range(bisect_left(runs.lasts, first_day), len(runs.firsts)):
                if runs.firsts[i] > last_day or target <= runs.start_totals[i]:
                    break
                # The due time runs into these holidays: their business time has to come later.
                target += runs.end_totals[i] - max(total_a, runs.start_totals[i])
        due = self.first_reaching(target)
        return due if due <= limit else None

    def _holiday_runs(self, first_day: int, last_day: int) -> _HolidayRuns:
        """Return the runs of consecutive holidays, listed at least for first_day..last_day.

        When the listed years must grow, they grow by at least as many years as are listed
        already, so a walk across N years lists O(N) years in all, not O(N²).
        """
        runs = self._runs
        if runs is None or not runs.from_day <= first_day <= last_day < runs.until_day:
            first_year, last_year = _year_of_day(first_day), _year_of_day(last_day)
            if runs is not None:
                have_first, have_last = runs.first_year, runs.last_year
                span = have_last - have_first + 1
                if first_year < have_first:
                    first_year = min(first_year, have_first - span)
                if last_year > have_last:
                    last_year = max(last_year, have_last + span)
                first_year = max(_MIN_YEAR, min(first_year, have_first))
                last_year = min(_MAX_YEAR, max(last_year, have_last))
            runs = self._runs = self._list_runs(first_year, last_year)
        return runs

    def _list_runs(self, first_year: int, last_year: int) -> _HolidayRuns:
        """List the runs in whole years: linear in the years times the holidays' date ranges.

        A recurring holiday falls on the same days of every year of the same length, so the
        merged ranges of all recurring holidays are worked out once for a common and once for
        a leap year and shifted to each year; one-off holidays are clipped to the years.
        """
        recurring = [h for h in self.holidays if h.recurring]
        patterns: dict[bool, list[tuple[int, int]]] = {}
        yearly: list[tuple[int, int]] = []  # in date order already
        for year in range(first_year, last_year + 1):
            base = _day_number(date(year, 1, 1))
            leap = calendar.isleap(year)
            if leap not in patterns:
                patterns[leap] = _merged(
                    [
                        (_day_number(lo) - base, _day_number(hi) - base)
                        for holiday in recurring
                        for lo, hi in holiday.ranges_in(year)
                    ]
                )
            yearly.extend([(base + lo, base + hi) for lo, hi in patterns[leap]])
        first, last = date(first_year, 1, 1), date(last_year, 12, 31)
        one_off = []
        for holiday in self.holidays:
            if not holiday.recurring:
                lo, hi = max(holiday.start_date, first), min(holiday.end_date, last)
                if lo <= hi:
                    one_off.append((_day_number(lo), _day_number(hi)))
        merged = _merged(list(heapq.merge(yearly, sorted(one_off))), presorted=True)
        firsts = [lo for lo, _ in merged]
        lasts = [hi for _, hi in merged]
        # `cumulative` at midnight, inlined: whole weeks plus the week's days before.
        week, before = self.week, self.day_before
        return _HolidayRuns(
            first_year=first_year,
            last_year=last_year,
            from_day=_year_start(first_year) // _DAY,
            until_day=_year_start(last_year + 1) // _DAY,
            firsts=firsts,
            lasts=lasts,
            start_totals=[
                (d + _MONDAY_SHIFT) // 7 * week + before[(d + _MONDAY_SHIFT) % 7] for d in firsts
            ],
            end_totals=[
                (d + 1 + _MONDAY_SHIFT) // 7 * week + before[(d + 1 + _MONDAY_SHIFT) % 7]
                for d in lasts
            ],
        )


def _merged(ranges: list[tuple[int, int]], presorted: bool = False) -> list[tuple[int, int]]:
    """Inclusive day ranges sorted, with overlapping and adjacent ones joined."""
    merged: list[tuple[int, int]] = []
    for lo, hi in ranges if presorted else sorted(ranges):
        if merged and lo <= merged[-1][1] + 1:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


class _HolidayRuns(NamedTuple):
    """Runs of consecutive holidays in the whole years from from_day to before until_day."""

    first_year: int
    last_year: int
    from_day: int
    until_day: int
    firsts: list[int]
    lasts: list[int]
    # `cumulative` at the start of each run's first day and at the end of its last day.
    start_totals: list[int]
    end_totals: list[int]


class _Timeline:
    """A zone's UTC offset changes, found lazily for a growing span of whole years."""

    def __init__(self, zone_key: str) -> None:
        self.zone = ZoneInfo(zone_key)
        # (start, end, changes, offsets): offsets[i] holds from instant changes[i] until the next
        # change or the end; changes[0] is the start. Replaced whole, so threads need no lock.
        self._span: tuple[int, int, list[int], list[int]] | None = None

    def piece(self, t: int) -> tuple[int, int]:
        """Return the UTC offset in force at instant t and the instant until which it holds."""
        span = self._span
        if span is None or not span[0] <= t < span[1]:
            span = self._span = self._extend(t)
        _, end, changes, offsets = span
        i = bisect_right(changes, t)
        return offsets[i - 1], changes[i] if i < len(changes) else end

    def _extend(self, t: int) -> tuple[int, int, list[int], list[int]]:
        """Return the span grown by whole years to hold instant t."""
        year_start = _year_start(_year_of_day(t // _DAY))
        year_end = _year_start(_year_of_day(t // _DAY) + 1)
        if self._span is None:
            return (year_start, year_end, *self._sample(year_start, year_end))
        start, end, changes, offsets = self._span
        parts = [(changes, offsets)]
        if t < start:
            parts.insert(0, self._sample(year_start, start))
            start = year_start
        else:
            parts.append(self._sample(end, year_end))
            end = year_end
        merged_changes: list[int] = []
        merged_offsets: list[int] = []
        for part_changes, part_offsets in parts:
            for change, offset in zip(part_changes, part_offsets, strict=True):
                # Where two parts meet there is only a change if the offset differs.
                if not merged_offsets or merged_offsets[-1] != offset:
                    merged_changes.append(change)
                    merged_offsets.append(offset)
        return start, end, merged_changes, merged_offsets

    def _sample(self, start: int, end: int) -> tuple[list[int], list[int]]:
        """Return the offset changes in [start, end), led by start itself with its offset."""
        # zoneinfo has no public list of transitions, so sample it. Since 1900 no zone in tzdata
        # has changed its offset twice within 95 hours, so daily samples see every change.
        changes, offsets = [start], [_offset_at(self.zone, start)]
        previous = start
        for sample in [*range(start + _DAY, end, _DAY), end - _SECOND]:
            offset = _offset_at(self.zone, sample)
            if offset != offsets[-1]:
                # Transitions fall on whole seconds; find the first second of the new offset.
                lo, hi = previous, sample
                while hi - lo > _SECOND:
                    mid = lo + (hi - lo) // (2 * _SECOND) * _SECOND
                    if _offset_at(self.zone, mid) == offsets[-1]:
                        lo = mid
                    else:
                        hi = mid
                changes.append(hi)
                offsets.append(offset)
            previous = sample
        return changes, offsets


@cache
def _timeline(zone_key: str) -> _Timeline:
    return _Timeline(zone_key)


def _offset_at(zone: ZoneInfo, t: int) -> int:
    return (_EPOCH + t * _US).astimezone(zone).utcoffset() // _US  # type: ignore[operator]


def _instant(moment: datetime) -> int:
    if moment.utcoffset() is None:
        raise ValueError("business time needs timezone-aware datetimes")
    return (moment - _EPOCH) // _US


def _year_start(year: int) -> int:
    return _day_number(date(year, 1, 1)) * _DAY


def _year_of_day(day: int) -> int:
    return date.fromordinal(day + _EPOCH_ORDINAL).year


def _day_number(day: date) -> int:
    return day.toordinal() - _EPOCH_ORDINAL


def _on_or_after(year: int, month_day: tuple[int, int]) -> date:
    try:
        return date(year, *month_day)
    except ValueError:  # Feb 29 outside a leap year
        return date(year, 3, 1)


def _on_or_before(year: int, month_day: tuple[int, int]) -> date:
    try:
        return date(year, *month_day)
    except ValueError:  # Feb 29 outside a leap year
        return date(year, 2, 28)


def _minutes(hh_mm: str) -> int:
    hours, minutes = hh_mm.split(":")
    return int(hours) * 60 + int(minutes)
