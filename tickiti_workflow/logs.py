"""One JSON object per line on stdout."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

_STARTED = time.time()


class JsonFormatter(logging.Formatter):
    """Render a record and its ``extra`` fields as one JSON line."""

    _RESERVED = frozenset(vars(logging.makeLogRecord({}))) | {"message"}
    _encoder = json.JSONEncoder(default=str)
    _second: tuple[int, str] = (-1, "")

    def _timestamp(self, record: logging.LogRecord) -> str:
        second = int(record.created)
        if second != self._second[0]:  # one strftime a second, not one a line
            self._second = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
        return f"{self._second[1]}.{int(record.msecs):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        reserved = self._RESERVED
        entry = {
            "ts": self._timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        } | {k: v for k, v in vars(record).items() if k not in reserved}
        if record.exc_info:
            # Stack traces go to the log, never to a client.
            entry["exception"] = self.formatException(record.exc_info)
        return self._encoder.encode(entry)


# What a record needs beyond its message and time; the caller's frame, thread and process are
# left out (None), as logging itself does when told not to look them up.
_LEAN_RECORD = {
    "args": (),
    "exc_info": None,
    "exc_text": None,
    "stack_info": None,
    "pathname": "",
    "filename": "",
    "module": "",
    "lineno": 0,
    "funcName": None,
    "thread": None,
    "threadName": None,
    "process": None,
    "processName": None,
}


def info_fast(logger: logging.Logger, message: str, fields: dict[str, Any]) -> None:
    """Log ``message`` with ``fields`` at INFO, like ``logger.info(message, extra=fields)``
    but without finding the caller's frame, thread and process: the access log runs on
    every request, and a general record costs more than the rest of an empty request."""
    if not logger.isEnabledFor(logging.INFO):
        return
    record = logging.LogRecord.__new__(logging.LogRecord)
    created = time.time()
    attributes = record.__dict__
    attributes.update(
        name=logger.name,
        msg=message,
        levelname="INFO",
        levelno=logging.INFO,
        created=created,
        msecs=int((created - int(created)) * 1000) + 0.0,
        relativeCreated=(created - _STARTED) * 1000,
    )
    attributes.update(_LEAN_RECORD)
    attributes.update(fields)
    logger.handle(record)


def configure(level: str) -> None:
    """Send every ``tickiti`` log record, and the connection pool's (``psycopg``, warnings and
    worse unless LOG_LEVEL is DEBUG), to stdout as JSON lines."""
    pool_level = level if level in ("DEBUG", "ERROR", "CRITICAL") else "WARNING"
    for name, logger_level in (("tickiti", level), ("psycopg", pool_level)):
        logger = logging.getLogger(name)
        if not any(getattr(h, "tickiti_stdout", False) for h in logger.handlers):
            handler = logging.StreamHandler(sys.stdout)
            handler.setFormatter(JsonFormatter())
            handler.tickiti_stdout = True  # type: ignore[attr-defined]
            logger.addHandler(handler)
        logger.setLevel(logger_level)
        logger.propagate = False
