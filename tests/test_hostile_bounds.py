"""Work is bounded by the rules before it is spent: over-long lists, floods of field errors,
lone surrogates and chunked bodies past the limit all get a small, quick JSON answer."""

from __future__ import annotations

import datetime as dt
import io
import json
import statistics
import time

import pytest

from tests.factories import assert_error
from tickiti_workflow import business_time
from tickiti_workflow.config import MAX_BODY_BYTES
from tickiti_workflow.errors import MAX_FIELD_ERRORS

# Bodies just under the 1 MiB limit: the most an unauthenticated-cost-free client can send.
NEAR_LIMIT = MAX_BODY_BYTES - 4096
# Each hostile request may take at most this many times a trivial one (a list of queues), and
# answers at most this many bytes. Merely parsing 1 MiB of `[{},{},...]` costs about 50 trivial
# requests; before the bounds, the worst body took over 10,000 and answered 60 MB.
MAX_TIME_RATIO = 150
MAX_ERROR_BYTES = 16 * 1024


def fill(template: dict, path: tuple, element) -> bytes:
    """``template`` with the list at ``path`` repeated ``element`` until the body nears 1 MiB."""
    one = len(json.dumps(element, separators=(",", ":"))) + 1
    count = (NEAR_LIMIT - len(json.dumps(template))) // one
    body = json.loads(json.dumps(template))
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = [element] * count
    raw = json.dumps(body, separators=(",", ":")).encode()
    assert NEAR_LIMIT - 2 * one - 50 < len(raw) <= MAX_BODY_BYTES
    return raw


def at_most(template: dict, path: tuple, element, count: int) -> bytes:
    body = json.loads(json.dumps(template))
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = [element] * count
    return json.dumps(body).encode()


ESCALATION = {
    "name": "E",
    "target": {"metric": "resolution", "minutes": 60},
    "actions": [{"type": "set_priority", "priority": "high"}],
}
FORM_FIELD = {"key": "k", "label": "K", "type": "select", "options": []}
# (endpoint, body, path of the list field, worst element, documented maximum)
LIST_FIELDS = [
    ("queues/move", {"from_queue_id": 1, "to_queue_id": 2}, ("ticket_ids",), "a", 10_000),
    ("resolution-categories/reorder", {}, ("ids",), "a", 1000),
    ("interventions/create", {"name": "I", "remote_url": "https://example.com"}, ("fields",), {},
     50),
    ("interventions/create", {"name": "I", "remote_url": "https://example.com",
                              "fields": [FORM_FIELD]}, ("fields", 0, "options"), {}, 100),
    ("escalations/create", {**ESCALATION, "conditions": {}}, ("conditions", "queue_ids"), "a",
     500),
    ("escalations/create", {**ESCALATION, "conditions": {}}, ("conditions", "priorities"), 7, 4),
    ("escalations/create", ESCALATION, ("actions",), {}, 10),
    ("escalations/create", {**ESCALATION, "actions": [{"type": "notify_users"}]},
     ("actions", 0, "user_ids"), "a", 100),
    ("business-hours/update", {}, ("holidays",), {}, 500),
    ("business-hours/update", {"schedule": {}}, ("schedule", "monday"), {}, 6),
]  # fmt: skip


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    response = call()
    return time.perf_counter() - started, response


def trivial_time(tenant) -> float:
    return statistics.median(timed(lambda: tenant.post("queues", {}))[0] for _ in range(7))


def assert_bounded(response, seconds: float, trivial: float) -> dict:
    error = assert_error(response, 422, "validation_failed")
    assert len(response.get_data()) <= MAX_ERROR_BYTES
    assert seconds <= MAX_TIME_RATIO * trivial, (seconds, trivial)
    return error["details"]


@pytest.mark.parametrize(("path", "template", "field", "element", "maximum"), LIST_FIELDS)
def test_a_list_over_its_maximum_is_refused_before_its_elements(
    tenant, path, template, field, element, maximum
):
    trivial = trivial_time(tenant)
    raw = fill(template, field, element)
    seconds, response = timed(lambda: tenant.post_raw(path, raw))
    details = assert_bounded(response, seconds, trivial)
    dotted = ".".join(str(k) for k in field)
    # One error for the list as a whole, none per element.
    [message] = details["fields"][dotted]
    assert message in (
        f"Longer than maximum length {maximum}.",
        f"At most {maximum} intervals a day.",
    )
    assert not any(key.startswith(dotted + ".") for key in details["fields"])


