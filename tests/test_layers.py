"""Each layer has one home: views in handlers/, bodies in tickiti_workflow/schemas/, domain
rules in modules without Flask, benchmark endpoints with the benchmark."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
from marshmallow import Schema

REPO = Path(__file__).resolve().parent.parent
DOMAIN = (
    "tickiti_workflow/business_time.py",
    "tickiti_workflow/remote_urls.py",
    "tickiti_workflow/remote_tokens.py",
    "tickiti_workflow/rules.py",
    "tickiti_workflow/escalation_refs.py",
    "tickiti_workflow/sla.py",
)
HANDLERS = sorted((REPO / "handlers").glob("*.py"))


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            names |= {base, *(f"{base}.{alias.name}" for alias in node.names)}
    return names


@pytest.mark.parametrize("module", DOMAIN)
def test_domain_modules_know_nothing_of_the_web(module):
    imported = imported_modules(REPO / module)
    web = {"flask", "werkzeug", "handlers", "marshmallow", "tickiti_workflow.errors"}
    assert not {name for name in imported if name.split(".")[0] in web or name in web}, module


@pytest.mark.parametrize("path", HANDLERS, ids=lambda p: p.name)
def test_handler_modules_hold_views_only(path):
    module = __import__(f"handlers.{path.stem}", fromlist=["*"])
    defined_here = [
        name
        for name, value in vars(module).items()
        if inspect.isclass(value)
        and issubclass(value, Schema)
        and value.__module__ == module.__name__
    ]
    assert defined_here == [], f"schemas belong in tickiti_workflow/schemas/: {defined_here}"
    imported = imported_modules(path)
    assert not {n for n in imported if n.startswith(("handlers.business_hours", ".business_hours"))
                if path.stem != "business_hours"}  # fmt: skip
    assert "handlers.jobs" not in imported and ".jobs" not in imported


def test_queue_views_leave_escalation_queries_to_the_domain():
    assert "sql.escalations" not in (REPO / "handlers" / "queues.py").read_text()


def test_the_service_mounts_no_benchmark_endpoint(app):
    assert not [rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/bench")]
