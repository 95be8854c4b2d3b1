"""``kubectl exec`` over WebSocket: the simulated program's output, exit codes, and RBAC on pods/exec."""

from __future__ import annotations

import base64
from typing import Iterator

import pytest
import yaml

from ktui.cluster import Cluster
from ktui.server.certs import issue

from tests.server.conftest import Served, serve


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    cluster = Cluster.default(seed=6)
    cluster.advance(60)
    cluster.kubectl("run box --image=busybox -- sleep 3600")
    cluster.kubectl("run web --image=nginx")
    cluster.kubectl("expose pod web --port=80")
    cluster.kubectl("create role pod-reader --verb=get,list --resource=pods")
    cluster.kubectl("create rolebinding jane-reads --role=pod-reader --user=jane")
    cluster.advance(30)
    yield from serve(tmp_path_factory.mktemp("exec"), cluster)


EXECS = [
    "exec box -- nslookup web",
    "exec box -- nslookup kubernetes.default",
    "exec box -- cat /etc/resolv.conf",
    "exec box -- wget -qO- http://web",
    "exec box -- cat /nope",
    "exec web -- nslookup web",
    "exec web -c web -- env",
    "exec nope -- ls",
]


@pytest.mark.parametrize("line", EXECS)
def test_exec_prints_what_ktui_prints(box: Served, line: str) -> None:
    args = line.split()
    assert box.kubectl(*args) == box.ktui(line)


def test_exec_needs_create_on_pods_exec(box: Served) -> None:
    pair = issue(box.pki.ca, "jane")
    cfg = yaml.safe_load(box.kubeconfig.read_text())
    cfg["users"][0]["user"] = {
        "client-certificate-data": base64.b64encode(pair.cert_pem).decode(),
        "client-key-data": base64.b64encode(pair.key_pem).decode(),
    }
    jane = box.home / "jane.kubeconfig"
    jane.write_text(yaml.safe_dump(cfg))
    out, err, code = box.kubectl("exec", "box", "--", "env", kubeconfig=jane)
    assert (out, code) == ("", 1)
    assert err == (
        'error: unable to upgrade connection: pods "box" is forbidden: User "jane" cannot create '
        'resource "pods/exec" in API group "" in the namespace "default"\n'
    )
