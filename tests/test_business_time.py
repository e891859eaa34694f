"""Tests for the business-time engine, against a minute-by-minute reference and by hand."""

import itertools
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tickiti_workflow.business_time import (
    DEFAULT,
    WEEKDAYS,
    BusinessCalendar,
    ClosedDays,
    NoBusinessTime,
    business_minutes_between,
    business_time_between,
    due_at,
    open_ranges,
)

MINUTE = timedelta(minutes=1)
BERLIN = ZoneInfo("Europe/Berlin")
NINE_TO_FIVE = [(9 * 60, 17 * 60)]

# In the years tested every offset and offset change of these zones falls on a whole minute, so
# an instant is business time or not for a whole real UTC minute; the reference relies on that.
ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "America/Santiago",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Adelaide",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Pacific/Auckland",
]
DST_ZONES = [zone for zone in ZONES if zone not in ("UTC", "Asia/Kolkata", "Asia/Kathmandu")]
# The reference walks at most this many real minutes (10 days) per example.
WALK_LIMIT = 10 * 24 * 60


def office_hours(zone: str, holidays: list[ClosedDays] | None = None) -> BusinessCalendar:
    return BusinessCalendar(zone, {day: NINE_TO_FIVE for day in WEEKDAYS[:5]}, holidays or [])


def around_the_clock(zone: str) -> BusinessCalendar:
    return BusinessCalendar(zone, {day: [(0, 1440)] for day in WEEKDAYS})


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- Reference: the definition, applied to one real UTC minute at a time ---------------------


def reference_is_holiday(hours: BusinessCalendar, day: date) -> bool:
    for holiday in hours.holidays:
        if not holiday.recurring:
            if holiday.start_date <= day <= holiday.end_date:
                return True
            continue
        month_day = (day.month, day.day)
        first = (holiday.start_date.month, holiday.start_date.day)
        last = (holiday.end_date.month, holiday.end_date.day)
        years = holiday.end_date.year - holiday.start_date.year
        if (
            (years == 0 and first <= month_day <= last)
            or (years == 1 and (month_day >= first or month_day <= last))
            or years > 1
        ):
            return True
    return False


def reference_is_business(hours: BusinessCalendar, minute: datetime) -> bool:
    """Whether the real minute starting at `minute` is business time."""
    local = minute.astimezone(ZoneInfo(hours.timezone))
    if reference_is_holiday(hours, local.date()):
        return False
    minute_of_day = local.hour * 60 + local.minute
    intervals = hours.schedule.get(WEEKDAYS[local.weekday()], [])
    return any(start <= minute_of_day < end for start, end in intervals)


