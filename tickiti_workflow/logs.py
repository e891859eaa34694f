"""One JSON object per line on stdout."""

from __future__ import annotations

import json
import logging
import sys
import time


class JsonFormatter(logging.Formatter):
    """Render a record and its ``extra`` fields as one JSON line."""

    _RESERVED = frozenset(vars(logging.makeLogRecord({})))

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(
            (k, v) for k, v in vars(record).items() if k not in self._RESERVED and k != "message"
        )
        if record.exc_info:
            # Stack traces go to the log, never to a client.
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


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
