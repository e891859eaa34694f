"""Real calls of every resolution-category and intervention endpoint answer the success status
their operation documents, with a named response schema (every response's body is checked
against the document by the test client: tests/factories.py)."""

from __future__ import annotations

import secrets

import pytest

from tickiti_workflow.web import openapi

URL = "https://hooks.example.com/tickiti"
SELECT_FIELD = {
    "key": "outcome",
    "label": "Outcome",
    "type": "select",
    "required": True,
    "options": [{"value": "fixed", "label": "Fixed"}],
    "help_text": "Pick one.",
}


@pytest.fixture(scope="module")
def document(app):
    return openapi.build(app)


@pytest.fixture
def call(tenant, document):
    """POST as the tenant; assert the status and that the operation names its response schema."""

    def call(path: str, body: dict, status: int = 200, **kw) -> dict:
        answer = tenant.ok(path, body, status, **kw)
        operation = document["paths"][f"{openapi.API_PREFIX}/{path}"]["post"]
        schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
        assert "$ref" in schema, f"{path} has no precise response schema"
        return answer

    return call


def category(call, **kw) -> dict:
    body = {"name": f"Category {secrets.token_hex(4)}", **kw}
    return call("resolution-categories/create", body, 201)["resolution_category"]


def intervention(call, **kw) -> dict:
    body = {"name": f"Intervention {secrets.token_hex(4)}", "remote_url": URL, **kw}
    return call("interventions/create", body, 201)["intervention"]


# --- resolution categories ----------------------------------------------------------------


class TestListResolutionCategories:
    def test_empty_and_filled(self, call, tenant):
        assert call("resolution-categories", {}) == {"resolution_categories": []}
        made = category(call, description="With tickets")
        tenant.categorise(made["id"], 2)
        category(call)
        listed = call("resolution-categories", {})["resolution_categories"]
        assert len(listed) == 2 and listed[0]["ticket_count"] == 2


class TestCreateResolutionCategory:
    def test_create(self, call):
        assert category(call, description="")["position"] == 1


class TestUpdateResolutionCategory:
    def test_changed_and_unchanged(self, call):
        made = category(call)
        body = {"id": made["id"], "name": "Renamed", "expected_version": 1}
        assert call("resolution-categories/update", body)["resolution_category"]["version"] == 2
        call("resolution-categories/update", {"id": made["id"]})


class TestDeleteResolutionCategory:
    def test_plain_and_with_replacement(self, call, tenant):
        gone, kept, unused = category(call), category(call), category(call)
        tenant.categorise(gone["id"], 2)
        body = {"id": gone["id"], "replace_with_id": kept["id"]}
        assert call("resolution-categories/delete", body)["recategorised"] == 2
        assert call("resolution-categories/delete", {"id": unused["id"]})["recategorised"] == 0


class TestReorderResolutionCategories:
    def test_reorder(self, call):
        ids = [category(call)["id"] for _ in range(3)]
        listed = call("resolution-categories/reorder", {"ids": ids[::-1]})
        assert [c["id"] for c in listed["resolution_categories"]] == ids[::-1]


# --- interventions ------------------------------------------------------------------------


class TestListInterventions:
    def test_empty_and_filled_with_and_without_token(self, call):
        assert call("interventions", {}) == {"interventions": []}
        with_token = intervention(
            call, fields=[SELECT_FIELD, {"key": "note", "label": "Note", "type": "text"}]
        )
        intervention(call, enabled=False)
        call("interventions/generate-token", {"intervention_id": with_token["id"]})
        listed = call("interventions", {})["interventions"]
        assert {i["has_remote_token"] for i in listed} == {True, False}


class TestCreateIntervention:
    def test_create(self, call):
        made = intervention(call, fields=[SELECT_FIELD], description="Refunds")
        assert made["remote_token_hint"] is None


class TestUpdateIntervention:
    def test_changed_and_unchanged(self, call):
        made = intervention(call)
        body = {"intervention_id": made["id"], "fields": [SELECT_FIELD], "enabled": False}
        assert call("interventions/update", body)["intervention"]["fields"] == [SELECT_FIELD]
        call("interventions/update", {"intervention_id": made["id"]})


class TestDeleteIntervention:
    def test_delete(self, call):
        made = intervention(call)
        body = call("interventions/delete", {"intervention_id": made["id"]})
        assert body == {"deleted": True, "id": made["id"]}


class TestGenerateRemoteToken:
    def test_first_and_replayed(self, call):
        made = intervention(call)
        body = {"intervention_id": made["id"], "grace_minutes": 5}
        headers = {"Idempotency-Key": "openapi-mint"}
        first = call("interventions/generate-token", body, headers=headers)
        assert first["remote_token"].startswith("tkr_")
        replayed = call("interventions/generate-token", body, headers=headers)
        assert replayed["remote_token"] is None  # withheld, and still as documented