def floor_minute(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def reference_between(hours: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    total = timedelta(0)
    minute = floor_minute(start)
    while minute < end:
        if reference_is_business(hours, minute):
            total += min(minute + MINUTE, end) - max(minute, start)
        minute += MINUTE
    return total


def reference_due(hours: BusinessCalendar, start: datetime, minutes: int) -> datetime | None:
    """The due time in UTC, or None if it lies beyond WALK_LIMIT minutes."""
    # In UTC because an ambiguous local time never equals a datetime in another zone (PEP 495).
    start = start.astimezone(UTC)
    remaining = timedelta(minutes=minutes)
    if not remaining:
        return start
    minute = floor_minute(start)
    for _ in range(WALK_LIMIT):
        if reference_is_business(hours, minute):
            available = minute + MINUTE - max(minute, start)
            if remaining <= available:
                return max(minute, start) + remaining
            remaining -= available
        minute += MINUTE
    return None


# --- Strategies ---------------------------------------------------------------------------------


@lru_cache
def offset_changes(zone_name: str) -> list[datetime]:
    """The instants in 2024-2028 where the zone's UTC offset changes, found by scanning."""
    zone = ZoneInfo(zone_name)

    def offset(moment: datetime) -> timedelta:
        return moment.astimezone(zone).utcoffset()

    changes = []
    moment = utc(2024, 1, 1)
    while moment < utc(2029, 1, 1):
        after = moment + timedelta(hours=12)
        if offset(after) != offset(moment):
            lo, hi = moment, after
            while hi - lo > MINUTE:
                mid = floor_minute(lo + (hi - lo) / 2)
                lo, hi = (mid, hi) if offset(mid) == offset(lo) else (lo, mid)
            changes.append(hi)
        moment = after
    return changes


# Interval boundaries worth hitting: midnight, 24:00, the usual DST hours, office hours.
BOUNDARIES = st.one_of(
    st.sampled_from([0, 60, 90, 120, 150, 180, 540, 1020, 1380, 1410, 1440]),
    st.integers(0, 1440),
)


@st.composite
def day_intervals(draw: st.DrawFn) -> list[tuple[int, int]]:
    points = sorted(draw(st.sets(BOUNDARIES, max_size=6)))
    if len(points) % 2:
        points.pop()
    return list(zip(points[::2], points[1::2], strict=True))


@st.composite
def scenarios(draw: st.DrawFn, before_change: bool = False) -> tuple[BusinessCalendar, datetime]:
    """Business hours with holidays near a start instant, which is often close to a DST change.

    With before_change, the start lies at most 12 hours before a change of the zone's offset.
    """
    zone = draw(st.sampled_from(DST_ZONES if before_change else ZONES))
    changes = offset_changes(zone)
    year_ends = [utc(2027, 12, 24), utc(2028, 2, 27), utc(2025, 12, 29)]
    kind = "dst" if before_change else draw(st.sampled_from(["dst", "dst", "year end", "any"]))
    if kind == "dst" and changes:
        anchor = draw(st.sampled_from(changes))
    elif kind == "any":
        anchor = draw(st.datetimes(datetime(2024, 1, 1), datetime(2028, 12, 1))).replace(tzinfo=UTC)
    else:
        anchor = draw(st.sampled_from(year_ends))
    if before_change:
        seconds = st.integers(-12 * 3600, -1)
    else:
        seconds = st.integers(-6 * 3600, 3600) | st.integers(-2 * 86400, 2 * 3600)
    start = anchor + timedelta(
        seconds=draw(seconds),
        microseconds=draw(st.sampled_from([0, 0, 1, 999_999]) | st.integers(0, 999_999)),
    )
    schedule = {day: draw(day_intervals()) for day in WEEKDAYS if draw(st.integers(0, 5))}
    holidays = []
    for _ in range(draw(st.integers(0, 3))):
        first = start.date() + timedelta(days=draw(st.integers(-4, 6)))
        last = first + timedelta(days=draw(st.integers(0, 10)))
        recurring = draw(st.booleans())
        if recurring:
            # Stored with the year it was entered, often not this one.
            years = draw(st.integers(-3, 2))
            first, last = first + timedelta(days=365 * years), last + timedelta(days=365 * years)
        holidays.append(ClosedDays("h", first, last, recurring))
    if draw(st.booleans()):
        holidays.append(ClosedDays("leap", date(2024, 2, 29), date(2024, 2, 29), recurring=True))
    # The start may be given in any zone.
    start = start.astimezone(ZoneInfo(draw(st.sampled_from(ZONES))))
    return BusinessCalendar(zone, schedule, holidays), start


# --- Property tests: engine == reference ---------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.integers(0, WALK_LIMIT * 60), st.integers(0, 999_999))
def test_business_time_between_matches_reference(scenario, seconds, microseconds):
    hours, start = scenario
    end = start + timedelta(seconds=seconds, microseconds=microseconds)
    expected = reference_between(hours, start, end)
    assert business_time_between(hours, start, end) == expected
    assert business_minutes_between(hours, start, end) == pytest.approx(expected / MINUTE)


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.sampled_from([0, 1, 60, 480]) | st.integers(0, 600) | st.integers(0, 3000))
def test_due_at_matches_reference(scenario, minutes):
    hours, start = scenario
    expected = reference_due(hours, start, minutes)
    if expected is None:
        walked_until = floor_minute(start) + WALK_LIMIT * MINUTE
        try:
            due = due_at(hours, start, minutes)
        except NoBusinessTime:
            assert not any(hours.schedule.values())
        else:
            assert due > walked_until
            assert business_time_between(hours, start, due) == minutes * MINUTE
        return
    due = due_at(hours, start, minutes)
    assert due.tzinfo is UTC
    assert due == expected


@settings(max_examples=200, deadline=None)
@given(scenarios(before_change=True), st.sampled_from([1, 60]) | st.integers(0, 1500))
def test_due_at_across_offset_change_matches_reference(scenario, minutes):
    hours, start = scenario
    expected = reference_due(hours, start, minutes)
    if expected is not None:
        assert due_at(hours, start, minutes) == expected


@settings(max_examples=100, deadline=None)
@given(scenarios(), st.integers(1, 525_600))
def test_due_at_is_exactly_minutes_of_business_time_after_start(scenario, minutes):
    hours, start = scenario
    if not any(hours.schedule.values()):
        return
    due = due_at(hours, start, minutes)
    assert business_time_between(hours, start, due) == minutes * MINUTE
    # Earliest: a microsecond sooner is not enough.
    assert business_time_between(hours, start, due - timedelta(microseconds=1)) < minutes * MINUTE


def walk(ranges: list[tuple[datetime, datetime]], start: datetime, amount: timedelta):
    """Where `amount` of the ranges' time after `start` is used up (None: beyond the last)."""
    for a, b in ranges:
        a = max(a, start)
        if b <= a:
            continue
        if b - a >= amount:
            return a + amount
        amount -= b - a
    return None


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.integers(0, WALK_LIMIT * 60), st.integers(1, 10_000))
def test_open_ranges_are_the_business_time_and_walk_to_the_due_time(scenario, seconds, minutes):
    hours, start = scenario
    end = start + timedelta(seconds=seconds)
    ranges = open_ranges(hours, start, end)
    assert all(r.tzinfo is UTC for pair in ranges for r in pair)
    # In order, apart (adjacent ones are joined), within [start, end), open throughout.
    assert all(a < b for a, b in ranges)
    assert all(b1 < a2 for (_, b1), (a2, _) in itertools.pairwise(ranges))
    assert not ranges or (start <= ranges[0][0] and ranges[-1][1] <= end)
    total = sum((b - a for a, b in ranges), timedelta(0))
    assert total == business_time_between(hours, start, end)
    for a, b in ranges:
        assert business_time_between(hours, a, b) == b - a
    # Walking them is the due time, wherever it falls inside them.
    walked = walk(ranges, start, minutes * MINUTE)
    if walked is not None:
        assert walked == due_at(hours, start, minutes)
    else:
        assert total < minutes * MINUTE


