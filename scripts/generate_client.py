"""Generate the Python client in clients/python from docs/openapi.json (``--check``: fail if
regenerating would change anything).

openapi-python-client and ruff come from the locked test environment, so the output depends
only on the document. After changing the API: scripts/export_openapi.py, then this, then
commit docs/openapi.json and clients/python together (and say so in CHANGELOG.md).
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "clients" / "python"
CONFIG = ROOT / "clients" / "python-client-config.yaml"
BIN = Path(sys.executable).parent


def generate(document: Path, output: Path) -> None:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run(
        [str(BIN / "openapi-python-client"), "generate", "--path", str(document),
         "--config", str(CONFIG), "--meta", "setup", "--output-path", str(output)],
        check=True, capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip


def differences(left: Path, right: Path) -> list[str]:
    """Files that differ, or exist on one side only, between two trees."""
    cmp = filecmp.dircmp(left, right, ignore=["__pycache__", ".ruff_cache"])
    found = [str(Path(left.name) / n) for n in cmp.left_only + cmp.right_only + cmp.diff_files]
    found += [str(Path(left.name) / n) for n in cmp.funny_files]
    for name in cmp.common_dirs:
        found += differences(left / name, right / name)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if clients/python differs")
    parser.add_argument("--document", type=Path, default=ROOT / "docs" / "openapi.json",
                        help="the OpenAPI document (default: docs/openapi.json)")  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "python"
        generate(args.document, fresh)
        if args.check:
            changed = differences(fresh, TARGET) if TARGET.exists() else ["clients/python"]
            if changed:
                print("clients/python is stale: run scripts/generate_client.py", file=sys.stderr)
                print("\n".join(changed), file=sys.stderr)
                return 1
            print("clients/python is current")
            return 0
        shutil.rmtree(TARGET, ignore_errors=True)
        shutil.copytree(fresh, TARGET, ignore=shutil.ignore_patterns(".ruff_cache"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
