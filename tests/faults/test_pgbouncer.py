"""The whole API suite passes with the service behind PgBouncer in transaction
pooling mode (Debian's pgbouncer, started by the fixture), the service configured with
``DATABASE_URL=…?pgbouncer=true``. test_timeouts.py runs its cases through PgBouncer too.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .conftest import REPO

pytestmark = pytest.mark.faults


def test_the_api_suite_passes_through_pgbouncer(pg_server, pgbouncer):
    env = {
        **os.environ,
        # The suite creates its database on the server directly and reaches it through
        # PgBouncer for the app (tests/conftest.py, TEST_PGBOUNCER_URL).
        "TEST_DATABASE_URL": pg_server.url,
        "TEST_PGBOUNCER_URL": pgbouncer.url + "?pgbouncer=true",
    }
    env.pop("TICKITI_FAULT_TESTS", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests",
            "--ignore=tests/faults",
            "--ignore-glob=tests/_tmp*",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    summary = result.stdout[-6000:]
    assert result.returncode == 0, summary + result.stderr[-2000:] + pgbouncer.log()
    assert " passed" in summary and "failed" not in summary.splitlines()[-1]
