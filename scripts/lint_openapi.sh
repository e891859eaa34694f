#!/usr/bin/env bash
# The served OpenAPI document must pass third-party linters with no error and no warning:
# Spectral's spectral:oas ruleset and Redocly's recommended rules, at the versions pinned in
# scripts/openapi-lint/package-lock.json (installed here from the npm registry with npm ci).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
LINT=scripts/openapi-lint
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

command -v npm >/dev/null || { echo "lint_openapi: npm is needed (Node.js 20+)" >&2; exit 1; }
(cd "$LINT" && npm ci --no-audit --no-fund --loglevel=error)

doc="$(mktemp --suffix=.json)"
trap 'rm -f "$doc"' EXIT
"$PYTHON" scripts/export_openapi.py --output "$doc"

echo "-- spectral lint (spectral:oas)"
"$LINT/node_modules/.bin/spectral" lint --fail-severity hint --ruleset "$LINT/.spectral.yaml" "$doc"

echo "-- redocly lint (recommended)"
report="$("$LINT/node_modules/.bin/redocly" lint --config "$LINT/redocly.yaml" --format json "$doc" 2>/dev/null || true)"
"$PYTHON" - "$report" <<'PY'
import json, sys
report = json.loads(sys.argv[1])
for problem in report["problems"]:
    print(f"{problem['severity']}: {problem['ruleId']}: {problem['message']}")
totals = report["totals"]
print(f"redocly {report['version']}: {totals['errors']} errors, {totals['warnings']} warnings")
sys.exit(1 if totals["errors"] or totals["warnings"] else 0)
PY
