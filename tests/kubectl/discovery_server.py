"""A tiny HTTP API server for the real kubectl: discovery from ktui's registry, GETs from a ktui cluster.

Enough for ``kubectl run/create/expose --dry-run=client`` to map kinds and read the object it exposes, so
golden files can be made by the real binary.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

from ktui.api.errors import ApiError
from ktui.server import discovery

KUBECTL = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "kubectl"


_OBJECT = re.compile(r"^/(?:api/v1|apis/[^/]+/[^/]+)(?:/namespaces/([^/]+))?/([^/]+)(?:/([^/]+))?(?:/([^/]+))?$")


class _Handler(BaseHTTPRequestHandler):
    cluster: Any = None

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _send(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _served(self) -> Any:
        """As ktui's server: metrics.k8s.io only while a metrics-server pod is Ready."""
        from ktui.api.metrics import metrics_available

        if self.cluster is not None and metrics_available(self.cluster.api):
            return discovery.SERVED
        return discovery.REGISTRY

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = self.path.split("?", 1)[0]
        if path == "/api":
            return self._send(200, discovery.api_versions("127.0.0.1:6443"))
        if path == "/apis":
            return self._send(200, discovery.api_group_list(self._served()))
        if path == "/version":
            return self._send(
                200,
                {
                    "major": "1",
                    "minor": "37",
                    "gitVersion": "v1.37.1",
                    "gitCommit": "",
                    "gitTreeState": "clean",
                    "buildDate": "2026-09-23T17:10:04Z",
                    "goVersion": "go1.26.8",
                    "compiler": "gc",
                    "platform": "linux/amd64",
                },
            )
        m = re.match(r"^/api/(v1)$|^/apis/([^/]+/[^/]+)$", path)
        if m:
            body = discovery.resource_list(m.group(1) or m.group(2), self._served())
            return self._send(200, body) if body else self._not_found()
        if not self._object("GET"):
            self._not_found()

    def do_POST(self) -> None:  # noqa: N802
        self._object("POST") or self._not_found()

    def do_PUT(self) -> None:  # noqa: N802
        self._object("PUT") or self._not_found()

    def do_PATCH(self) -> None:  # noqa: N802
        self._object("PATCH") or self._not_found()

    def do_DELETE(self) -> None:  # noqa: N802
        self._object("DELETE") or self._not_found()

    def _object(self, verb: str) -> bool:
        """Serve one request from the ktui cluster (all verbs), when there is one."""
        from urllib.parse import parse_qs

        path, _, query = self.path.partition("?")
        q = {k: v[0] for k, v in parse_qs(query).items()}
        m = _OBJECT.match(path)
        if not m or self.cluster is None:
            return False
        ns, plural, name, sub = m.groups()
        length = int(self.headers.get("Content-Length") or 0)
        if "protobuf" in self.headers.get("Content-Type", ""):
            self.rfile.read(length)
            self._send(
                415,
                {
                    "kind": "Status",
                    "apiVersion": "v1",
                    "metadata": {},
                    "status": "Failure",
                    "message": "the body of the request was in an unknown format - accepted media types "
                    "include: application/json, application/yaml",
                    "reason": "UnsupportedMediaType",
                    "code": 415,
                },
            )
            return True
        body = json.loads(self.rfile.read(length) or b"null") if length else None
        api = self.cluster.api
        dry = q.get("dryRun") == "All"
        try:
            if verb == "GET" and name:
                out = api.get(plural, name, ns)
            elif verb == "GET":
                out = api.list(
                    plural, ns, label_selector=q.get("labelSelector", ""), field_selector=q.get("fieldSelector", "")
                )
            elif verb == "POST":
                out = api.create(plural, body, ns, dry_run=dry)
                return self._send(201, out) or True
            elif verb == "PUT":
                out = api.update(plural, body, ns, dry_run=dry, subresource=sub or "")
            elif verb == "PATCH":
                ctype = self.headers.get("Content-Type", "")
                kind = "json" if "json-patch" in ctype else "merge" if "merge-patch" in ctype else "strategic"
                out = api.patch(plural, name, body, ns, patch_type=kind, dry_run=dry, subresource=sub or "")
            else:
                opts = body or {}
                out = api.delete(
                    plural,
                    name,
                    ns,
                    grace_period_seconds=opts.get("gracePeriodSeconds"),
                    propagation_policy=opts.get("propagationPolicy"),
                    dry_run=dry,
                )
        except ApiError as e:
            self._send(e.code, e.status)
            return True
        self._send(200, out)
        return True

    def _not_found(self) -> None:
        self._send(
            404,
            {
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Failure",
                "message": "the server could not find the requested resource",
                "reason": "NotFound",
                "details": {},
                "code": 404,
            },
        )


def write_kubeconfig(path: Path, port: int) -> None:
    """A kubeconfig whose only context points the real kubectl at a test server on 127.0.0.1:``port``."""
    path.write_text(f"""apiVersion: v1
kind: Config
clusters:
- cluster:
    server: http://127.0.0.1:{port}
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


@contextmanager
def serve(cluster: Any = None) -> Iterator[str]:
    """Serve discovery (and ``cluster``'s objects) on 127.0.0.1; yields a kubeconfig path pointing at it."""
    handler = type("Handler", (_Handler,), {"cluster": cluster})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config"
        write_kubeconfig(config, server.server_address[1])
        try:
            yield str(config)
        finally:
            server.shutdown()
            server.server_close()


def real_kubectl(
    args: list[str], kubeconfig: str = "/nonexistent", stdin: str = "", cwd: str | None = None
) -> tuple[str, str, int]:
    """Run the real kubectl binary and return stdout, stderr, exit code.

    HOME is private: the directory of the test server's kubeconfig (so its discovery cache lives and dies
    with that server), or a fresh temporary one.
    """
    with tempfile.TemporaryDirectory() as scratch:
        home = os.path.dirname(kubeconfig) if kubeconfig != "/nonexistent" else scratch
        env = {"PATH": os.environ.get("PATH", ""), "HOME": home, "KUBECONFIG": kubeconfig}
        p = subprocess.run(
            [str(KUBECTL), *args], input=stdin, capture_output=True, text=True, env=env, cwd=cwd, timeout=60
        )
    return p.stdout, p.stderr, p.returncode
