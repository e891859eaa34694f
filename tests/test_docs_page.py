"""GET /api/v1/workflow/docs: the interactive reference, served with no network access, and
rendered by a real headless browser (Debian's Chromium: scripts/install-browser.sh) with
every operation of the document on the page."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading

import pytest
from werkzeug.serving import make_server

from tests.factories import assert_error

DOCS = "/api/v1/workflow/docs"


def test_the_page_and_its_assets_are_served_from_the_service(factory):
    page = factory.client.get(DOCS)
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "/api/v1/workflow/openapi.json" in html
    # Paths are exact here as everywhere: no second address with a trailing slash.
    slashed = factory.client.get(DOCS + "/")
    assert_error(slashed, 404, "not_found")
    assets = re.findall(r'(?:href|src)="([^"]+)"', html)
    assert len(assets) >= 5
    for asset in assets:
        assert asset.startswith(DOCS + "/"), asset  # nothing from another host
        assert factory.client.get(asset).status_code == 200, asset
    missing = factory.client.get(DOCS + "/../../app.py")
    assert_error(missing, 404, "not_found")


@pytest.fixture
def served(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)


CHROMIUM = shutil.which("chromium")


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium: run scripts/install-browser.sh")
def test_a_headless_browser_renders_every_operation(served, factory, tmp_path):
    document = factory.client.get("/api/v1/workflow/openapi.json").get_json()
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         f"--user-data-dir={tmp_path}", "--virtual-time-budget=20000",
         # Any host but this machine fails to resolve: the page must need nothing else.
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
         "--dump-dom", f"{served}{DOCS}"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    dom = proc.stdout
    assert "swagger-ui" in dom, proc.stderr[-2000:]
    assert "Tickiti Workflow API" in dom
    rendered = set(re.findall(r'id="operations-([A-Za-z0-9_-]+)-([A-Za-z0-9_]+)"', dom))
    expected = {
        (operation["tags"][0], operation["operationId"])
        for item in document["paths"].values()
        for operation in item.values()
    }
    assert len(expected) >= 20
    assert expected <= rendered, expected - rendered
    for tag in document["tags"]:
        assert f'data-tag="{tag["name"]}"' in dom, tag["name"]
