"""Rules several request bodies share, written once in tickiti_workflow/schemas/common.py."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

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
