"""Rules written once and shared: distinct values and differing ids in request bodies
(tickiti_workflow/schemas/common.py), and each resource's API row shape (sql/*.sql)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from marshmallow import ValidationError

import sql
from tickiti_workflow.jsonfmt import iso_utc
from tickiti_workflow.schemas.common import differs_from, distinct, repeat_positions
from tickiti_workflow.schemas.escalations import Conditions
from tickiti_workflow.schemas.interventions import FormField, InterventionCreate
from tickiti_workflow.schemas.queues import QueueDelete, QueueMove
from tickiti_workflow.schemas.resolution_categories import CategoryDelete


def test_repeat_positions_are_the_later_occurrences():
    assert repeat_positions([3, 1, 3, 3, 2, 1]) == [2, 3, 5]
    assert repeat_positions([]) == []


def test_distinct_names_each_repeated_value_once_sorted_and_at_most_twenty():
    with pytest.raises(ValidationError) as refused:
        distinct("Queue ids")([5, 2, 5, 5, 2, 9])
    assert refused.value.messages == ["Queue ids must be distinct; repeated: [2, 5]."]
    with pytest.raises(ValidationError) as refused:
        distinct("Ticket ids")(list(range(30)) * 2)
    assert refused.value.messages == [f"Ticket ids must be distinct; repeated: {list(range(20))}."]
    distinct("Ticket ids")([1, 2, 3])  # no repeats: no error


@pytest.mark.parametrize(
    ("schema", "body", "path", "message"),
    [
        (
            Conditions,
            {"queue_ids": [7, 7]},
            "queue_ids",
            "Queue ids must be distinct; repeated: [7].",
        ),
        (
            Conditions,
            {"priorities": ["low", "high", "low"]},
            "priorities",
            "Priorities must be distinct; repeated: ['low'].",
        ),
        (
            QueueMove,
            {"from_queue_id": 1, "to_queue_id": 2, "ticket_ids": [4, 3, 4, 3]},
            "ticket_ids",
            "Ticket ids must be distinct; repeated: [3, 4].",
        ),
        (
            FormField,
            {
                "key": "k",
                "label": "K",
                "type": "select",
                "options": [{"value": "b", "label": "B"}, {"value": "b", "label": "B2"}],
            },
            "options",
            "Option values must be distinct; repeated: ['b'].",
        ),
    ],
)
def test_every_list_of_distinct_values_says_it_the_same_way(schema, body, path, message):
    with pytest.raises(ValidationError) as refused:
        schema().load(body)
    assert refused.value.messages[path] == [message]


def test_form_field_keys_are_refused_at_each_repeat():
    field = {"label": "L", "type": "text"}
    body = {
        "name": "n",
        "remote_url": "https://example.com/hook",
        "fields": [{**field, "key": "a"}, {**field, "key": "b"}, {**field, "key": "a"}],
    }
    with pytest.raises(ValidationError) as refused:
        InterventionCreate().load(body)
    assert refused.value.messages == {
        "fields": [{2: {"key": ["Duplicate key 'a'; keys must be unique."]}}]
    }


@pytest.mark.parametrize(
    ("schema", "body", "path", "other"),
    [
        (
            QueueDelete,
            {"queue_id": 3, "reassign_to_queue_id": 3},
            "reassign_to_queue_id",
            "queue_id",
        ),
        (QueueMove, {"from_queue_id": 3, "to_queue_id": 3}, "to_queue_id", "from_queue_id"),
        (CategoryDelete, {"id": 3, "replace_with_id": 3}, "replace_with_id", "id"),
    ],
)
def test_two_ids_that_must_name_different_objects(schema, body, path, other):
    with pytest.raises(ValidationError) as refused:
        schema().load(body)
    assert refused.value.messages == {path: [f"Must differ from {other}."]}
    differs_from({"a": 1, "b": 2}, "a", "b")  # different: no error


# --- API row shapes and timestamps ----------------------------------------------------------

MOMENTS = [
    datetime(2026, 3, 29, 1, 59, 59, 999_999, tzinfo=UTC),
    datetime(2026, 3, 29, 3, 0, tzinfo=ZoneInfo("Europe/Berlin")),
    datetime(1999, 12, 31, 23, 59, 59, 5, tzinfo=UTC),
    datetime(2030, 1, 1, tzinfo=UTC),
]


@pytest.mark.parametrize("moment", MOMENTS, ids=str)
def test_the_database_and_python_write_a_timestamp_the_same_way(factory, moment):
    """Stored timestamps are rendered by api_time() in each resource's shape; timestamps
    computed in Python (previews, explanations) by jsonfmt.iso_utc: the two must agree."""
    rendered = factory.one("SELECT api_time(%s::timestamptz) AS t", (moment,))["t"]
    assert rendered == iso_utc(moment)


def test_every_query_of_a_resource_selects_its_one_shape():
    """Each resource's API row shape is written once (a `-- shape:` block) and selected by
    every query that returns the resource, so single objects and lists look alike."""
    shaped = {
        "queues": ("list_queues", "get_queue", "create_queue"),
        "resolution_categories": ("list_categories", "get_category", "create_category"),
        "interventions": ("list_interventions", "get_intervention", "create_intervention"),
        "escalations": ("list_escalations_with_hours", "get_escalation", "lock_escalation"),
        "jobs": ("list_jobs", "get_job"),
        "business_hours": ("get_business_hours", "lock_business_hours", "update_business_hours"),
    }
    for file, names in shaped.items():
        text = (Path(sql.__file__).parent / f"{file}.sql").read_text()
        assert text.count("-- shape:") == 1, file
        assert text.count("{{") == len(names), file
        for name in names:
            query = getattr(getattr(sql, file), name)
            assert "api_time(" in query.text and "{{" not in query.text, name


def test_a_query_naming_an_unknown_shape_does_not_load():
    with pytest.raises(ValueError, match="no shape queue"):
        sql.parse("-- name: q\n-- A query.\nSELECT {{queue}} FROM queues\n")
