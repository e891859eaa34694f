"""PgBouncer mode is switched on by DATABASE_PGBOUNCER or by ``?pgbouncer=true`` in the URL,
which is removed before libpq sees it (libpq rejects unknown URL parameters)."""

from __future__ import annotations

import pytest

from tickiti_workflow.config import Settings
from tickiti_workflow.db import local_settings

pytestmark = pytest.mark.faults


@pytest.mark.parametrize(
    ("env", "url", "pgbouncer"),
    [
        ({"DATABASE_URL": "postgres://u:p@h:5432/d"}, "postgresql://u:p@h:5432/d", False),
        (
            {"DATABASE_URL": "postgres://u@h:6432/d?pgbouncer=true&sslmode=require"},
            "postgresql://u@h:6432/d?sslmode=require",
            True,
        ),
        ({"DATABASE_URL": "postgresql://h/d?pgbouncer=false"}, "postgresql://h/d", False),
        (
            {"DATABASE_URL": "postgresql://h/d", "DATABASE_PGBOUNCER": "true"},
            "postgresql://h/d",
            True,
        ),
    ],
)
def test_pgbouncer_flag(env, url, pgbouncer):
    settings = Settings.from_env(env)
    assert (settings.database_url, settings.pgbouncer) == (url, pgbouncer)


def test_bad_flag_is_a_clear_error():
    with pytest.raises(SystemExit, match="DATABASE_PGBOUNCER"):
        Settings.from_env({"DATABASE_PGBOUNCER": "maybe"})


def test_timeouts_travel_with_each_transaction_in_pgbouncer_mode():
    settings = Settings.from_env(
        {"DATABASE_STATEMENT_TIMEOUT_MS": "1234", "DATABASE_LOCK_TIMEOUT_MS": "567"}
    )
    assert local_settings(settings)[:2] == [
        "SET LOCAL statement_timeout = 1234",
        "SET LOCAL lock_timeout = 567",
    ]
