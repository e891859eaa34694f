"""Business-time arithmetic: business time between two instants, and when N business minutes end.

Business time is wall-clock time in the account's zone (see SPEC.md, "Business hours"): an instant
counts when its local time lies inside an interval of its local weekday and its local date is no
holiday. Elapsed business time is real elapsed time, so repeated local times after a fall-back
change count twice and skipped ones (a spring-forward gap) count not at all.

Internally every time is an integer number of microseconds since 1970-01-01T00:00: real instants
on the UTC scale, wall-clock times on the same scale read as naive local time. Between two UTC
offset changes the local time is the instant plus a constant offset, so each such stretch is
computed in closed form on a plain 7-day cycle, corrected for the holidays it contains. No loop
runs over minutes, days or weeks.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

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


class NoBusinessTime(ValueError):
    """The business hours leave no business time to count towards a due time."""


@dataclass(frozen=True)
class Holiday:
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
class BusinessHours:
    """An account's business hours: local weekly intervals in minutes, a zone and holidays."""

    timezone: str
    # "monday".."sunday" -> sorted (start, end) minutes since local midnight, end <= 1440;
    # a missing weekday is closed.
    schedule: dict[str, list[tuple[int, int]]]
    holidays: list[Holiday] = field(default_factory=list)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> BusinessHours:
        """Build from the API shape (`{"start": "09:00", "end": "17:00"}`, ISO dates)."""
        return cls(
            timezone=obj["timezone"],
            schedule={
                day: [(_minutes(i["start"]), _minutes(i["end"])) for i in intervals]
                for day, intervals in obj["schedule"].items()
            },
            holidays=[
                Holiday(
                    name=h["name"],
                    start_date=_date(h["start_date"]),
                    end_date=_date(h["end_date"]),
                    recurring=h.get("recurring", False),
                )
                for h in obj.get("holidays", [])
            ],
        )

    @cached_property
    def _plan(self) -> _Plan:
        return _Plan(self)


DEFAULT = BusinessHours(
    timezone="UTC",
    schedule={day: [(9 * 60, 17 * 60)] for day in WEEKDAYS[:5]},
)


