"""The Python client committed in clients/python is what the served document generates, and
it works: integrators can install it as it is."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import httpx
import pytest

from scripts.generate_client import TARGET, differences, generate


def test_regenerating_the_client_from_the_served_document_changes_nothing(app, tmp_path):
    document = app.test_client().get("/api/v1/workflow/openapi.json").get_json()
    (tmp_path / "openapi.json").write_text(json.dumps(document))
    generate(tmp_path / "openapi.json", tmp_path / "python")
    assert differences(tmp_path / "python", TARGET) == [], "run scripts/generate_client.py"


@pytest.fixture
def client_package():
    sys.path.insert(0, str(TARGET))
    try:
        yield importlib.import_module("tickiti_workflow_client")
    finally:
        sys.path.remove(str(TARGET))


def test_the_committed_client_creates_and_lists_queues(client_package, app, tenant):
    client = client_package.AuthenticatedClient(base_url="http://tickiti.test", token=tenant.token)
    client.set_httpx_client(
        httpx.Client(
            base_url="http://tickiti.test",
            transport=httpx.WSGITransport(app=app),
            headers={"Authorization": f"Bearer {tenant.token}"},
        )
    )
    create = importlib.import_module("tickiti_workflow_client.api.queues.create_queue")
    models = importlib.import_module("tickiti_workflow_client.models")
    created = create.sync(client=client, body=models.QueueCreate(name="From the client"))
    assert created.queue.name == "From the client"
    listing = importlib.import_module("tickiti_workflow_client.api.queues.list_queues")
    names = [q.name for q in listing.sync(client=client).queues]
    assert names == ["Inbox", "From the client"]
    assert Path(client_package.__file__).is_relative_to(TARGET)
