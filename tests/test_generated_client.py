"""A client generated from the served document (openapi-python-client) lists and creates every
resource: the document is complete and true enough for an integrator's code generator."""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys

import httpx
import pytest

GENERATOR = shutil.which("openapi-python-client") or str(
    __import__("pathlib").Path(sys.executable).with_name("openapi-python-client")
)


@pytest.fixture(scope="module")
def client_package(app, tmp_path_factory):
    root = tmp_path_factory.mktemp("generated")
    document = app.test_client().get("/api/v1/workflow/openapi.json").get_json()
    (root / "openapi.json").write_text(json.dumps(document))
    subprocess.run(
        [GENERATOR, "generate", "--path", str(root / "openapi.json"), "--meta", "none",
         "--output-path", str(root / "tickiti_client")],
        check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module("tickiti_client")
    finally:
        sys.path.remove(str(root))


@pytest.fixture
def api(client_package, app, tenant):
    """The generated AuthenticatedClient, talking to the app in-process over WSGI."""
    client = client_package.AuthenticatedClient(base_url="http://tickiti.test", token=tenant.token)
    transport = httpx.WSGITransport(app=app)
    client.set_httpx_client(
        httpx.Client(
            base_url="http://tickiti.test",
            transport=transport,
            headers={"Authorization": f"Bearer {tenant.token}"},
        )
    )
    return client


def call(client_package, module: str, api, body=None):
    operation = importlib.import_module(f"tickiti_client.api.{module}")
    kwargs = {"client": api}
    if body is not None:
        kwargs["body"] = body
    response = operation.sync_detailed(**kwargs)
    assert response.status_code < 300, response.content
    assert response.parsed is not None
    return response.parsed


def models(client_package):
    return importlib.import_module("tickiti_client.models")


def test_list_and_create_every_resource(client_package, api, tenant):
    m = models(client_package)

    created = call(client_package, "queues.create_queue", api, m.QueueCreate(name="Billing"))
    assert created.queue.name == "Billing"
    listed = call(client_package, "queues.list_queues", api, m.Empty())
    assert [q.name for q in listed.queues] == ["Inbox", "Billing"]
    assert listed.queues[1].created_at.tzinfo is not None

    category = call(
        client_package, "resolution_categories.create_category", api, m.CategoryCreate(name="Fixed")
    )
    assert category.resolution_category.position == 1
    categories = call(client_package, "resolution_categories.list_categories", api, m.Empty())
    assert [c.name for c in categories.resolution_categories] == ["Fixed"]

    form_field = m.FormField.from_dict(
        {"key": "order_id", "label": "Order", "type": "text", "required": True}
    )
    intervention = call(
        client_package,
        "interventions.create_intervention",
        api,
        m.InterventionCreate(
            name="Refund", remote_url="https://billing.example.com/hook", fields=[form_field]
        ),
    )
    assert intervention.intervention.fields[0].key == "order_id"
    assert intervention.intervention.has_remote_token is False
    listed = call(client_package, "interventions.list_interventions", api, m.Empty())
    assert [i.name for i in listed.interventions] == ["Refund"]

    escalation = call(
        client_package,
        "escalations.create_escalation",
        api,
        m.EscalationCreate.from_dict(
            {
                "name": "Urgent idle",
                "target": {"metric": "idle", "minutes": 60, "business_hours": True},
                "actions": [{"type": "move_to_queue", "queue_id": created.queue.id}],
            }
        ),
    )
    assert escalation.escalation.position == 1
    listed = call(client_package, "escalations.list_escalations", api, m.Empty())
    assert [e.name for e in listed.escalations] == ["Urgent idle"]
    assert listed.business_hours.timezone == "UTC"

    settings = call(
        client_package,
        "escalation_settings.update_escalation_settings",
        api,
        m.EscalationSettingsUpdate.from_dict(
            {"pause_statuses": ["on_hold"], "expected_version": 1}
        ),
    )
    assert settings.escalation_settings.pause_statuses == ["on_hold"]
    assert settings.recompute.finished_at is None
    read = call(client_package, "escalation_settings.get_escalation_settings", api, m.Empty())
    assert read.escalation_settings.version == 2

    events = call(client_package, "audit_events.list_audit_events", api, m.AuditQuery())
    assert len(events.audit_events) == 5


def test_errors_parse_as_the_error_model(client_package, api):
    m = models(client_package)
    operation = importlib.import_module("tickiti_client.api.queues.create_queue")
    response = operation.sync_detailed(client=api, body=m.QueueCreate(name="Inbox"))
    assert response.status_code == 409
    assert response.parsed.error.code == "name_taken"
