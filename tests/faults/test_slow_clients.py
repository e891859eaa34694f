"""Slow and broken clients under real gunicorn: clients that trickle header or body bytes hold no
worker thread, so normal clients keep their latency; what gunicorn itself refuses (a malformed
request line, a too-long URI, too-large headers, a request that never completes) is the JSON
error shape with an X-Request-ID; chunked bodies over the limit get 413."""

from __future__ import annotations

import json
import socket
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.faults

SLOW_CLIENTS = 24  # three times the 2 workers × 4 threads the service runs
READ_TIMEOUT_S = 6


@pytest.fixture
def service(start_service, fault_db):
    service = start_service(fault_db.url, REQUEST_READ_TIMEOUT_S=READ_TIMEOUT_S)
    service.tenant = fault_db.tenant()
    return service


def raw_request(port: int, data: bytes, timeout: float = 10) -> tuple[int, dict, bytes]:
    """Send raw bytes, read one response; (status, headers, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
        length = int(headers.get("Content-Length", 0))
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    return int(lines[0].split()[1]), headers, body


def trickle(port: int, payload: bytes, stop: threading.Event, pause: float = 0.5) -> None:
    """A client that sends one byte every ``pause`` seconds and reconnects when cut off."""
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
                for i in range(len(payload)):
                    if stop.is_set():
                        return
                    sock.sendall(payload[i : i + 1])
                    time.sleep(pause)
        except OSError:
            time.sleep(0.1)


def test_slow_clients_do_not_hold_threads(service):
    token = service.tenant.token
    body = json.dumps({"name": "x" * 50}).encode()
    slow_payloads = [
        # trickling headers, and a complete head whose body trickles
        b"POST /api/v1/workflow/queues HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 4000,
        b"POST /api/v1/workflow/queues/create HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body,
    ]

    def latencies(count: int) -> list[float]:
        def one(_):
            return service.post("queues", token=token, timeout=10)

        with ThreadPoolExecutor(4) as pool:
            responses = list(pool.map(one, range(count)))
        assert [r.status for r in responses] == [200] * count, [r.body for r in responses]
        return [r.elapsed for r in responses]

    baseline = statistics.median(latencies(24))
    stop = threading.Event()
    tricklers = [
        threading.Thread(
            target=trickle, args=(service.port, slow_payloads[i % 2], stop), daemon=True
        )
        for i in range(SLOW_CLIENTS)
    ]
    for thread in tricklers:
        thread.start()
    try:
        time.sleep(1.5)  # every slow client is connected and sending
        under_attack = latencies(40)
    finally:
        stop.set()
        for thread in tricklers:
            thread.join(5)
    # Before, 12 such clients made most requests wait until they timed out (over 70 s).
    assert max(under_attack) < 2.0, under_attack
    assert statistics.median(under_attack) < max(0.25, 10 * baseline), (baseline, under_attack)


def test_a_request_that_never_completes_is_answered_408(service):
    started = time.monotonic()
    status, headers, body = raw_request(
        service.port, b"POST /api/v1/workflow/queues HTTP/1.1\r\nHost: x\r\n", timeout=20
    )
    assert status == 408
    assert READ_TIMEOUT_S - 0.5 <= time.monotonic() - started <= READ_TIMEOUT_S + 3
    assert json.loads(body)["error"]["code"] == "request_timeout"
    assert headers["X-Request-ID"]


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"GARBAGE\r\n\r\n", 400, "bad_request"),
        (b"POST /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long"),
        (
            b"POST /api/v1/workflow/queues HTTP/1.1\r\nHost: x\r\nX-A: " + b"b" * 9000
            + b"\r\n\r\n",
            431,
            "headers_too_large",
        ),
        (
            b"POST /api/v1/workflow/queues HTTP/1.1\r\nHost: x\r\n"
            + b"".join(b"X-%d: 1\r\n" % i for i in range(200))
            + b"\r\n",
            431,
            "headers_too_large",
        ),
        (b"POST /api/v1/workflow/queues HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n", 400,
         "bad_request"),
        (b"POST /api/v1/workflow/queues HTTP/9.9\r\nHost: x\r\n\r\n", 400, "bad_request"),
        (b"POST /api/v1/workflow//queues HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 404,
         "not_found"),
        (b"POST /api/v1/workflow/queues%2fcreate HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
         404, "not_found"),
    ],
)  # fmt: skip
def test_what_the_server_refuses_is_json(service, data, status, code):
    got, headers, body = raw_request(service.port, data)
    assert got == status, body[:300]
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Request-ID"]
    assert "Location" not in headers
    assert json.loads(body)["error"]["code"] == code
    # Every line the service logged about it is JSON.
    for line in service.log().splitlines():
        if "gunicorn.error" in line or "request refused" in line:
            json.loads(line)


def chunked(body: bytes, size: int = 65536) -> bytes:
    parts = [b"%x\r\n" % len(body[i : i + size]) + body[i : i + size] + b"\r\n"
             for i in range(0, len(body), size)]  # fmt: skip
    return b"".join(parts) + b"0\r\n\r\n"


def test_a_chunked_body_over_the_limit_is_refused_whole(service, fault_db):
    token = service.tenant.token.encode()
    valid = json.dumps({"name": "Chunked"}).encode()
    head = (
        b"POST /api/v1/workflow/queues/create HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
        + token
        + b"\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    over = valid + b" " * (1024 * 1024 - len(valid)) + b"x" * (2 * 1024 * 1024)
    status, _, body = raw_request(service.port, head + chunked(over))
    assert status == 413, body[:300]
    assert json.loads(body)["error"]["code"] == "payload_too_large"
    status, _, body = raw_request(service.port, head + chunked(valid, 5))
    assert status == 201, body[:300]
    names = fault_db.sql(
        "SELECT name FROM queues WHERE account_id = %s", (service.tenant.account_id,)
    )
    assert [r["name"] for r in names].count("Chunked") == 1


def test_expect_100_continue_is_answered_once(service):
    body = json.dumps({"name": "Expecting"}).encode()
    with socket.create_connection(("127.0.0.1", service.port), timeout=5) as sock:
        sock.sendall(
            b"POST /api/v1/workflow/queues/create HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + service.tenant.token.encode()
            + b"\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)
        )
        assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        response = b""
        while b"}}" not in response:
            response += sock.recv(65536)
    assert response.startswith(b"HTTP/1.1 201")
    assert b"100 Continue" not in response
