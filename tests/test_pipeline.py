"""The route pipeline (tickiti_workflow/web/pipeline.py): one declaration per route, its steps
in one fixed order, a write view inside the request transaction."""

from __future__ import annotations

import inspect

import pytest
from flask import Blueprint
from psycopg.pq import TransactionStatus

from app import create_app
from auth import Ability
from tickiti_workflow.web.body import Id, StrictSchema
from tickiti_workflow.web.openapi import envelope
from tickiti_workflow.web.pipeline import Route, route


class Probe(StrictSchema):
    id = Id(required=True)


Probed = envelope("Probed", "probe", Probe)


@pytest.fixture
def probe_app(database_url):
    """A fresh app with two probe routes: a write and a read, both echoing what they saw."""
    app = create_app({"DATABASE_URL": database_url, "DATABASE_POOL_SIZE": 2})
    app.config["TESTING"] = False
    bp = Blueprint("probe", __name__)

    @route(bp, "/probe/write", Ability.WORKFLOW_WRITE, body=Probe, returns=Probed, errors=(409,))
    def probe_write(cur, payload):
        """Probe a write."""
        status = cur.connection.info.transaction_status
        return {"in_transaction": status == TransactionStatus.INTRANS, **payload}

    @route(bp, "/probe/read", Ability.WORKFLOW_READ, body=Probe, returns=Probed)
    def probe_read(payload):
        """Probe a read."""
        return {"read": True, **payload}

    app.register_blueprint(bp, url_prefix="/api/v1/workflow")
    yield app
    app.extensions["tickiti.db"].close()


def test_a_write_view_gets_the_cursor_of_the_open_request_transaction(probe_app, tenant):
    response = probe_app.test_client().post(
        "/api/v1/workflow/probe/write",
        json={"id": 7},
        headers={"Authorization": f"Bearer {tenant.token}"},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"in_transaction": True, "id": 7}


def test_the_steps_run_gates_then_idempotency_key_then_body(probe_app, tenant):
    client = probe_app.test_client()
    bad_body = {"id": "seven", "unknown": 1}
    # No token and a bad body: the gates answer first.
    response = client.post("/api/v1/workflow/probe/write", json=bad_body)
    assert (response.status_code, response.get_json()["error"]["code"]) == (401, "unauthenticated")
    # A token, a bad Idempotency-Key and a bad body: the key is checked before the body.
    auth = {"Authorization": f"Bearer {tenant.token}"}
    response = client.post(
        "/api/v1/workflow/probe/write", json=bad_body, headers={**auth, "Idempotency-Key": ""}
    )
    assert response.get_json()["error"]["code"] == "invalid_idempotency_key"
    # Then the body.
    response = client.post("/api/v1/workflow/probe/write", json=bad_body, headers=auth)
    assert response.get_json()["error"]["code"] == "validation_failed"


def test_a_read_accepts_an_empty_body_and_a_write_does_not(probe_app, tenant):
    client = probe_app.test_client()
    auth = {"Authorization": f"Bearer {tenant.token}"}
    write = client.post("/api/v1/workflow/probe/write", data=b"", headers=auth)
    assert write.get_json()["error"]["code"] == "invalid_json"
    read = client.post("/api/v1/workflow/probe/read", data=b"", headers=auth)
    assert read.get_json()["error"]["code"] == "validation_failed"  # {} lacks the id


def test_the_declaration_is_what_the_openapi_document_reads(probe_app):
    view = probe_app.view_functions["probe.probe_write"]
    assert view.route == Route(
        "/probe/write", Ability.WORKFLOW_WRITE, None, Probe, Probed, 200, (409,), None, False
    )
    assert view.route.writes


def test_a_write_cannot_be_served_from_the_list_cache():
    with pytest.raises(TypeError, match="list cache"):
        route(Blueprint("x", __name__), "/x", Ability.WORKFLOW_WRITE, returns=Probed, cached=True)


def test_every_view_hook_and_error_handler_is_a_plain_function(app):
    """The app skips Flask's per-call coroutine check (app.App.ensure_sync)."""
    functions = [*app.view_functions.values()]
    for registry in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        functions += [f for funcs in registry.values() for f in funcs]
    for by_code in app.error_handler_spec.values():
        for handlers in by_code.values():
            functions += list(handlers.values())
    assert len(functions) > 30
    for function in functions:
        assert not inspect.iscoroutinefunction(inspect.unwrap(function)), function
