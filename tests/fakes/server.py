"""The frame every fake provider is built on: real HTTP on 127.0.0.1, routes, a call log and injectable faults.

A fake provider subclasses `FakeServer`, registers its routes with `self.route(method, pattern, handler)` and keeps
its jobs in plain attributes guarded by `self.lock`. Tests start one with `with FakeRunway() as fake:` and point
an adapter, an official SDK or the `shotline` command at `fake.url`.

Faults are queued per route and used up in order:

    fake.inject("POST", r"/v1/text_to_video", status=429, retry_after=1)          # refuse, then behave
    fake.inject("POST", r"/v1/text_to_video", kind="hang", after_handler=True)     # accept the create, never answer
    fake.inject("GET", r"/files/.*", kind="truncate")                               # cut the body in half

`kind` is one of "status" (answer `status` with `body`), "drop" (close the connection without an answer),
"hang" (answer nothing until the server stops) and "truncate" (promise the whole body, send half, close).
With `after_handler=True` the route's handler runs first — the provider really did the work — and only the answer
is lost: the case a create must never be blindly retried for.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.clips import make_clip


@dataclass(frozen=True)
class Call:
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    """Header names lower-cased."""
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class Reply:
    status: int = 200
    json: Any = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    chunk_delay: float = 0.0
    """Seconds to sleep between 64 KiB chunks, to make a download slow enough to interrupt."""
    reason: str | None = None
    """The status line's reason phrase, when not the usual one (a provider may put anything there)."""

    def payload(self) -> bytes:
        return json.dumps(self.json).encode() if self.json is not None else self.body


Handler = Callable[[Call, re.Match[str]], Reply]


@dataclass
class Fault:
    method: str
    pattern: re.Pattern[str]
    kind: str = "status"
    status: int = 500
    body: Any = None
    retry_after: float | None = None
    after_handler: bool = False
    times: int = 1


