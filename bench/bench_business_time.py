"""Time the business-time engine: `python bench/bench_business_time.py`.

Prints the median over several repeats of µs per call for a due time 30 business days ahead
(Mon-Fri 09:00-17:00 with holidays) and for the business minutes across a ~6-week span.
"""

import statistics
import sys
import timeit
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tickiti_workflow.business_time import (  # noqa: E402 (needs the path set above)
    WEEKDAYS,
    BusinessHours,
    Holiday,
    business_minutes_between,
    due_at,
)

REPEATS = 7
THIRTY_BUSINESS_DAYS = 30 * 8 * 60


def office_hours(zone: str, holidays: list[Holiday]) -> BusinessHours:
    return BusinessHours(zone, {day: [(9 * 60, 17 * 60)] for day in WEEKDAYS[:5]}, holidays)


CASES = [
    ("UTC, no holidays", office_hours("UTC", [])),
    (
        "Europe/Berlin, 2 holidays + recurring",
        office_hours(
            "Europe/Berlin",
            [
                Holiday("Easter", date(2026, 4, 3), date(2026, 4, 6)),
                Holiday("Labour Day", date(2026, 5, 1), date(2026, 5, 1), recurring=True),
                Holiday("Christmas", date(2025, 12, 24), date(2026, 1, 1), recurring=True),
            ],
        ),
    ),
    (
        "America/New_York, 2 holidays",
        office_hours(
            "America/New_York",
            [
                Holiday("Memorial Day", date(2026, 5, 25), date(2026, 5, 25)),
                Holiday("Independence Day", date(2026, 7, 3), date(2026, 7, 3)),
            ],
        ),
    ),
]


def per_call_us(call, number: int = 20_000) -> float:
    """Median µs per call over REPEATS runs of `number` calls."""
    runs = timeit.repeat(call, number=number, repeat=REPEATS)
    return statistics.median(runs) / number * 1e6


def main() -> None:
    for label, hours in CASES:
        zone = ZoneInfo(hours.timezone)
        # Spans a DST change (and the Berlin Easter holiday) in the DST zones.
        start = datetime(2026, 3, 20, 14, 37, 12, 345, tzinfo=zone)
        six_weeks_later = start + timedelta(weeks=6)
        due_at(hours, start, THIRTY_BUSINESS_DAYS)  # warm the per-zone and per-year caches
        due = per_call_us(lambda h=hours, s=start: due_at(h, s, THIRTY_BUSINESS_DAYS))
        between = per_call_us(
            lambda h=hours, s=start, e=six_weeks_later: business_minutes_between(h, s, e)
        )
        print(f"{label:40} due_at +30 business days {due:6.2f} µs   minutes over 6 weeks {between:6.2f} µs")
    cold = per_call_us(
        lambda: due_at(office_hours("Europe/Berlin", []), datetime(2026, 3, 20, tzinfo=UTC_), 60),
        number=2_000,
    )
    print(f"{'fresh BusinessHours each call (Berlin)':40} due_at +1 hour            {cold:6.2f} µs")


UTC_ = ZoneInfo("UTC")

if __name__ == "__main__":
    main()