@pytest.mark.parametrize(("path", "template", "field", "element", "maximum"), LIST_FIELDS)
def test_a_full_list_of_bad_elements_names_a_bounded_number_of_errors(
    tenant, path, template, field, element, maximum
):
    trivial = trivial_time(tenant)
    raw = at_most(template, field, element, maximum)
    seconds, response = timed(lambda: tenant.post_raw(path, raw))
    details = assert_bounded(response, seconds, trivial)
    assert 1 <= len(details["fields"]) <= MAX_FIELD_ERRORS + 1
    if maximum > MAX_FIELD_ERRORS:  # the items past the first 50 bad ones were not looked at
        dotted = ".".join(str(k) for k in field)
        assert details["fields"][dotted] == [f"Stopped after {MAX_FIELD_ERRORS} invalid items."]


@pytest.mark.parametrize("nested", [False, True])
def test_an_object_with_too_many_keys_is_refused_while_parsing(tenant, nested):
    trivial = trivial_time(tenant)
    pairs = ",".join(f'"k{i}":0' for i in range(NEAR_LIMIT // 12))
    obj = ('{"name":"x",' + pairs + "}").encode()[: NEAR_LIMIT - 100].rsplit(b",", 1)[0] + b"}"
    raw = b'{"name":"x","description":' + obj + b"}" if nested else obj
    seconds, response = timed(lambda: tenant.post_raw("queues/create", raw))
    error = assert_error(response, 400, "invalid_json")
    assert "more than 100 keys" in error["message"]
    assert seconds <= MAX_TIME_RATIO * trivial, (seconds, trivial)


def test_many_unknown_fields_answer_a_bounded_error(tenant):
    response = tenant.post("queues/create", {"name": "x", **{f"k{i}": i for i in range(99)}})
    details = assert_error(response, 422, "validation_failed")["details"]
    assert len(details["fields"]) == MAX_FIELD_ERRORS
    assert details["omitted_field_errors"] == 99 - MAX_FIELD_ERRORS


def test_a_huge_unknown_key_is_not_echoed_whole(tenant):
    raw = json.dumps({"name": "x", "k" * 900_000: 1}).encode()
    response = tenant.post_raw("queues/create", raw)
    assert response.status_code == 422
    assert len(response.get_data()) <= 2048


@pytest.mark.parametrize(
    "raw",
    [
        b'{"\\ud800": 1}',
        b'{"name": "x", "\\udfff": 1}',
        b'{"name": "x", "nested": {"\\uDBFF": [1]}}',
        b'{"name": ["\\ud83d"]}',
        b'{"name": "a\\ud800\\ud800"}',
    ],
)
def test_lone_surrogates_in_keys_or_values_are_invalid_json(tenant, raw):
    response = tenant.post_raw("queues/create", raw)
    assert_error(response, 400, "invalid_json")
    assert response.headers["X-Request-ID"]


def test_a_surrogate_pair_is_a_character(tenant):
    response = tenant.post_raw("queues/create", b'{"name": "Rocket \\ud83d\\ude80"}')
    assert response.status_code == 201
    assert response.get_json()["queue"]["name"] == "Rocket 🚀"


def chunked(tenant, raw: bytes):
    """POST ``raw`` as a chunked body (no Content-Length), as a WSGI server hands it over."""
    return tenant.post(
        "queues/create",
        input_stream=io.BytesIO(raw),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_a_chunked_body_over_the_limit_is_refused_whole(tenant):
    valid = json.dumps({"name": "Chunked", "description": "d" * 900}).encode()
    raw = valid + b" " * (MAX_BODY_BYTES - len(valid)) + b"x" * (2 * MAX_BODY_BYTES)
    response = chunked(tenant, raw)
    assert_error(response, 413, "payload_too_large")
    names = [q["name"] for q in tenant.ok("queues", {})["queues"]]
    assert "Chunked" not in names


def test_a_chunked_body_within_the_limit_is_read_whole(tenant):
    valid = json.dumps({"name": "Chunked"}).encode()
    assert chunked(tenant, valid + b" " * (MAX_BODY_BYTES - len(valid))).status_code == 201


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/workflow//queues",
        "//api/v1/workflow/queues",
        "/api/v1/workflow/queues/",
        "/api/v1/workflow%2fqueues",
        "/api/v1/workflow/queues%2Fcreate",
        "/api/v1/workflow/queue%73",
        "/api/v1/workflow/queues/create/",
    ],
)
def test_paths_are_exact(tenant, path):
    response = tenant.post(path, {"name": "Path"})
    assert_error(response, 404, "not_found")
    assert "Location" not in response.headers
    assert response.headers["X-Request-ID"]
    assert "Path" not in [q["name"] for q in tenant.ok("queues", {})["queues"]]


def test_every_response_is_no_store(tenant):
    intervention = tenant.ok(
        "interventions/create", {"name": "Hook", "remote_url": "https://example.com"}, status=201
    )["intervention"]
    body = {"intervention_id": intervention["id"]}
    response = tenant.post("interventions/generate-token", body, headers={"Idempotency-Key": "k"})
    assert response.status_code == 200
    assert response.get_json()["remote_token"].startswith("tkr_")
    assert response.headers["Cache-Control"] == "no-store"
    replay = tenant.post("interventions/generate-token", body, headers={"Idempotency-Key": "k"})
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.headers["Cache-Control"] == "no-store"
    for response in (tenant.post("queues", {}), tenant.post("nowhere", {})):
        assert response.headers["Cache-Control"] == "no-store"


def test_an_exception_escaping_the_app_is_json(app):
    from tickiti_workflow.wsgi import JsonErrors

    def broken(environ, start_response):
        raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")

    statuses = []
    body = b"".join(
        JsonErrors(broken)(
            {"PATH_INFO": "/x"},
            lambda status, headers, exc_info=None: statuses.append((status, dict(headers))),
        )
    )
    status, headers = statuses[0]
    assert status.startswith("500")
    assert json.loads(body)["error"]["code"] == "internal_error"
    assert headers["X-Request-ID"] and headers["Content-Type"] == "application/json"


# --- business-hours preview ------------------------------------------------------------------

PREVIEW = {"start": "1970-01-01T00:00:00Z", "minutes": 525_600}


def worst_hours(variant: int, long: bool) -> dict:
    """The most a configuration may hold: 500 recurring holidays, one day each on alternate
    days or each a year long across New Year, six intervals every day, a zone with two offset
    changes a year (``variant`` makes it a configuration not seen before)."""
    holidays = []
    for i in range(500):
        first = dt.date(2001, 1, 1) + dt.timedelta(days=2 * i % 365)
        last = first + dt.timedelta(days=365 if long else 0)
        holidays.append({"name": f"H{i}-{variant}", "start_date": first.isoformat(),
                         "end_date": last.isoformat(), "recurring": True})  # fmt: skip
    day = [{"start": f"{2 * k:02d}:00", "end": f"{2 * k + 1:02d}:00"} for k in range(6)]
    schedule = {name: day for name in business_time.WEEKDAYS}
    return {"timezone": "America/New_York", "schedule": schedule, "holidays": holidays}


@pytest.mark.parametrize("long", [False, True], ids=["alternate days", "year-long"])
def test_the_worst_business_hours_preview_within_a_small_multiple_of_the_default(factory, long):
    default, worst = factory.tenant(), factory.tenant()
    default_times, worst_times = [], []
    for variant in range(3):
        worst.ok("business-hours/update", worst_hours(variant, long))
        seconds, response = timed(lambda: worst.post("business-hours/preview", PREVIEW))
        assert response.status_code in (200, 422), response.get_json()
        worst_times.append(seconds)
        seconds, response = timed(lambda: default.post("business-hours/preview", PREVIEW))
        assert response.status_code == 200
        default_times.append(seconds)
    # Before holiday expansion was linear, the worst took 1.6-4.8 s (hundreds of times more).
    assert statistics.median(worst_times) <= 25 * statistics.median(default_times), (
        worst_times,
        default_times,
    )


def test_holiday_runs_are_listed_in_linear_time():
    """Walking a century lists each year a bounded number of times, not once per year walked."""
    holidays = [
        business_time.ClosedDays(f"H{i}", d, d, recurring=True)
        for i in range(500)
        for d in [dt.date(2001, 1, 1) + dt.timedelta(days=2 * i % 365)]
    ]
    hours = business_time.BusinessCalendar(
        "UTC", {day: [(540, 1020)] for day in business_time.WEEKDAYS}, holidays
    )
    plan = hours._plan
    listed = []
    list_runs = plan._list_runs

    def counting(first_year, last_year):
        listed.append(last_year - first_year + 1)
        return list_runs(first_year, last_year)

    plan._list_runs = counting
    start = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    business_time.business_minutes_between(hours, start, dt.datetime(2070, 1, 1, tzinfo=dt.UTC))
    assert sum(listed) <= 4 * 100  # a walk of 100 years lists at most ~2 × 2 × 100 years
