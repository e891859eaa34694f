"""gunicorn's side of the web process: its own messages as JSON lines, no second access log,
and the connection budget worked out once in the master before any worker starts."""

from __future__ import annotations

import os

from gunicorn.glogging import Logger

from .config import Settings, pool_budget, require_database
from .logs import JsonFormatter


class JsonLogger(Logger):
    """gunicorn's error log as JSON lines; its access log never written.

    The app logs every request itself (one JSON line with the request id); a platform that
    adds ``--access-logfile -`` through GUNICORN_CMD_ARGS would otherwise log each one twice.
    """

    def setup(self, cfg):
        super().setup(cfg)
        for handler in self.error_log.handlers:
            if getattr(handler, "_gunicorn", False):
                handler.setFormatter(JsonFormatter())
        for handler in list(self.access_log.handlers):
            if getattr(handler, "_gunicorn", False):
                self.access_log.removeHandler(handler)
        self._access_log_enabled = False

    @property
    def access_log_enabled(self) -> bool:
        return False

    def access(self, resp, req, environ, request_time) -> None:
        return None


def on_starting(server) -> None:
    """Refuse to start without a database; fit the workers' pools into the connection budget."""
    settings = Settings.from_env()
    require_database(settings)
    processes = server.num_workers
    if processes > settings.database_max_connections:
        server.log.warning(
            "more web processes than DATABASE_MAX_CONNECTIONS allows; running fewer",
            extra={"asked": processes, "running": settings.database_max_connections},
        )
        processes = server.num_workers = settings.database_max_connections
    # Workers inherit the environment: each sizes its pool for the count really running.
    os.environ["TICKITI_WEB_PROCESSES"] = str(processes)
    pool = pool_budget(settings.requested_pool_size, processes, settings.database_max_connections)
    server.log.info(
        "connection budget",
        extra={
            "web_processes": processes,
            "pool_size": pool,
            "requested_pool_size": settings.requested_pool_size,
            "connections": processes * pool,
            "database_max_connections": settings.database_max_connections,
        },
    )
