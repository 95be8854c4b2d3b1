"""A tiny HTTP server for the real kubectl: discovery from ktui's registry, ktui's OpenAPI documents, and POSTs
recorded as they arrive (protobuf bodies included), answered with a minimal object.

It extends the discovery server of ``tests/kubectl``; each request's method, path and Accept/Content-Type
headers are recorded so that tests can say what kubectl fetched.
"""

from __future__ import annotations

import json
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

from ktui.server import openapi, protobuf

from tests.kubectl.discovery_server import _Handler, write_kubeconfig


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""


@dataclass
class Server:
    """What a test gets: the kubeconfig to use and the requests seen so far."""

    kubeconfig: str
    requests: list[Recorded] = field(default_factory=list)
    answers: dict[tuple[str, str], tuple[int, dict[str, Any]]] = field(default_factory=dict)
    """(method, path without query) -> (code, body) to answer with. Other POSTs get their body back: decoded
    from protobuf, or as sent."""

    def paths(self, method: str = "GET") -> list[str]:
        return [r.path for r in self.requests if r.method == method]


class _Recording(_Handler):
    state: Server

    def _record(self, method: str, body: bytes = b"") -> None:
        self.state.requests.append(Recorded(method, self.path, {k: v for k, v in self.headers.items()}, body))

    def _bytes(self, code: int, data: bytes, ctype: str = "application/json") -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _answer(self, method: str) -> bool:
        answer = self.state.answers.get((method, self.path.split("?", 1)[0]))
        if answer is not None:
            self._send(*answer)
        return answer is not None

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self._record("GET")
        if self._answer("GET"):
            return
        path = self.path.split("?", 1)[0]
        if path == "/openapi/v2":
            if "com.github.proto-openapi.spec.v2" in self.headers.get("Accept", ""):
                return self._bytes(200, openapi.v2_protobuf(), openapi.V2_PROTOBUF_CONTENT_TYPE)
            return self._bytes(200, openapi.v2_document())
        if path == "/openapi/v3":
            return self._send(200, openapi.v3_index())
        if path.startswith("/openapi/v3/"):
            doc = openapi.v3_document(path)
            return self._bytes(200, doc) if doc is not None else self._not_found()
        super().do_GET()

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self._record("POST", body)
        if self._answer("POST"):
            return
        try:
            answer = protobuf.decode(body) if body.startswith(protobuf.MAGIC) else json.loads(body)
        except (protobuf.ProtobufError, ValueError) as e:
            return self._send(
                400,
                {
                    "kind": "Status",
                    "apiVersion": "v1",
                    "metadata": {},
                    "status": "Failure",
                    "message": str(e),
                    "reason": "BadRequest",
                    "code": 400,
                },
            )
        self._send(201, answer)

    def do_PUT(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        self._record("PUT", self.rfile.read(length))
        if not self._answer("PUT"):
            self._not_found()

    def do_PATCH(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        self._record("PATCH", self.rfile.read(length))
        if not self._answer("PATCH"):
            self._not_found()


@contextmanager
def serve() -> Iterator[Server]:
    """Serve on 127.0.0.1; yields the :class:`Server` whose kubeconfig points at it."""
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config"
        state = Server(str(config))
        handler = type("Handler", (_Recording,), {"state": state, "cluster": None})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        write_kubeconfig(config, server.server_address[1])
        try:
            yield state
        finally:
            server.shutdown()
            server.server_close()
