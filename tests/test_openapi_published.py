"""The document as other tools read it: every pattern means the same in ECMA-262 (node) as in
Python and in the service, tags and contact are declared, each error status lists its codes
with an example body, and docs/openapi.json is the served document."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from scripts.export_openapi import render
from tickiti_workflow.schemas.interventions import FIELD_KEY_RE, InterventionCreate
from tickiti_workflow.web import openapi

ROOT = Path(__file__).resolve().parent.parent
SP = "\u3000"

# pattern → (what it is, valid examples, invalid examples, the service's own check or None)
KEY = "^[a-z][a-z0-9_]{0,63}$"
IDEMPOTENCY = "^[!-~]([ -~]{0,253}[!-~])?$"
EXAMPLES = {
    KEY: (
        ["a", "due_date", "abc", "a" + "b" * 63, "x9_"],
        ["", "A", "1a", "a-b", "a" * 65, "abc\n", "abcZ", "abc\\Z", "é"],
        FIELD_KEY_RE.fullmatch,
    ),
    IDEMPOTENCY: (
        ["a", "key-1", "a b", "x" * 255, "~!"],
        ["", " a", "a ", "é", "x" * 256, "a\n", "a\tb"],
        None,  # HTTP trims a header's outer spaces before the service sees it (valid_key)
    ),
    # text on one line, at least one character that is not a space
    "Holiday.name": (
        ["a", " a ", "日本", "a\u00e9", "Caf\u00e9 \u2014 bar"],
        # invisible characters (a byte-order mark, a zero-width space) are refused in labels
        ["", "   ", SP, "\u00a0", "a\nb", "a\tb", "\x7f", "\x85x", "x\n", "\ufeff", "a\u200bb"],
        None,
    ),
    # text over several lines, possibly empty
    "FormField.help_text": (
        ["", "a\nb", "a\tb\r\n", "日本"],
        ["a\x00", "\x0b", "\x1b[0m", "\x9f"],
        None,
    ),
    "InterventionCreate.remote_url": (
        ["https://example.com/x", " HTTPS://a.b", f"{SP}https://x", "https://a b"],
        ["http://x", "https://", "ftp://x", "\ufeffhttps://x", "https://a\n", "xhttps://a"],
        None,
    ),
}


def document(factory) -> dict:
    return factory.client.get("/api/v1/workflow/openapi.json").get_json()


def patterns(node, where="") -> dict[str, str]:
    """Every pattern in the document, keyed by the first schema path that uses it."""
    found: dict[str, str] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                found.setdefault(value, where)
            else:
                found.update({p: w for p, w in patterns(value, f"{where}/{key}").items()
                              if p not in found})  # fmt: skip
    elif isinstance(node, list):
        for value in node:
            found.update({p: w for p, w in patterns(value, where).items() if p not in found})
    return found


def examples_for(pattern: str, where: str):
    if pattern in EXAMPLES:
        return EXAMPLES[pattern]
    parts = where.split("/")
    if "schemas" in parts:
        name = f"{parts[parts.index('schemas') + 1]}.{parts[-1]}"
        if name in EXAMPLES:
            return EXAMPLES[name]
    raise AssertionError(f"no examples for the pattern {pattern!r} at {where}: add some")


@pytest.mark.skipif(shutil.which("node") is None, reason="node is needed for ECMA-262")
def test_every_pattern_means_the_same_in_ecma_262_python_and_the_service(factory):
    found = patterns(document(factory))
    assert len(found) >= 5
    cases = []
    for pattern, where in found.items():
        valid, invalid, service = examples_for(pattern, where)
        for text, expected in [(v, True) for v in valid] + [(i, False) for i in invalid]:
            cases.append({"pattern": pattern, "text": text, "expected": expected})
            # Python's dialect, as a whole-string match (the document's patterns are anchored)
            assert bool(re.fullmatch(pattern, text)) is expected, (pattern, text)
            if service is not None:
                assert bool(service(text)) is expected, ("service", pattern, text)
    script = (
        "const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(cases.map(c => new RegExp(c.pattern, 'u').test(c.text))));"
    )
    proc = subprocess.run(["node", "-e", script], input=json.dumps(cases), text=True,
                          capture_output=True, timeout=60, check=True)  # fmt: skip
    for case, answer in zip(cases, json.loads(proc.stdout), strict=True):
        assert answer is case["expected"], ("ECMA-262", case)


def test_the_service_checks_remote_urls_at_least_as_strictly(factory):
    """What the pattern refuses, the service refuses too (it checks more: hosts, length)."""
    _, invalid, _ = EXAMPLES["InterventionCreate.remote_url"]
    schema = InterventionCreate()
    for url in invalid:
        errors = schema.validate({"name": "x", "remote_url": url})
        assert "remote_url" in errors, url


def test_tags_are_declared_and_there_is_a_contact(factory):
    doc = document(factory)
    declared = {t["name"] for t in doc["tags"]}
    used = {tag for item in doc["paths"].values() for op in item.values() for tag in op["tags"]}
    assert used == declared
    assert all(t["description"] for t in doc["tags"])
    assert doc["info"]["contact"]["name"] and doc["info"]["license"]["name"]


def test_each_error_status_lists_its_codes_with_an_example(factory):
    doc = document(factory)
    for path, item in doc["paths"].items():
        for status, response in item["post"]["responses"].items():
            if int(status) < 400:
                continue
            codes = response["x-error-codes"]
            assert codes, (path, status)
            examples = response["content"]["application/json"]["examples"]
            assert list(examples) == codes
            for code in codes:
                body = examples[code]["value"]
                assert body["error"]["code"] == code and body["error"]["message"]
                assert f"`{code}`" in response["description"]


def test_every_error_code_the_code_raises_is_documented():
    documented = {code for codes in openapi.ERROR_CODES.values() for code in codes}
    sources = [*ROOT.glob("handlers/*.py"), *ROOT.glob("auth/*.py"),
               *ROOT.glob("tickiti_workflow/*.py")]  # fmt: skip
    raised = set()
    for source in sources:
        text = source.read_text()
        raised.update(re.findall(r'\bcode="([a-z_]+)"', text))
        raised.update(re.findall(r'\bcode = (?:\d+, )?"([a-z_]+)"', text))
        raised.update(re.findall(r'status, code = \d+, "([a-z_]+)"', text))
    # Answered outside the documented endpoints (no route, wrong method) or never expected.
    raised -= {"method_not_allowed", "http_error", "internal_error", "bad_request"}
    assert raised, "found no error codes in the source"
    assert raised <= documented, raised - documented


def test_docs_openapi_json_is_the_served_document(factory):
    committed = (ROOT / "docs" / "openapi.json").read_text()
    assert committed == render(document(factory)), "run scripts/export_openapi.py"


def test_the_changelog_covers_the_documents_version(factory):
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert "## Compatibility policy" in changelog
    assert f"\n## {document(factory)['info']['version']}\n" in changelog
