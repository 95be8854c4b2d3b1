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

from ktui.server import openapi
from tests.kubectl.discovery_server import _Handler

_PROTOBUF_V2 = "application/com.github.proto-openapi.spec.v2"


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
    answers: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    """Path -> (code, body) to answer POSTs with; otherwise the request body is echoed back as JSON when it is
    JSON, or a minimal object of the kind the path names."""

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

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self._record("GET")
        path = self.path.split("?", 1)[0]
        if path == "/openapi/v2":
            if _PROTOBUF_V2 in self.headers.get("Accept", ""):
                # ktui serves the v2 document as JSON only; a client asking only for protobuf is told so.
                return self._send(406, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                        "message": "406: Not Acceptable", "reason": "NotAcceptable", "code": 406})
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
        path = self.path.split("?", 1)[0]
        if path in self.state.answers:
            code, answer = self.state.answers[path]
            return self._send(code, answer)
        try:
            answer = json.loads(body)
        except ValueError:
            answer = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}
        self._send(201, answer)


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
        config.write_text(f"""apiVersion: v1
kind: Config
clusters:
- cluster:
    server: http://127.0.0.1:{server.server_address[1]}
  name: test
contexts:
- context:
    cluster: test
    user: test
    namespace: default
  name: test
current-context: test
users:
- name: test
  user: {{}}
""")
        try:
            yield state
        finally:
            server.shutdown()
            server.server_close()
