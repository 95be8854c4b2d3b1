"""``kubectl port-forward`` with the real kubectl 1.37 over loopback: its SPDY/3.1 session tunnelled in a WebSocket,
a local HTTP client answered by the pod's simulated server (the bytes ``wget`` gets from inside the cluster),
the kubelet's error for a port nothing listens on, RBAC on ``pods/portforward``, and the requests recorded."""

from __future__ import annotations

import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zlib
from contextlib import contextmanager
from typing import Iterator

import pytest

from ktui.cluster import Cluster
from ktui.net.programs import HTTPD_IT_WORKS, NGINX_WELCOME
from ktui.server.portforward import Forwarder
from ktui.server.spdy import DICTIONARY, Framer

from tests.server.conftest import KUBECTL, Served, serve

_URLLIB = f"Python-urllib/{sys.version_info.major}.{sys.version_info.minor}"
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, whatever the environment


@pytest.fixture(scope="module")
def pods(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    cluster = Cluster.default(seed=11)
    cluster.advance(60)
    cluster.kubectl("run web --image=nginx")
    cluster.kubectl("run box --image=busybox -- sleep 3600")
    cluster.kubectl("expose pod web --port=8080 --target-port=80")
    cluster.kubectl("create deployment site --image=httpd")
    cluster.kubectl("create role pod-reader --verb=get,list --resource=pods")
    cluster.kubectl("create rolebinding jane-reads --role=pod-reader --user=jane")
    cluster.advance(30)
    yield from serve(tmp_path_factory.mktemp("portforward"), cluster)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _forwarding(served: Served, *args: str) -> Iterator[tuple[subprocess.Popen, int, list[str]]]:
    """Run ``kubectl port-forward ARGS`` until it says where it listens (30 s at most); it is stopped with
    Ctrl-C (SIGINT) afterwards unless it ended by itself. Yields the process, the local port and, once the
    block has run, its stdout and stderr."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(served.home), "KUBECONFIG": str(served.kubeconfig)}
    p = subprocess.Popen([str(KUBECTL), "port-forward", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert p.stdout is not None
    seen = b""
    deadline = time.monotonic() + 30
    port = 0
    while not port and time.monotonic() < deadline and p.poll() is None:
        ready, _, _ = select.select([p.stdout], [], [], 0.5)
        if ready:
            seen += os.read(p.stdout.fileno(), 4096)
            m = re.search(rb"Forwarding from 127\.0\.0\.1:(\d+) -> \d+\n", seen)
            port = int(m.group(1)) if m else 0
    result: list[str] = []
    try:
        yield p, port, result
    finally:
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
        try:
            out, err = p.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate(timeout=10)
        result += [(seen + out).decode(), err.decode()]


def _get(port: int, path: str = "/") -> tuple[int, dict[str, str], str]:
    try:
        r = _OPENER.open(f"http://127.0.0.1:{port}{path}", timeout=20)
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()
    return r.status, dict(r.headers), r.read().decode()


def test_a_forwarded_pod_port_answers_as_the_pod_answers_inside_the_cluster(pods: Served) -> None:
    local = _free_port()
    with _forwarding(pods, "pod/web", f"{local}:80") as (p, port, result):
        assert port == local
        code, headers, body = _get(port)
        missing = _get(port, "/nope")
        assert p.poll() is None  # still forwarding
    inside = pods.ktui("exec box -- wget -qO- http://web:8080")[0]
    assert (code, body) == (200, inside) and inside == NGINX_WELCOME
    assert headers["Server"] == "nginx/1.29.1"
    assert (headers["Content-Type"], headers["Content-Length"]) == ("text/html", "615")
    assert missing[0] == 404 and "<center><h1>404 Not Found</h1></center>" in missing[2]
    out, err = result
    assert out.startswith(f"Forwarding from 127.0.0.1:{local} -> 80\n")
    assert out.count(f"Handling connection for {local}\n") == 2
    assert (err, p.returncode) == ("", 0)
    logs = pods.ktui("logs web")[0]
    assert f'127.0.0.1 - - [{_stamp(logs)}] "GET / HTTP/1.1" 200 615 "-" "{_URLLIB}" "-"\n' in logs
    assert f'"GET /nope HTTP/1.1" 404 153 "-" "{_URLLIB}" "-"\n' in logs


def _stamp(logs: str) -> str:
    m = re.search(r'127\.0\.0\.1 - - \[([^]]+)\] "GET / ', logs)
    assert m is not None, logs
    return m.group(1)


def test_service_and_deployment_are_resolved_to_a_pod_and_its_container_port(pods: Served) -> None:
    with _forwarding(pods, "svc/web", ":8080") as (_, port, result):
        assert _get(port)[::2] == (200, NGINX_WELCOME)
    assert result[0].startswith(f"Forwarding from 127.0.0.1:{port} -> 80\n")  # the Service's targetPort
    with _forwarding(pods, "deploy/site", ":80") as (_, port, result):
        code, headers, body = _get(port)
    assert (code, body, headers["Server"]) == (200, HTTPD_IT_WORKS, "Apache/2.4.65 (Unix)")
    assert result[1] == ""


def test_a_port_nothing_listens_on_gets_the_kubelets_error_and_ends_the_forward(pods: Served) -> None:
    with _forwarding(pods, "pod/web", ":8080") as (p, port, result):
        with pytest.raises((urllib.error.URLError, ConnectionError)):
            _get(port)
        p.wait(timeout=30)  # kubectl ends by itself: it lost its connection to the pod
    out, err = result
    assert p.returncode == 1
    assert out.endswith(f"Handling connection for {port}\n")
    sandbox = r"[0-9a-f]{64}"
    kubelet = (
        rf"error forwarding port 8080 to pod ({sandbox}), uid : failed to execute portforward in network namespace "
        r'\\"/var/run/netns/cni-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\": failed to connect '
        r'to localhost:8080 inside namespace \\"\1\\", IPv4: dial tcp4 127\.0\.0\.1:8080: connect: connection '
        r"refused IPv6 dial tcp6 \[::1\]:8080: connect: connection refused "
    )
    assert re.search(rf'"An error occurred forwarding" err="{kubelet}" localPort={port} remotePort=8080\n', err), err
    assert err.endswith("error: lost connection to pod\n")


def test_port_forward_needs_create_on_pods_portforward(pods: Served) -> None:
    out, err, code = pods.kubectl("port-forward", "pod/web", ":80", "--as", "jane", timeout=60)
    assert (out, code) == ("", 1)
    assert err == (
        'error: error upgrading connection: unable to upgrade connection: pods "web" is forbidden: User "jane" cannot create '
        'resource "pods/portforward" in API group "" in the namespace "default"\n'
    )
    assert pods.kubectl("port-forward", "pod/nope", ":80", timeout=60) == (
        "",
        'Error from server (NotFound): pods "nope" not found\n',
        1,
    )


def test_forwarded_requests_are_recorded_and_survive_a_rewind(pods: Served) -> None:
    with _forwarding(pods, "pod/web", ":80") as (_, port, _result):
        _get(port, "/recorded")
    line = f'"GET /recorded HTTP/1.1" 404 153 "-" "{_URLLIB}" "-"'
    assert line in pods.ktui("logs web")[0]
    pods.advance(1)
    pods.call(lambda: pods.cluster.rewind(pods.cluster.now))  # back to a checkpoint, then the inputs replayed
    assert line in pods.ktui("logs web")[0]


# ---------------------------------------------------------------------------------------------- the session


def _client_syn(deflate: "zlib._Compress", stream: int, headers: dict[str, str]) -> bytes:
    raw = struct.pack(">I", len(headers))
    for k, v in headers.items():
        raw += struct.pack(">I", len(k)) + k.encode() + struct.pack(">I", len(v)) + v.encode()
    block = deflate.compress(raw) + deflate.flush(zlib.Z_SYNC_FLUSH)
    body = struct.pack(">IIBB", stream, 0, 0, 0) + block
    return struct.pack(">HHI", 0x8003, 1, len(body)) + body


def test_the_session_answers_pings_and_refuses_streams_without_a_port() -> None:
    dialled: list[int] = []
    fw = Forwarder(lambda port: dialled.append(port) or "", lambda port, head: (f"{port} {head}".encode(), True))
    deflate = zlib.compressobj(9, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY, DICTIONARY)
    reader = Framer()
    ping = struct.pack(">HHII", 0x8003, 6, 4, 7)
    bad = _client_syn(deflate, 1, {"streamtype": "error"})
    frames = reader.feed(fw.receive(ping + bad[:5]) + fw.receive(bad[5:]))
    assert [(f.kind, f.value) for f in frames] == [(6, 7), (3, 5)]  # PING echoed; RST_STREAM CANCEL
    out = fw.receive(_client_syn(deflate, 3, {"streamtype": "error", "port": "80", "requestid": "0"}))
    out += fw.receive(_client_syn(deflate, 5, {"streamtype": "data", "port": "80", "requestid": "0"}))
    out += fw.receive(Framer.data(5, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
    frames = reader.feed(out)
    assert dialled == [80]
    assert [(f.kind, f.stream, f.data, f.fin) for f in frames] == [
        (2, 3, b"", False),
        (2, 5, b"", False),
        (0, 5, b"80 GET / HTTP/1.1\r\nHost: x", False),
        (0, 3, b"", True),
        (0, 5, b"", True),
    ]
