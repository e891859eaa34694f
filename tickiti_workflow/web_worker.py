"""The gunicorn worker of the web process: gthread, hardened against slow and broken clients.

* A connection gets a thread only once its whole request (headers and body, up to the size
  limits) has arrived. Until then the worker's event loop reads whatever bytes come, without
  blocking, so clients that trickle bytes hold no thread. A request not complete within
  ``REQUEST_READ_TIMEOUT_S`` (default 10 s) is answered 408 and the connection closed; if the
  buffered requests of a process hold more than ``MAX_BUFFERED_BYTES``, the oldest is dropped.
* gunicorn's own error answers (400 for a malformed request, 414, 431, ...) are the API's JSON
  error shape with an ``X-Request-ID``, and are logged as JSON lines.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import selectors
import time
import uuid
from collections import OrderedDict
from functools import partial

from gunicorn import util
from gunicorn.workers.gthread import TConn, ThreadWorker

from .config import MAX_BODY_BYTES, Settings
from .logs import configure as configure_logs

log = logging.getLogger("tickiti.access")

# gunicorn refuses a request line over 4094 bytes and 100 headers of 8190 bytes each.
MAX_HEAD_BYTES = 64 * 1024
MAX_BUFFERED_BYTES = 64 * 1024 * 1024

_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length[ \t]*:[ \t]*(\d{1,19})[ \t]*(?=\r\n)", re.I)
_CHUNKED = re.compile(rb"\r\ntransfer-encoding[ \t]*:[^\r]*chunked", re.I)
_EXPECT_CONTINUE = re.compile(rb"\r\nexpect[ \t]*:[ \t]*100-continue[ \t]*(?=\r\n)", re.I)

ERROR_CODES = {
    400: "bad_request",
    403: "forbidden",
    408: "request_timeout",
    413: "payload_too_large",
    414: "uri_too_long",
    417: "expectation_failed",
    431: "headers_too_large",
    500: "internal_error",
    501: "not_implemented",
}


def write_json_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """What gunicorn answers for a request it could not parse, in the API's error shape."""
    request_id = uuid.uuid4().hex
    code = ERROR_CODES.get(status_int, "http_error")
    message = {
        400: "The request is not valid HTTP.",
        408: "The request did not arrive in time.",
        414: "The request line is too long.",
        431: "The request headers are too large.",
        500: "Something went wrong on our side; it has been logged.",
    }.get(status_int, reason)
    body = json.dumps({"error": {"code": code, "message": message, "details": {}}}).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"Cache-Control: no-store\r\nX-Request-ID: {request_id}\r\n\r\n"
    ).encode("latin-1")
    log.warning(
        "request refused by the server",
        extra={"request_id": request_id, "status": status_int, "error": code, "detail": mesg[:200]},
    )
    util.write_nonblock(sock, head + body)


def request_complete(buf: bytearray) -> bool | None:
    """True when ``buf`` holds a whole request (or enough to answer it: the head of one whose
    body is over the limit, or something the parser will refuse), False when more must come.
    None when the head asks for ``100-continue`` (the caller answers it)."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return len(buf) > MAX_HEAD_BYTES
    head = bytes(buf[: end + 2])
    start = end + 4
    if _CHUNKED.search(head):
        return _chunked_complete(buf, start)
    match = _CONTENT_LENGTH.search(head)
    length = int(match.group(1)) if match else 0
    if length > MAX_BODY_BYTES:
        return True  # answered 413 without reading the body
    if length and len(buf) - start < length and _EXPECT_CONTINUE.search(head):
        return None
    return len(buf) - start >= length


def _chunked_complete(buf: bytearray, pos: int) -> bool:
    while True:
        if len(buf) - pos > MAX_BODY_BYTES + MAX_HEAD_BYTES:
            return True  # over the limit: the app reads one byte more and answers 413
        line_end = buf.find(b"\r\n", pos)
        if line_end < 0:
            return False
        try:
            size = int(bytes(buf[pos:line_end]).split(b";", 1)[0].strip(), 16)
        except ValueError:
            return True  # the parser refuses it
        if size == 0:  # the last chunk: complete once the (usually empty) trailer section ends
            return buf.find(b"\r\n\r\n", line_end) >= 0
        pos = line_end + 2 + size + 2
        if pos > len(buf):
            return False


class BufferedConn(TConn):
    """A connection whose request bytes may have been read ahead by the event loop."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prebuffer = bytearray()
        self.read_deadline = 0.0

    def init(self):
        super().init()
        if self.prebuffer:
            self.parser.unreader.unread(bytes(self.prebuffer))
            self.prebuffer = bytearray()


class Worker(ThreadWorker):
    """gthread that gives a connection a thread only once its request is complete."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.read_timeout = Settings.from_env().request_read_timeout
        self.reading: OrderedDict[BufferedConn, None] = OrderedDict()
        self.buffered_bytes = 0

    def init_process(self):
        util.write_error = write_json_error
        configure_logs(self.cfg.loglevel.upper())
        super().init_process()

    # --- new connections and kept-alive ones are read in the event loop -------------------

    def accept(self, listener):
        try:
            sock, addr = listener.accept()
        except BlockingIOError:
            return
        except OSError:
            return
        self.nr_conns += 1
        conn = BufferedConn(self.cfg, sock, addr, listener.getsockname())
        self._start_reading(conn)

    def on_client_socket_readable(self, conn, client):
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._start_reading(conn)
        self._read(conn)

    def _start_reading(self, conn: BufferedConn) -> None:
        conn.sock.setblocking(False)
        conn.read_deadline = time.monotonic() + self.read_timeout
        self.reading[conn] = None
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))

    def _on_readable(self, conn: BufferedConn, _sock) -> None:
        self._read(conn)

    def _read(self, conn: BufferedConn) -> None:
        try:
            data = conn.sock.recv(256 * 1024)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._stop_reading(conn)
            self.nr_conns -= 1
            conn.close()
            return
        conn.prebuffer += data
        self.buffered_bytes += len(data)
        complete = request_complete(conn.prebuffer)
        if complete is None:
            self._continue(conn)
        elif complete:
            self._stop_reading(conn)
            conn.data_ready = True
            self.enqueue_req(conn)
        elif self.buffered_bytes > MAX_BUFFERED_BYTES:
            self._drop_oldest()

    def _continue(self, conn: BufferedConn) -> None:
        """Answer ``Expect: 100-continue`` here and hide it from gunicorn, which would again."""
        end = conn.prebuffer.find(b"\r\n\r\n") + 2
        head = _EXPECT_CONTINUE.sub(b"", bytes(conn.prebuffer[:end]))
        conn.prebuffer[:end] = head
        with contextlib.suppress(OSError):
            conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")

    def _stop_reading(self, conn: BufferedConn) -> None:
        self.reading.pop(conn, None)
        self.buffered_bytes -= len(conn.prebuffer)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(conn.sock)

    def _drop_oldest(self) -> None:
        conn = next(iter(self.reading))
        self._time_out(conn)

    def _time_out(self, conn: BufferedConn) -> None:
        self._stop_reading(conn)
        if conn.prebuffer:
            with contextlib.suppress(OSError):
                write_json_error(conn.sock, 408, "Request Timeout", "request not complete in time")
        self.nr_conns -= 1
        conn.close()

    def murder_keepalived(self, force=False):
        super().murder_keepalived(force)
        now = time.monotonic()
        while self.reading:
            conn = next(iter(self.reading))
            if conn.read_deadline > now and not force:
                break
            self._time_out(conn)
