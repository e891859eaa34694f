"""Time the business-time engine: `python bench/bench_business_time.py`.

Prints µs per call, the median of several timeit repeats (the best in brackets, as the machine
may be shared), for a due time 30 business days ahead on Mon-Fri 09:00-17:00 schedules and for
the business minutes across a ~6-week span. Both cross a DST change in the DST zones.
"""

import statistics
import sys
import timeit
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

# Run as a script from anywhere: make the repository importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tickiti_workflow.business_time import (
    WEEKDAYS,
    BusinessCalendar,
    ClosedDays,
    business_minutes_between,
    due_at,
)

REPEATS = 7
THIRTY_BUSINESS_DAYS = 30 * 8 * 60


def office_hours(zone: str, holidays: list[ClosedDays]) -> BusinessCalendar:
    return BusinessCalendar(zone, {day: [(9 * 60, 17 * 60)] for day in WEEKDAYS[:5]}, holidays)


CASES = [
    ("UTC, no holidays", office_hours("UTC", [])),
    (
        "Europe/Berlin, 3 holidays",
        office_hours(
            "Europe/Berlin",
            [
                ClosedDays("Easter", date(2026, 4, 3), date(2026, 4, 6)),
                ClosedDays("Labour Day", date(2026, 5, 1), date(2026, 5, 1), recurring=True),
                ClosedDays("Christmas", date(2025, 12, 24), date(2026, 1, 1), recurring=True),
            ],
        ),
    ),
    (
        "America/New_York, 2 holidays",
        office_hours(
            "America/New_York",
            [
                ClosedDays("Good Friday", date(2026, 4, 3), date(2026, 4, 3)),
                ClosedDays("Memorial Day", date(2026, 5, 25), date(2026, 5, 25)),
            ],
        ),
    ),
]

BERLIN_JSON = {
    "timezone": "Europe/Berlin",
    "schedule": {day: [{"start": "09:00", "end": "17:00"}] for day in WEEKDAYS[:5]},
    "holidays": [
        {"name": "Easter", "start_date": "2026-04-03", "end_date": "2026-04-06"},
        {
            "name": "Christmas",
            "start_date": "2025-12-24",
            "end_date": "2026-01-01",
            "recurring": True,
        },
    ],
}


def per_call_us(call: Callable[[], object], number: int = 20_000) -> str:
    """Median (and best) µs per call over REPEATS runs of `number` calls."""
    runs = [run / number * 1e6 for run in timeit.repeat(call, number=number, repeat=REPEATS)]
    return f"{statistics.median(runs):6.2f} µs ({min(runs):5.2f})"


def main() -> None:
    for label, hours in CASES:
        zone = ZoneInfo(hours.timezone)
        # Friday before the European change and after the American one.
        start = datetime(2026, 3, 20, 14, 37, 12, 345, tzinfo=zone)
        end = start + timedelta(weeks=6)
        due_at(hours, start, THIRTY_BUSINESS_DAYS)  # fill the per-zone and per-schedule caches
        due = per_call_us(lambda h=hours, s=start: due_at(h, s, THIRTY_BUSINESS_DAYS))  # type: ignore[misc]
        between = per_call_us(lambda h=hours, s=start, e=end: business_minutes_between(h, s, e))  # type: ignore[misc]
        print(f"{label:30} due_at +30 business days {due}   minutes over 6 weeks {between}")
    # What a caller pays when it builds BusinessCalendar anew for every calculation.
    start = datetime(2026, 3, 20, 14, 37, tzinfo=UTC)
    fresh = per_call_us(lambda: due_at(BusinessCalendar.from_json(BERLIN_JSON), start, 60), 2_000)
    print(f"{'Berlin, from_json every call':30} due_at +1 business hour  {fresh}")


if __name__ == "__main__":
    main()