# --- Hand-written pitfalls ----------------------------------------------------------------------


def test_reminder_never_fires_out_of_hours():
    hours = office_hours("Europe/Berlin")
    friday_four_pm = datetime(2026, 6, 5, 16, 0, tzinfo=BERLIN)
    assert due_at(hours, friday_four_pm, 240) == datetime(2026, 6, 8, 12, 0, tzinfo=BERLIN)
    # Ending exactly at closing time is due at closing time, not at the next opening.
    assert due_at(hours, friday_four_pm, 60) == datetime(2026, 6, 5, 17, 0, tzinfo=BERLIN)
    assert due_at(hours, friday_four_pm, 61) == datetime(2026, 6, 8, 9, 1, tzinfo=BERLIN)
    # Started at night, the clock only runs from opening time.
    assert due_at(hours, datetime(2026, 6, 5, 23, 59, tzinfo=BERLIN), 1) == datetime(
        2026, 6, 8, 9, 1, tzinfo=BERLIN
    )


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/New_York", "Pacific/Chatham"])
def test_around_the_clock_is_plain_elapsed_time(zone):
    hours = around_the_clock(zone)
    start = utc(2026, 3, 1, 7, 13, 5, 123)
    for minutes in (1, 59, 24 * 60, 90 * 24 * 60 + 7, 525_600):
        assert due_at(hours, start, minutes) == start + minutes * MINUTE
    end = utc(2027, 1, 1)
    assert business_time_between(hours, start, end) == end - start


@pytest.mark.parametrize(
    ("zone", "day", "hours_in_day"),
    [
        ("Europe/Berlin", date(2026, 3, 29), 23),
        ("Europe/Berlin", date(2026, 10, 25), 25),
        ("America/New_York", date(2026, 3, 8), 23),
        ("America/New_York", date(2026, 11, 1), 25),
        ("Australia/Lord_Howe", date(2026, 4, 5), 24.5),
    ],
)
def test_24_hour_day_counts_real_hours_on_dst_days(zone, day, hours_in_day):
    local_zone = ZoneInfo(zone)
    midnight = datetime(day.year, day.month, day.day, tzinfo=local_zone)
    next_midnight = midnight + timedelta(days=1)  # wall-clock arithmetic: the next local midnight
    minutes = business_minutes_between(around_the_clock(zone), midnight, next_midnight)
    assert minutes == hours_in_day * 60


