"""The project's documents: a short README, and docs/API.md documents exactly the operations of
the served OpenAPI document, one section each; every document the project refers to is in it."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "API.md"
METHODS = "GET|POST|PUT|PATCH|DELETE"
# One section per operation: a heading "### POST /api/v1/workflow/queues/create".
SECTION = re.compile(rf"^#+ ({METHODS}) (/\S*)\s*$", re.MULTILINE)
# Anything else that reads as an operation: "POST /queues", "`GET /api/v1/…`", a heading
# with more after the path.
MENTION = re.compile(rf"\b({METHODS}) (/[\w/.{{}}-]*)")
BASE = "/api/v1/workflow"
# Served beside the API for operators and readers, not operations of the document (docs/API.md,
# "Outside the API").
OUTSIDE = {("GET", "/healthz"), ("GET", f"{BASE}/openapi.json"), ("GET", f"{BASE}/docs")}


@pytest.fixture(scope="module")
def operations(app) -> set[tuple[str, str]]:
    document = app.test_client().get(f"{BASE}/openapi.json").get_json()
    return {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method.upper() in METHODS.split("|")
    }


def sections() -> Counter[tuple[str, str]]:
    return Counter(SECTION.findall(REFERENCE.read_text(encoding="utf-8")))


def test_every_operation_has_exactly_one_section(operations):
    assert len(operations) > 20
    found = sections()
    assert sorted(operations - set(found)) == []
    assert sorted(op for op, n in found.items() if n > 1) == []


def test_no_section_documents_an_operation_the_document_lacks(operations):
    assert sorted(set(sections()) - operations) == []


def test_every_operation_named_in_the_text_exists(operations):
    text = REFERENCE.read_text(encoding="utf-8")
    named = set()
    for method, path in MENTION.findall(text):
        path = path.rstrip(".")
        named.add((method, path if path.startswith(BASE) or path == "/healthz" else BASE + path))
    assert len(named) >= len(operations)
    assert sorted(named - operations - OUTSIDE) == []


def test_the_readme_is_short_and_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 250
    first_block = readme.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line for line in first_block.splitlines() if line and not line.startswith("#")]
    assert len(commands) == 2
    # Editable installs: the console script runs this checkout (tests/test_serve.py proves it).
    assert "pip install -e '.[embedded]'" in commands[0] and commands[0].endswith(" serve")
    assert "pip install -e '.[test]'" in commands[1] and commands[1].endswith("pytest -q")
    sections = re.findall(r"^## (.+)$", readme, re.MULTILINE)
    order = ["Configuration", "Deploys and migrations", "Ops console", "API", "Layout",
             "Design notes"]  # fmt: skip
    assert [s for s in sections if s in order] == order


def test_ci_installs_the_checkout_in_editable_mode():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    installs = re.findall(r"^\.venv/bin/python -m pip install (.*)$", ci, re.MULTILINE)
    project = [line for line in installs if "[test]" in line]
    assert project and all(" -e '.[test]'" in line for line in project), installs


def tracked_text_files() -> dict[Path, str]:
    names = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    texts = {}
    for name in filter(None, names):
        path = ROOT / name.decode()
        if path.name in {"uv.lock", "package-lock.json"} or not path.is_file():
            continue
        try:
            texts[path] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
    return texts


def test_the_project_refers_only_to_documents_it_has():
    """The rules live in the project's own docs: no section sign pointing into another document,
    and every Markdown document named is one of ours."""
    texts = tracked_text_files()
    assert len(texts) > 50
    ours = {p.name for p in texts if p.suffix == ".md"}
    assert {"README.md", "API.md", "DESIGN.md", "CHANGELOG.md"} <= ours
    problems = []
    for path, text in texts.items():
        if "\u00a7" in text:
            problems.append(f"{path.relative_to(ROOT)}: section sign")
        for name in re.findall(r"[\w.-]+\.md\b", text):
            if name not in ours:
                problems.append(f"{path.relative_to(ROOT)}: {name}")
    assert problems == []