class FakeServer:
    """A threaded HTTP/1.1 server on an ephemeral loopback port; subclasses add a provider's routes."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.calls: list[Call] = []
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._faults: list[Fault] = []
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------------------------------ set-up

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method.upper(), re.compile(pattern), handler))

    def inject(
        self,
        method: str,
        pattern: str,
        *,
        kind: str = "status",
        status: int = 500,
        body: Any = None,
        retry_after: float | None = None,
        after_handler: bool = False,
        times: int = 1,
    ) -> None:
        if kind not in {"status", "drop", "hang", "truncate"}:
            raise ValueError(f"unknown fault kind {kind!r}")
        with self.lock:
            self._faults.append(
                Fault(method.upper(), re.compile(pattern), kind, status, body, retry_after, after_handler, times)
            )

    def start(self) -> FakeServer:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=type(self).__name__, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # ------------------------------------------------------------------------------------------ signed links

    url_ttl: float = 3600.0
    """How long a signed result link stays valid; a test sets it short to see links expire."""

    def sign(self, path: str, ttl: float | None = None) -> str:
        """An absolute, expiring link to `path` on this fake (the way providers hand out results)."""
        expires = time.time() + (self.url_ttl if ttl is None else ttl)
        signature = hmac.new(_SIGNING_KEY, f"{path}:{expires:.3f}".encode(), hashlib.sha256).hexdigest()[:16]
        return f"{self.url}{path}?expires={expires:.3f}&sig={signature}"

    def link_ok(self, call: Call) -> bool:
        """Whether a request carries a valid, unexpired signature from `sign`."""
        expires, signature = call.param("expires"), call.param("sig")
        if not expires or not signature:
            return False
        expected = hmac.new(_SIGNING_KEY, f"{call.path}:{expires}".encode(), hashlib.sha256).hexdigest()[:16]
        return hmac.compare_digest(signature, expected) and float(expires) > time.time()

    # ------------------------------------------------------------------------------------------ inspection

    def count(self, method: str, pattern: str) -> int:
        """How many requests matched (the whole path, query excluded)."""
        compiled = re.compile(pattern)
        with self.lock:
            return sum(1 for call in self.calls if call.method == method.upper() and compiled.fullmatch(call.path))

    def calls_to(self, method: str, pattern: str) -> list[Call]:
        compiled = re.compile(pattern)
        with self.lock:
            return [call for call in self.calls if call.method == method.upper() and compiled.fullmatch(call.path)]

    # ------------------------------------------------------------------------------------------ dispatch

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self._faults:
                if fault.method == method and fault.pattern.fullmatch(path) and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def _dispatch(self, call: Call) -> tuple[Reply | None, Fault | None]:
        with self.lock:
            self.calls.append(call)
        fault = self._take_fault(call.method, call.path)
        if fault is not None and not fault.after_handler and fault.kind != "truncate":
            return None, fault
        for method, pattern, handler in self._routes:
            if method == call.method and (match := pattern.fullmatch(call.path)):
                try:
                    reply = handler(call, match)
                except Exception as exc:  # a bug in the fake shows as a 500 with its reason, not a hung test
                    reply = Reply(500, json={"error": f"fake server error: {type(exc).__name__}: {exc}"})
                return reply, fault
        return Reply(404, json={"error": f"no route for {call.method} {call.path}"}), fault


def _handler_class(fake: FakeServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # small JSON answers otherwise wait ~40 ms for the client's delayed ACK

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            call = Call(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query),
                headers={name.lower(): value for name, value in self.headers.items()},
                body=body,
            )
            reply, fault = fake._dispatch(call)
            if fault is not None and fault.kind in {"drop", "hang"}:
                if fault.kind == "hang":
                    fake._stopping.wait()
                self.close_connection = True
                return
            if fault is not None and fault.kind == "status":
                reply = Reply(fault.status, json=fault.body if fault.body is not None else {"error": "injected fault"})
                if fault.retry_after is not None:
                    reply.headers["Retry-After"] = f"{fault.retry_after:g}"
            assert reply is not None
            self._send(reply, truncate=fault is not None and fault.kind == "truncate")

        def _send(self, reply: Reply, *, truncate: bool) -> None:
            payload = reply.payload()
            self.send_response(reply.status, reply.reason)
            if payload or reply.status not in (204, 304):
                self.send_header("Content-Type", reply.content_type)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command == "HEAD":
                return
            if truncate:
                self.wfile.write(payload[: len(payload) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            for start in range(0, len(payload), 1 << 16):
                if fake._stopping.is_set():
                    self.close_connection = True
                    return
                self.wfile.write(payload[start : start + (1 << 16)])
                if reply.chunk_delay:
                    time.sleep(reply.chunk_delay)
            self.wfile.flush()

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

    return _Handler


# ---------------------------------------------------------------------------------------------- helpers for fakes


def bearer(call: Call) -> str | None:
    """The token of an `Authorization: Bearer …` header, if any."""
    value = call.headers.get("authorization", "")
    return value[7:] if value.lower().startswith("bearer ") else None


def file_reply(data: bytes, call: Call, *, content_type: str = "video/mp4", chunk_delay: float = 0.0) -> Reply:
    """Serve bytes, honouring a `Range: bytes=N-` request the way a real file host does."""
    range_header = call.headers.get("range", "")
    if match := re.fullmatch(r"bytes=(\d+)-", range_header):
        start = int(match.group(1))
        if start >= len(data):
            return Reply(416, body=b"", headers={"Content-Range": f"bytes */{len(data)}"}, content_type=content_type)
        return Reply(
            206,
            body=data[start:],
            content_type=content_type,
            headers={"Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}", "Accept-Ranges": "bytes"},
            chunk_delay=chunk_delay,
        )
    return Reply(200, body=data, content_type=content_type, headers={"Accept-Ranges": "bytes"}, chunk_delay=chunk_delay)


_SIGNING_KEY = b"shotline-fake-signing-key"
_SAMPLE_LOCK = threading.Lock()
_SAMPLES: dict[tuple[float, int, int], bytes] = {}


def sample_mp4(seconds: float = 2.0, width: int = 320, height: int = 180) -> bytes:
    """A real, small H.264/AAC MP4 (made once per process with ffmpeg), served as every fake's output."""
    key = (seconds, width, height)
    with _SAMPLE_LOCK:
        if key not in _SAMPLES:
            import tempfile

            with tempfile.TemporaryDirectory(prefix="shotline-fake-") as folder:
                path = make_clip(
                    Path(folder) / "sample.mp4", seconds=seconds, size=(width, height), fps="24", audio=(48000, 2)
                )
                _SAMPLES[key] = path.read_bytes()
        return _SAMPLES[key]