def test_deadline_across_spring_forward_to_the_minute():
    hours = office_hours("Europe/Berlin")
    friday = datetime(2026, 3, 27, 16, 0, tzinfo=BERLIN)  # CET, +01:00
    assert due_at(hours, friday, 120) == utc(2026, 3, 30, 8, 0)  # Monday 10:00 CEST
    monday = datetime(2026, 3, 30, 17, 0, tzinfo=BERLIN)
    assert business_minutes_between(hours, datetime(2026, 3, 27, 9, tzinfo=BERLIN), monday) == 960

    # Sunday 01:00-04:00 on the change day holds two real hours; 02:30 is in the gap, so an
    # interval from 02:30 starts at 03:00 CEST, the end of the gap.
    night = BusinessCalendar("Europe/Berlin", {"sunday": [(60, 240)]})
    sunday = datetime(2026, 3, 29, tzinfo=BERLIN)
    assert business_minutes_between(night, sunday, sunday + timedelta(days=1)) == 120
    assert due_at(night, sunday, 90) == utc(2026, 3, 29, 1, 30)  # 03:30 CEST
    gap = BusinessCalendar("Europe/Berlin", {"sunday": [(150, 240)]})
    assert business_minutes_between(gap, sunday, sunday + timedelta(days=1)) == 60
    assert due_at(gap, sunday, 1) == utc(2026, 3, 29, 1, 1)  # 03:01 CEST


def test_deadline_across_fall_back_to_the_minute():
    hours = office_hours("Europe/Berlin")
    friday = datetime(2026, 10, 23, 16, 0, tzinfo=BERLIN)  # CEST, +02:00
    assert due_at(hours, friday, 120) == utc(2026, 10, 26, 9, 0)  # Monday 10:00 CET

    # 02:15-02:45 happens twice on the change day, and both count.
    twice = BusinessCalendar("Europe/Berlin", {"sunday": [(135, 165)]})
    sunday = datetime(2026, 10, 25, tzinfo=BERLIN)
    assert business_minutes_between(twice, sunday, sunday + timedelta(days=1)) == 60
    assert due_at(twice, sunday, 30) == utc(2026, 10, 25, 0, 45)  # 02:45 CEST
    assert due_at(twice, sunday, 45) == utc(2026, 10, 25, 1, 30)  # 02:30 CET
    night = BusinessCalendar("Europe/Berlin", {"sunday": [(60, 240)]})
    assert business_minutes_between(night, sunday, sunday + timedelta(days=1)) == 240
    assert due_at(night, sunday, 200) == utc(2026, 10, 25, 2, 20)  # 03:20 CET


def test_holidays_are_local_dates():
    auckland = ZoneInfo("Pacific/Auckland")
    christmas = ClosedDays("Christmas", date(2026, 12, 25), date(2026, 12, 25))
    hours = office_hours("Pacific/Auckland", [christmas])
    thursday = datetime(2026, 12, 24, 16, 0, tzinfo=auckland)
    # Taken as the UTC date instead, Christmas would leave Friday 09:00-13:00 NZDT open and make
    # this due on Friday at 10:00.
    assert due_at(hours, thursday, 120) == datetime(2026, 12, 28, 10, 0, tzinfo=auckland)
    christmas_day = datetime(2026, 12, 25, tzinfo=auckland)
    assert business_minutes_between(hours, christmas_day, christmas_day + timedelta(days=1)) == 0


def test_recurring_holiday_across_year_end():
    winter_break = ClosedDays("Winter break", date(2025, 12, 24), date(2026, 1, 2), recurring=True)
    hours = office_hours("UTC", [winter_break])
    # Monday 2030-12-23 16:00: one hour that day, then closed until Friday 2031-01-03.
    assert due_at(hours, utc(2030, 12, 23, 16), 120) == utc(2031, 1, 3, 10)
    # Earlier years too, on both sides of the year end.
    assert business_minutes_between(hours, utc(2024, 12, 24), utc(2025, 1, 3)) == 0
    assert business_minutes_between(hours, utc(2027, 12, 23), utc(2028, 1, 4)) == 2 * 480


def test_recurring_feb_29_only_in_leap_years():
    leap_day = ClosedDays("Leap day", date(2024, 2, 29), date(2024, 2, 29), recurring=True)
    hours = office_hours("UTC", [leap_day])
    assert business_minutes_between(hours, utc(2028, 2, 28), utc(2028, 3, 2)) == 2 * 480
    assert business_minutes_between(hours, utc(2027, 2, 26), utc(2027, 3, 2)) == 2 * 480
    assert due_at(hours, utc(2028, 2, 28, 16), 120) == utc(2028, 3, 1, 10)


