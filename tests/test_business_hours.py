"""Business hours: the default, update with its validation, and the preview endpoint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import assert_error
from tickiti_workflow.business_time import WEEKDAYS, preview

NINE_TO_FIVE = [{"start": "09:00", "end": "17:00"}]
DEFAULT_SCHEDULE = {
    day: NINE_TO_FIVE if day not in ("saturday", "sunday") else [] for day in WEEKDAYS
}
ALWAYS_OPEN = {day: [{"start": "00:00", "end": "24:00"}] for day in WEEKDAYS}
CLOSED = {day: [] for day in WEEKDAYS}


def hours(tenant) -> dict:
    return tenant.ok("escalations", {})["business_hours"]


def stored(factory, tenant) -> dict:
    return factory.one("SELECT * FROM business_hours WHERE account_id = %s", (tenant.account_id,))


def update(tenant, **payload) -> dict:
    return tenant.ok("business-hours/update", payload)["business_hours"]


class TestDefault:
    def test_monday_to_friday_nine_to_five_utc(self, tenant):
        business_hours = hours(tenant)
        assert list(business_hours) == ["timezone", "schedule", "holidays", "version", "updated_at"]
        assert business_hours["timezone"] == "UTC"
        assert business_hours["schedule"] == DEFAULT_SCHEDULE
        assert list(business_hours["schedule"]) == list(WEEKDAYS)
        assert business_hours["holidays"] == []
        assert business_hours["version"] == 1
        assert business_hours["updated_at"].endswith("Z")


class TestUpdate:
    def test_timezone_only_keeps_the_rest(self, tenant):
        before = hours(tenant)
        after = update(tenant, timezone="Europe/Berlin")
        assert after["timezone"] == "Europe/Berlin"
        assert after["schedule"] == before["schedule"]
        assert after["holidays"] == before["holidays"]
        assert after["version"] == 2
        assert after["updated_at"] > before["updated_at"]
        assert hours(tenant) == after

    def test_schedule_replaces_only_the_weekdays_sent(self, tenant):
        after = update(
            tenant,
            schedule={
                "tuesday": [{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "24:00"}],
                "friday": [],
                "sunday": [{"start": "00:00", "end": "00:01"}],
            },
        )
        assert after["schedule"] == {
            **DEFAULT_SCHEDULE,
            "tuesday": [{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "24:00"}],
            "friday": [],
            "sunday": [{"start": "00:00", "end": "00:01"}],
        }
        assert list(after["schedule"]) == list(WEEKDAYS)
        assert list(after["schedule"]["tuesday"][0]) == ["start", "end"]

    def test_six_intervals_a_day(self, tenant):
        six = [{"start": f"{h:02d}:00", "end": f"{h:02d}:30"} for h in range(8, 14)]
        assert update(tenant, schedule={"monday": six})["schedule"]["monday"] == six

    def test_holidays_replace_the_list(self, tenant):
        first = update(
            tenant,
            holidays=[{"name": "Old", "start_date": "2025-01-01", "end_date": "2025-01-01"}],
        )
        assert first["holidays"] == [
            {
                "name": "Old",
                "start_date": "2025-01-01",
                "end_date": "2025-01-01",
                "recurring": False,
            }
        ]
        holidays = [
            {
                "name": " Christmas ",
                "start_date": "2024-12-24",
                "end_date": "2025-01-01",
                "recurring": True,
            },
            {"name": "Leap", "start_date": "2024-02-29", "end_date": "2025-02-28"},
        ]
        after = update(tenant, holidays=holidays)
        assert after["holidays"] == [
            {
                "name": "Christmas",
                "start_date": "2024-12-24",
                "end_date": "2025-01-01",
                "recurring": True,
            },
            {
                "name": "Leap",
                "start_date": "2024-02-29",
                "end_date": "2025-02-28",
                "recurring": False,
            },
        ]
        assert list(after["holidays"][0]) == ["name", "start_date", "end_date", "recurring"]
        assert after["version"] == 3
        assert update(tenant, holidays=[])["holidays"] == []

    def test_everything_at_once(self, tenant):
        after = update(
            tenant,
            timezone="America/New_York",
            schedule=ALWAYS_OPEN,
            holidays=[{"name": "July 4th", "start_date": "2025-07-04", "end_date": "2025-07-04"}],
            expected_version=1,
        )
        assert after["timezone"] == "America/New_York"
        assert after["schedule"] == ALWAYS_OPEN
        assert len(after["holidays"]) == 1
        assert after["version"] == 2

    def test_no_change_keeps_the_version(self, tenant, factory):
        before = stored(factory, tenant)
        after = update(
            tenant,
            timezone="UTC",
            schedule={"monday": NINE_TO_FIVE},
            holidays=[],
            expected_version=1,
        )
        assert after["version"] == 1
        assert stored(factory, tenant) == before
        assert update(tenant)["version"] == 1

    def test_expected_version_mismatch(self, tenant, factory):
        update(tenant, timezone="Asia/Tokyo")
        before = stored(factory, tenant)
        response = tenant.post(
            "business-hours/update", {"timezone": "Europe/Paris", "expected_version": 1}
        )
        error = assert_error(response, 409, "version_conflict")
        assert error["details"] == {"current_version": 2}
        assert stored(factory, tenant) == before

    def test_only_the_callers_account(self, tenant, other_tenant, factory):
        theirs = stored(factory, other_tenant)
        update(tenant, timezone="Europe/Berlin", schedule=CLOSED)
        assert stored(factory, other_tenant) == theirs

    def test_idempotency_key_replays(self, tenant):
        headers = {"Idempotency-Key": "bh-1"}
        first = tenant.post("business-hours/update", {"timezone": "Europe/Rome"}, headers=headers)
        again = tenant.post("business-hours/update", {"timezone": "Europe/Rome"}, headers=headers)
        assert again.headers.get("Idempotent-Replayed") == "true"
        assert again.get_json() == first.get_json()
        assert hours(tenant)["version"] == 2


def interval(start, end) -> dict:
    return {"start": start, "end": end}


def day_off(**changes) -> dict:
    return {"name": "x", "start_date": "2025-01-01", "end_date": "2025-01-01", **changes}


class TestValidation:
    @pytest.mark.parametrize(
        ("payload", "paths"),
        [
            ({"timezone": "Mars/Olympus_Mons"}, ["timezone"]),
            ({"timezone": "europe/berlin"}, ["timezone"]),
            ({"timezone": "Europe/Berlin "}, ["timezone"]),
            ({"timezone": "+01:00"}, ["timezone"]),
            ({"timezone": "localtime"}, ["timezone"]),
            ({"timezone": ""}, ["timezone"]),
            ({"timezone": None}, ["timezone"]),
            ({"timezone": 1}, ["timezone"]),
            ({"schedule": []}, ["schedule"]),
            ({"schedule": None}, ["schedule"]),
            ({"schedule": {"funday": []}}, ["schedule.funday"]),
            ({"schedule": {"Monday": []}}, ["schedule.Monday"]),
            ({"schedule": {"monday": None}}, ["schedule.monday"]),
            ({"schedule": {"monday": {"start": "09:00"}}}, ["schedule.monday"]),
            ({"schedule": {"monday": ["09:00-17:00"]}}, ["schedule.monday.0"]),
            ({"schedule": {"monday": [interval("9:00", "17:00")]}}, ["schedule.monday.0.start"]),
            ({"schedule": {"monday": [interval("24:00", "24:00")]}}, ["schedule.monday.0.start"]),
            ({"schedule": {"monday": [interval("09:60", "17:00")]}}, ["schedule.monday.0.start"]),
            ({"schedule": {"monday": [interval(900, "17:00")]}}, ["schedule.monday.0.start"]),
            ({"schedule": {"monday": [interval("09:00", "24:01")]}}, ["schedule.monday.0.end"]),
            ({"schedule": {"monday": [interval("09:00", "17:00:00")]}}, ["schedule.monday.0.end"]),
            ({"schedule": {"monday": [interval("09:00", "09:00")]}}, ["schedule.monday.0.end"]),
            ({"schedule": {"monday": [interval("17:00", "09:00")]}}, ["schedule.monday.0.end"]),
            ({"schedule": {"monday": [{"start": "09:00"}]}}, ["schedule.monday.0.end"]),
            (
                {"schedule": {"monday": [{"start": "09:00", "end": "10:00", "tz": "UTC"}]}},
                ["schedule.monday.0.tz"],
            ),
            (
                {"schedule": {"tuesday": [interval("09:00", "12:00"), interval("11:00", "14:00")]}},
                ["schedule.tuesday.1.start"],
            ),
            (
                {"schedule": {"tuesday": [interval("09:00", "12:00"), interval("12:00", "14:00")]}},
                ["schedule.tuesday.1.start"],
            ),
            (
                {"schedule": {"tuesday": [interval("13:00", "14:00"), interval("09:00", "12:00")]}},
                ["schedule.tuesday.1.start"],
            ),
            (
                {
                    "schedule": {
                        "tuesday": [interval(f"{h:02d}:00", f"{h:02d}:30") for h in range(7)]
                    }
                },
                ["schedule.tuesday"],
            ),
            ({"holidays": {}}, ["holidays"]),
            ({"holidays": [day_off()] * 501}, ["holidays"]),
            ({"holidays": [day_off(name="")]}, ["holidays.0.name"]),
            ({"holidays": [day_off(name="x" * 101)]}, ["holidays.0.name"]),
            ({"holidays": [day_off(start_date="2025-02-30")]}, ["holidays.0.start_date"]),
            ({"holidays": [day_off(start_date="2025-01-01T00:00:00Z")]}, ["holidays.0.start_date"]),
            ({"holidays": [day_off(start_date=20250101)]}, ["holidays.0.start_date"]),
            ({"holidays": [day_off(start_date="2025-01-02")]}, ["holidays.0.end_date"]),
            ({"holidays": [day_off(end_date="2026-01-02")]}, ["holidays.0.end_date"]),
            ({"holidays": [{"name": "x", "start_date": "2025-01-01"}]}, ["holidays.0.end_date"]),
            ({"holidays": [day_off(recurring="yes")]}, ["holidays.0.recurring"]),
            ({"holidays": [day_off(all_day=True)]}, ["holidays.0.all_day"]),
            ({"expected_version": "1"}, ["expected_version"]),
            ({"account_id": 1}, ["account_id"]),
        ],
    )
    def test_rejected_with_the_path(self, tenant, factory, payload, paths):
        before = stored(factory, tenant)
        assert_error(
            tenant.post("business-hours/update", payload),
            422,
            "validation_failed",
            *paths,
            only=True,
        )
        assert stored(factory, tenant) == before

    def test_every_violation_is_reported(self, tenant, factory):
        before = stored(factory, tenant)
        response = tenant.post(
            "business-hours/update",
            {
                "timezone": "Nowhere/Town",
                "schedule": {
                    "wednesday": [interval("10:00", "09:00")],
                    "friday": [interval("08:00", "12:00"), interval("11:59", "18:00")],
                    "sunday": [
                        interval("08:00", "12:00"),
                        interval("13:00", "14:00"),
                        interval("13:30", "15:00"),
                    ],
                },
                "holidays": [
                    {"name": "Fine", "start_date": "2025-01-01", "end_date": "2025-01-01"},
                    {"name": "Broken", "start_date": "2025-05-02", "end_date": "2025-05-01"},
                    {"name": "Longest", "start_date": "2024-01-01", "end_date": "2024-12-31"},
                    {"name": "Too long", "start_date": "2024-01-01", "end_date": "2025-01-01"},
                ],
            },
        )
        error = assert_error(
            response,
            422,
            "validation_failed",
            "timezone",
            "schedule.wednesday.0.end",
            "schedule.friday.1.start",
            "schedule.sunday.2.start",
            "holidays.1.end_date",
            "holidays.3.end_date",
            only=True,
        )
        assert "08:00" not in error["details"]["fields"]["schedule.friday.1.start"][0]
        assert "12:00" in error["details"]["fields"]["schedule.friday.1.start"][0]
        assert stored(factory, tenant) == before

    @pytest.mark.parametrize(
        "name", ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5"]
    )
    def test_iana_names_are_accepted(self, tenant, name):
        assert update(tenant, timezone=name)["timezone"] == name


class TestPreviewFunction:
    """The arithmetic of the preview, with the moment of the call fixed."""

    DEFAULT = {"timezone": "UTC", "schedule": DEFAULT_SCHEDULE, "holidays": []}
    FRIDAY_4PM = datetime(2025, 3, 7, 16, 0, tzinfo=UTC)

    def test_four_business_hours_from_friday_four_pm(self):
        result = preview(self.DEFAULT, self.FRIDAY_4PM, 240, now=self.FRIDAY_4PM)
        assert result == {"due_at": datetime(2025, 3, 10, 12, 0, tzinfo=UTC), "business_minutes": 0}

    def test_business_minutes_elapsed_until_now(self):
        monday_10am = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
        result = preview(self.DEFAULT, self.FRIDAY_4PM, 240, now=monday_10am)
        assert result["business_minutes"] == 120

    def test_partial_minutes_are_floored(self):
        now = self.FRIDAY_4PM + timedelta(seconds=90)
        assert preview(self.DEFAULT, self.FRIDAY_4PM, 1, now=now)["business_minutes"] == 1

    def test_future_start_has_zero_business_minutes(self):
        now = self.FRIDAY_4PM - timedelta(days=3)
        assert preview(self.DEFAULT, self.FRIDAY_4PM, 60, now=now)["business_minutes"] == 0


class TestPreview:
    def test_friday_afternoon_rolls_to_monday(self, tenant, factory):
        before = stored(factory, tenant)
        result = tenant.ok(
            "business-hours/preview", {"start": "2025-03-07T16:00:00Z", "minutes": 240}
        )
        assert list(result) == ["due_at", "business_minutes"]
        assert result["due_at"].startswith("2025-03-10T12:00:00")
        assert result["due_at"].endswith("Z")
        # Start is long past: every business minute since then counts (at least 1000 weeks' worth
        # would be too many to hard-code; a year of 40-hour weeks is a lower bound).
        assert result["business_minutes"] >= 52 * 40 * 60
        assert stored(factory, tenant) == before

    def test_offset_names_the_same_instant(self, tenant):
        z = tenant.ok("business-hours/preview", {"start": "2025-03-07T16:00:00Z", "minutes": 240})
        offset = tenant.ok(
            "business-hours/preview", {"start": "2025-03-07T11:00:00-05:00", "minutes": 240}
        )
        assert offset["due_at"] == z["due_at"]

    def test_uses_the_accounts_saved_zone_and_holidays(self, tenant):
        update(
            tenant,
            timezone="Europe/Berlin",
            holidays=[{"name": "Day off", "start_date": "2025-03-10", "end_date": "2025-03-10"}],
        )
        # Friday 16:00 in Berlin (15:00Z): one hour on Friday, Monday is a holiday, three hours
        # on Tuesday from 09:00 local → 12:00 local = 11:00Z.
        result = tenant.ok(
            "business-hours/preview", {"start": "2025-03-07T16:00:00+01:00", "minutes": 240}
        )
        assert result["due_at"].startswith("2025-03-11T11:00:00")

    def test_business_minutes_elapsed_since_a_recent_start(self, tenant):
        update(tenant, schedule=ALWAYS_OPEN)
        start = datetime.now(UTC) - timedelta(minutes=90)
        result = tenant.ok("business-hours/preview", {"start": start.isoformat(), "minutes": 30})
        assert result["business_minutes"] in (90, 91)
        assert result["due_at"].startswith(
            (start + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
        )

    def test_future_start_has_zero_business_minutes(self, tenant):
        result = tenant.ok(
            "business-hours/preview", {"start": "2999-01-01T00:00:00Z", "minutes": 1}
        )
        assert result["business_minutes"] == 0

    def test_read_token_may_preview(self, tenant):
        token = tenant.token_for(abilities=("workflow:read",))
        response = tenant.post(
            "business-hours/preview", {"start": "2025-03-07T16:00:00Z", "minutes": 1}, token=token
        )
        assert response.status_code == 200

    def test_closed_schedule(self, tenant):
        update(tenant, schedule=CLOSED)
        response = tenant.post(
            "business-hours/preview", {"start": "2025-03-07T16:00:00Z", "minutes": 60}
        )
        error = assert_error(response, 422, "validation_failed", "business_hours", only=True)
        assert "no business time" in error["message"]

    def test_holidays_that_never_end(self, tenant):
        update(
            tenant,
            holidays=[
                {
                    "name": "Always",
                    "start_date": "2024-01-01",
                    "end_date": "2024-12-31",
                    "recurring": True,
                }
            ],
        )
        response = tenant.post(
            "business-hours/preview", {"start": "2025-03-07T16:00:00Z", "minutes": 60}
        )
        assert_error(response, 422, "validation_failed", "business_hours", only=True)

    def test_due_time_centuries_away_is_refused(self, tenant):
        update(tenant, schedule={**CLOSED, "monday": [interval("09:00", "09:01")]})
        response = tenant.post(
            "business-hours/preview", {"start": "2025-03-07T16:00:00Z", "minutes": 525_600}
        )
        assert_error(response, 422, "validation_failed", "minutes", only=True)

    @pytest.mark.parametrize(
        ("payload", "paths"),
        [
            ({"start": "2025-03-07T16:00:00", "minutes": 60}, ["start"]),
            ({"start": "2025-03-07", "minutes": 60}, ["start"]),
            ({"start": "Friday 4pm", "minutes": 60}, ["start"]),
            ({"start": 1741363200, "minutes": 60}, ["start"]),
            ({"start": "1969-12-31T23:59:59Z", "minutes": 60}, ["start"]),
            ({"start": "3000-01-01T00:00:00Z", "minutes": 60}, ["start"]),
            ({"start": "2025-03-07T16:00:00Z", "minutes": 0}, ["minutes"]),
            ({"start": "2025-03-07T16:00:00Z", "minutes": 525_601}, ["minutes"]),
            ({"start": "2025-03-07T16:00:00Z", "minutes": 1.5}, ["minutes"]),
            ({"start": "2025-03-07T16:00:00Z"}, ["minutes"]),
            ({"minutes": 60}, ["start"]),
            ({"start": "2025-03-07T16:00:00Z", "minutes": 60, "timezone": "UTC"}, ["timezone"]),
        ],
    )
    def test_invalid_body(self, tenant, payload, paths):
        error = assert_error(
            tenant.post("business-hours/preview", payload),
            422,
            "validation_failed",
            *paths,
            only=True,
        )
        if payload.get("start") == "2025-03-07T16:00:00":
            assert "offset" in error["details"]["fields"]["start"][0]
