"""The served OpenAPI document: valid, complete, and true to the route table and gates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from auth import Ability
from tickiti_workflow.web.idempotency import valid_key
from tickiti_workflow.web.openapi import IDEMPOTENCY_KEY_PATTERN

API = "/api/v1/workflow/"


@pytest.fixture(scope="module")
def document(app):
    response = app.test_client().get("/api/v1/workflow/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def gated_views(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and rule.rule.startswith(API):
            yield rule.rule, app.view_functions[rule.endpoint]


def test_is_a_valid_openapi_31_document(document):
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_needs_no_token(factory):
    assert factory.client.get("/api/v1/workflow/openapi.json").status_code == 200


def test_describes_every_endpoint_and_nothing_else(app, document):
    assert set(document["paths"]) == {path for path, _ in gated_views(app)}
    for path, item in document["paths"].items():
        assert set(item) == {"post"}, path


def test_every_endpoint_declares_its_body_and_success_response(app):
    for path, view in gated_views(app):
        assert view.route.body is not None, path
        assert view.route.returns is not None, path
        assert view.__doc__, path


def test_operations_carry_gates_security_and_errors(app, document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    for path, view in gated_views(app):
        operation = document["paths"][path]["post"]
        ability, feature = view.route.ability, view.route.feature
        assert operation["security"] == [{"bearer": []}]
        assert operation["x-ability"] == str(ability)
        assert operation["x-plan-feature"] == feature
        assert str(ability) in operation["description"]
        if feature:
            assert feature in operation["description"]
        statuses = set(operation["responses"])
        assert {"400", "401", "403", "413", "415", "422", "429", "503"} <= statuses, path
        for status, response in operation["responses"].items():
            schema = response["content"]["application/json"]["schema"]
            if status.startswith("2"):
                assert schema != {"$ref": "#/components/schemas/Error"}
            else:
                assert schema == {"$ref": "#/components/schemas/Error"}, (path, status)
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body["$ref"].startswith("#/components/schemas/")
        writes = ability is Ability.WORKFLOW_WRITE
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert ("Idempotency-Key" in headers) == writes, path


def test_request_bodies_forbid_unknown_fields(app, document):
    schemas = document["components"]["schemas"]
    for path, _ in gated_views(app):
        ref = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        schema = schemas[ref["schema"]["$ref"].rsplit("/", 1)[1]]
        assert schema["additionalProperties"] is False, path


def test_every_error_code_is_listed_in_the_api_reference():
    root = Path(__file__).resolve().parent.parent
    readme = (root / "docs" / "API.md").read_text(encoding="utf-8")
    sources = [root / "app.py", *root.glob("auth/*.py"), *root.glob("handlers/*.py"),
               *root.glob("tickiti_workflow/*.py")]  # fmt: skip
    source = "\n".join(p.read_text(encoding="utf-8") for p in sources)
    codes = set(re.findall(r'code\s*=\s*"([a-z_]+)"', source))
    codes |= set(re.findall(r'status, code = \d+, "([a-z_]+)"', source))
    codes |= set(re.findall(r'\(\s*"([a-z_]+)",\s*"', source)) & {"method_not_allowed"}
    codes -= {"bad_request", "http_error"}
    missing = sorted(c for c in codes if f"`{c}`" not in readme)
    assert missing == []


@pytest.mark.parametrize(
    ("key", "valid"),
    [("a", True), ("k" * 255, True), ("with inner space", True), ("", False),
     (" lead", False), ("k" * 256, False), ("tab\t", False), ("ü", False)],
)  # fmt: skip
def test_idempotency_key_pattern_matches_the_service(key, valid):
    assert bool(re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key)) is valid
    if key == key.strip():
        assert valid_key(key) is valid