def test_no_business_time_raises():
    closed = BusinessCalendar("Europe/Berlin", {})
    with pytest.raises(NoBusinessTime):
        due_at(closed, utc(2026, 1, 1), 1)
    assert business_minutes_between(closed, utc(2026, 1, 1), utc(2027, 1, 1)) == 0
    always_off = ClosedDays("Closed", date(2025, 1, 1), date(2025, 12, 31), recurring=True)
    with pytest.raises(NoBusinessTime):
        due_at(office_hours("Europe/Berlin", [always_off]), utc(2026, 1, 1), 1)
    assert issubclass(NoBusinessTime, ValueError)


def test_long_holiday_delays_but_does_not_stop():
    sabbatical = ClosedDays("Sabbatical", date(2026, 1, 1), date(2030, 12, 31))
    hours = office_hours("UTC", [sabbatical])
    assert due_at(hours, utc(2026, 1, 1), 60) == utc(2031, 1, 1, 10)  # Wednesday


def test_arbitrary_seconds_in_start():
    start = utc(2026, 6, 1, 10, 15, 30, 123_456)  # Monday
    assert due_at(DEFAULT, start, 1) == utc(2026, 6, 1, 10, 16, 30, 123_456)
    # 6:44:29.876544 remain on Monday, so 405 minutes end 30.123456 s into Tuesday.
    assert due_at(DEFAULT, start, 405) == utc(2026, 6, 2, 9, 0, 30, 123_456)
    assert business_time_between(DEFAULT, start, utc(2026, 6, 2, 9, 0, 30, 123_456)) == timedelta(
        minutes=405
    )
    assert business_minutes_between(DEFAULT, start, utc(2026, 6, 1, 10, 16)) == pytest.approx(
        0.5 - 0.123456 / 60
    )


def test_zero_minutes_and_empty_spans():
    start = datetime(2026, 6, 6, 3, 0, 1, tzinfo=BERLIN)  # Saturday night
    assert due_at(DEFAULT, start, 0) == start
    assert due_at(DEFAULT, start, 0).tzinfo is UTC
    assert business_minutes_between(DEFAULT, start, start) == 0
    assert business_minutes_between(DEFAULT, utc(2026, 6, 2), utc(2026, 6, 1)) == 0


def test_start_zone_does_not_matter():
    hours = office_hours("Europe/Berlin")
    start = utc(2026, 6, 5, 14, 0)
    for zone in ("America/New_York", "Asia/Kathmandu", "UTC"):
        assert due_at(hours, start.astimezone(ZoneInfo(zone)), 240) == utc(2026, 6, 8, 10)


def test_naive_datetimes_are_rejected():
    with pytest.raises(ValueError):
        due_at(DEFAULT, datetime(2026, 6, 1, 9), 60)


def test_from_json():
    hours = BusinessCalendar.from_json(
        {
            "timezone": "Europe/Berlin",
            "schedule": {
                "monday": [{"start": "09:00", "end": "12:30"}, {"start": "13:00", "end": "24:00"}],
                "sunday": [],
            },
            "holidays": [
                {"name": "Xmas", "start_date": "2026-12-24", "end_date": "2026-12-26"},
                {
                    "name": "NY",
                    "start_date": "2026-01-01",
                    "end_date": "2026-01-01",
                    "recurring": True,
                },
            ],
        }
    )
    assert hours == BusinessCalendar(
        "Europe/Berlin",
        {"monday": [(540, 750), (780, 1440)], "sunday": []},
        [
            ClosedDays("Xmas", date(2026, 12, 24), date(2026, 12, 26), recurring=False),
            ClosedDays("NY", date(2026, 1, 1), date(2026, 1, 1), recurring=True),
        ],
    )
    monday = datetime(2026, 6, 1, tzinfo=BERLIN)
    assert business_minutes_between(hours, monday, monday + timedelta(days=7)) == 210 + 660


def test_default_is_office_hours_in_utc():
    assert office_hours("UTC") == DEFAULT
    assert business_minutes_between(DEFAULT, utc(2026, 6, 1), utc(2026, 6, 8)) == 5 * 480
