"""gunicorn settings shared by the Procfile (gunicorn.conf.py) and ``tickiti-workflow serve``."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from . import embedded
from .config import Settings
from .gunicorn_hooks import on_starting

# The WSGI app, as the Procfile names it to gunicorn.
APP = "app:create_app()"

FIRST_STEPS = """\
Tickiti Workflow API on http://127.0.0.1:{port} (embedded PostgreSQL in {data_dir}).
To call it, create an account, an admin user and a token (the commands use this embedded
database when asked to, as here):

  export TICKITI_EMBEDDED_DB=true
  tickiti-workflow create-account --name "Acme" --plan pro
  tickiti-workflow create-user --account 1 --email admin@example.com --role admin
  tickiti-workflow create-token --user 1 --ability workflow:write
  curl -s -X POST -H "Authorization: Bearer tkt_..." http://127.0.0.1:{port}/api/v1/workflow/queues
"""


def gunicorn_options(settings: Settings, port: int | None = None) -> dict[str, Any]:
    """gthread workers (psycopg releases the GIL while it waits on PostgreSQL) that read each
    request whole before a thread takes it, and answer gunicorn's own errors as JSON."""
    return {
        "bind": f"0.0.0.0:{port or settings.port}",
        "workers": settings.web_concurrency,
        "worker_class": "tickiti_workflow.web_worker.Worker",
        "threads": settings.threads,
        "timeout": 30,
        "graceful_timeout": 20,
        "keepalive": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": settings.log_level.lower(),
        # JSON lines, no access log of gunicorn's, and the connection budget (gunicorn_hooks.py).
        "logger_class": "tickiti_workflow.gunicorn_hooks.JsonLogger",
        "on_starting": on_starting,
    }


def serve(settings: Settings, port: int | None = None) -> None:
    """Run the service under gunicorn and a worker beside it, on the embedded database unless
    DATABASE_URL is set. The worker stops with the service."""
    from gunicorn import util
    from gunicorn.app.base import BaseApplication

    if not settings.database_url:
        url = embedded.database_url(settings, asked=True)
        # Workers build the app from the environment; they join this server instead of their own.
        os.environ["DATABASE_URL"] = url
        print(
            FIRST_STEPS.format(port=port or settings.port, data_dir=settings.data_dir.resolve()),
            file=sys.stderr,
        )

    class Application(BaseApplication):
        def load_config(self):
            for key, value in gunicorn_options(settings, port).items():
                self.cfg.set(key, value)

        def load(self):
            # The app the Procfile names, found by gunicorn the same way.
            return util.import_app(APP)

    worker = subprocess.Popen(
        [sys.executable, "-m", "tickiti_workflow.cli", "worker", "--exit-with-parent"]
    )
    try:
        Application().run()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
