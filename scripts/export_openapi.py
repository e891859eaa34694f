"""Write the served OpenAPI document to docs/openapi.json (``--check``: fail if it differs).

The document is built from the code alone (no database is reached), exactly as
GET /api/v1/workflow/openapi.json serves it. Run it after changing an endpoint or a schema,
then regenerate the client (scripts/generate_client.py) and commit all three.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET = ROOT / "docs" / "openapi.json"


def served_document() -> dict:
    import logging

    from app import create_app

    # The pool opens lazily: this URL is never connected to.
    app = create_app({"DATABASE_URL": "postgresql://unused@127.0.0.1:1/unused"})
    logging.getLogger("tickiti.access").disabled = True
    return app.test_client().get("/api/v1/workflow/openapi.json").get_json()


def render(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if docs/openapi.json differs")
    parser.add_argument("--output", type=Path, default=TARGET, help="where to write it")
    args = parser.parse_args()
    text = render(served_document())
    if args.check:
        if not TARGET.exists() or TARGET.read_text() != text:
            print(
                f"{TARGET.relative_to(ROOT)} is stale: run scripts/export_openapi.py",
                file=sys.stderr,
            )
            return 1
        print(f"{TARGET.relative_to(ROOT)} is current")
        return 0
    args.output.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