def due_at(hours: BusinessHours, start: datetime, minutes: int) -> datetime:
    """Return (in UTC) the earliest instant by which `minutes` business minutes have elapsed."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    if minutes == 0:
        return start.astimezone(UTC)
    plan = hours._plan
    if not plan.week:
        raise NoBusinessTime("the schedule has no business hours")
    t = _instant(start)
    remaining = minutes * _MINUTE
    horizon = t + (remaining // plan.week + 1) * 7 * _DAY + _HORIZON
    while t < horizon:
        offset, until = _offset_piece(hours.timezone, t)
        local_due = plan.reach(t + offset, remaining, until + offset)
        if local_due is not None:
            return _EPOCH + (local_due - offset) * _US
        remaining -= plan.between(t + offset, until + offset)
        t = until
    raise NoBusinessTime("holidays leave no business time")


def business_time_between(hours: BusinessHours, start: datetime, end: datetime) -> timedelta:
    """Return the business time within [start, end); zero when end <= start."""
    plan = hours._plan
    t, stop = _instant(start), _instant(end)
    total = 0
    while t < stop:
        offset, until = _offset_piece(hours.timezone, t)
        until = min(until, stop)
        total += plan.between(t + offset, until + offset)
        t = until
    return total * _US


def business_minutes_between(hours: BusinessHours, start: datetime, end: datetime) -> float:
    """Return the business minutes within [start, end); zero when end <= start."""
    return business_time_between(hours, start, end) / timedelta(minutes=1)


class _Plan:
    """Business hours compiled for closed-form arithmetic on local microsecond times."""

    def __init__(self, hours: BusinessHours) -> None:
        self.holidays = tuple(hours.holidays)
        self.day_intervals: list[tuple[tuple[int, int], ...]] = []
        # Business time in the week before each weekday begins (index 7: the whole week).
        self.day_before = [0]
        # The week's interval ends as offsets from Monday 00:00, with running business totals.
        self.week_ends: list[int] = []
        self.week_totals: list[int] = []
        for weekday, name in enumerate(WEEKDAYS):
            intervals = tuple(hours.schedule.get(name, ()))
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
        self._runs: dict[int, tuple[list[int], list[int]]] = {}

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
        total = self.cumulative(b) - self.cumulative(a)
        for first, last in self._closures(a // _DAY, (b - 1) // _DAY):
            total -= self.cumulative(min(b, (last + 1) * _DAY)) - self.cumulative(max(a, first * _DAY))
        return total

    def reach(self, a: int, amount: int, limit: int) -> int | None:
        """Earliest local x with `amount` business time in [a, x), or None if x would pass limit."""
        target = self.cumulative(a) + amount
        due = self.first_reaching(target)
        for first, last in self._closures(a // _DAY, (limit - 1) // _DAY):
            closed_from = max(a, first * _DAY)
            if due <= closed_from:
                break
            # The due time runs into these holidays: their business time has to be found later.
            target += self.cumulative((last + 1) * _DAY) - self.cumulative(closed_from)
            due = self.first_reaching(target)
        return due if due <= limit else None

    def _closures(self, first_day: int, last_day: int) -> Iterator[tuple[int, int]]:
        """Yield, in order, the runs of holiday day numbers that touch first_day..last_day."""
        if not self.holidays:
            return
        for year in range(_year_of_day(first_day), _year_of_day(last_day) + 1):
            firsts, lasts = self._holiday_runs(year)
            for i in range(bisect_left(lasts, first_day), len(firsts)):
                if firsts[i] > last_day:
                    return
                yield firsts[i], lasts[i]

    def _holiday_runs(self, year: int) -> tuple[list[int], list[int]]:
        """Return the first and last day numbers of each run of consecutive holidays in `year`."""
        runs = self._runs.get(year)
        if runs is None:
            days: set[int] = set()
            for holiday in self.holidays:
                for lo, hi in holiday.ranges_in(year):
                    days.update(range(_day_number(lo), _day_number(hi) + 1))
            firsts: list[int] = []
            lasts: list[int] = []
            for day in sorted(days):
                if lasts and lasts[-1] == day - 1:
                    lasts[-1] = day
                else:
                    firsts.append(day)
                    lasts.append(day)
            runs = self._runs[year] = (firsts, lasts)
        return runs


def _offset_piece(zone_key: str, t: int) -> tuple[int, int]:
    """Return the UTC offset in force at instant t and the instant until which it surely holds."""
    year = _year_of_day(t // _DAY)
    changes, offsets = _offset_changes(zone_key, year)
    i = bisect_right(changes, t)
    until = changes[i] if i < len(changes) else _year_start(year + 1)
    return offsets[i], until


@lru_cache(maxsize=4096)
def _offset_changes(zone_key: str, year: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Return the instants in `year` where the zone's UTC offset changes, and the offsets.

    offsets[0] holds from the start of the year, offsets[i] from changes[i - 1] on.
    """
    zone = ZoneInfo(zone_key)
    start, end = _year_start(year), _year_start(year + 1)
    changes: list[int] = []
    offsets = [_offset_at(zone, start)]
    # zoneinfo has no public list of transitions, so sample it. Since 1900 no zone in tzdata has
    # changed its offset twice within 95 hours, so daily samples see every change.
    previous = start
    for sample in [*range(start + _DAY, end, _DAY), end - _SECOND]:
        offset = _offset_at(zone, sample)
        if offset != offsets[-1]:
            # Transitions fall on whole seconds; find the first second of the new offset.
            lo, hi = previous, sample
            while hi - lo > _SECOND:
                mid = lo + (hi - lo) // (2 * _SECOND) * _SECOND
                if _offset_at(zone, mid) == offsets[-1]:
                    lo = mid
                else:
                    hi = mid
            changes.append(hi)
            offsets.append(offset)
        previous = sample
    return tuple(changes), tuple(offsets)


def _offset_at(zone: ZoneInfo, t: int) -> int:
    return (_EPOCH + t * _US).astimezone(zone).utcoffset() // _US


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


def _date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
