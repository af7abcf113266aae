"""A real HTTP receiver of the pushed feed, on 127.0.0.1, for tests (and the benchmark's check).

It does what API.md asks of a receiving platform: verifies ``X-Signature`` over the raw body,
stores each event by its position (the idempotency key: a position it already has is
acknowledged again and not stored twice) and refuses a position that would leave a gap. It keeps
its own arrival log, so a test can see resends and any out-of-order arrival. It can be told to
answer 500 the next N times, to store the next N events and then hang past the client's timeout,
to be slow, and to go down (port closed) and come back on the same port.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (timed out) before the answer: expected here


class Receiver:
    def __init__(self, secret: str, port: int = 0) -> None:
        self.secret = secret.encode()
        self.lock = threading.Lock()
        self.stored: dict[int, dict[str, Any]] = {}
        self.raw: dict[int, tuple[bytes, str]] = {}  # position -> (first body stored, its X-Signature)
        self.arrivals: list[int] = []  # every position that arrived signed, in arrival order
        self.bad_signatures = 0
        self.gaps: list[tuple[int, int]] = []  # (position that arrived, highest stored then)
        self.fail_next = 0
        self.hang_next = 0
        self.hang_seconds = 0.0
        self.slow_seconds = 0.0
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None
        self.port = port
        self.up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/feed/inbox"

    @property
    def highest(self) -> int:
        return max(self.stored, default=0)

    def up(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive
            disable_nagle_algorithm = True  # the answer's header and body go out in two writes

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def do_GET(self) -> None:  # noqa: N802 - what it received, for a receiver in another process
                answer = json.dumps(receiver.stats()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status, hang = receiver.receive(body, self.headers.get("X-Signature", ""),
                                                self.headers.get("X-Feed-Position", ""))
                if hang:
                    time.sleep(hang)  # stored, but the client gives up before the answer
                answer = b'{"ok":true}' if status == 200 else b'{"error":"refused"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        server = _Server(("127.0.0.1", self.port), Handler)
        self.port = server.server_address[1]
        self.server = server
        self.thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def down(self) -> None:
        """Close the port: connections are refused until ``up``."""
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()
        self.server = None

    def receive(self, body: bytes, signature: str, position_header: str) -> tuple[int, float]:
        """(status, seconds to hang before answering)."""
        if self.slow_seconds:
            time.sleep(self.slow_seconds)
        expected = "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        with self.lock:
            if not hmac.compare_digest(signature, expected):
                self.bad_signatures += 1
                return 401, 0.0
            item = json.loads(body)
            position = int(item["position"])
            if str(position) != position_header:
                self.bad_signatures += 1
                return 400, 0.0
            self.arrivals.append(position)
            if self.fail_next:
                self.fail_next -= 1
                return 500, 0.0
            if position > self.highest + 1:
                self.gaps.append((position, self.highest))
                return 409, 0.0
            if position not in self.stored:  # a position already stored is acknowledged again
                self.stored[position] = item
                self.raw[position] = (body, signature)
            if self.hang_next:
                self.hang_next -= 1
                return 200, self.hang_seconds
            return 200, 0.0

    def stop(self) -> None:
        if self.server is not None:
            self.down()

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {"stored": len(self.stored), "highest": self.highest, "arrivals": len(self.arrivals),
                    "out_of_order": len(self.out_of_order()), "gaps": len(self.gaps),
                    "bad_signatures": self.bad_signatures}

    def out_of_order(self) -> list[int]:
        """Arrivals of a position past the next one expected at that moment (none is the promise)."""
        seen, late = 0, []
        for position in self.arrivals:
            if position > seen + 1:
                late.append(position)
            seen = max(seen, position)
        return late


if __name__ == "__main__":  # ``python -m tests.support.receiver SECRET``: serve until killed (the benchmark's)
    import sys

    served = Receiver(sys.argv[1])
    print(served.port, flush=True)
    threading.Event().wait()
