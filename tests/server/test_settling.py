"""The settling rule over HTTP: between two commands the cluster reacts, as it does in every ktui shell.

With the clock paused nothing moves by itself, yet a namespace created by one command has its ``default``
ServiceAccount by the next one, as on a real cluster, whose controllers react within milliseconds. The real
kubectl marks the requests of one command with one ``Kubectl-Session``; the server settles when it changes.
"""

from __future__ import annotations

from pathlib import Path

from kubernetes import client, config

from ktui.cluster import Cluster
from ktui.server import PKI, KtuiServer, ServerThread
from ktui.server.kubeconfig import kubeconfig_text

from tests.server.conftest import serve

LINES = [
    "create namespace dev",
    "run a --image=nginx -n dev",
    "get pods -n dev -o wide",
    "create deployment web --image=nginx --replicas=2 -n dev",
    "get deploy,rs -n dev",
    "get pods -n dev -o custom-columns=NAME:.metadata.name,NODE:.spec.nodeName",
]


def test_a_new_namespace_is_usable_by_the_next_command(tmp_path: Path) -> None:
    served_cluster, twin = Cluster.default(seed=5), Cluster.default(seed=5)
    for c in (served_cluster, twin):
        c.advance(60)
    for served in serve(tmp_path, served_cluster):  # speed 0: the clock never moves
        now = served.call(lambda: served_cluster.now)
        for line in LINES:
            real = served.kubectl(*line.split())
            ours = twin.kubectl(line)
            twin.settle()  # what `ktui kubectl` and the TUI do after each command
            assert real == ours, line
        assert served.call(lambda: served_cluster.now) == now
        out, err, code = served.kubectl("get", "pod", "a", "-n", "dev", "-o", "jsonpath={.spec.serviceAccountName}")
        assert (out, err, code) == ("default", "", 0)


def test_a_client_without_sessions_settles_before_each_request(tmp_path: Path) -> None:
    for served in serve(tmp_path, Cluster.default(seed=5)):
        api_client = config.new_client_from_config(config_file=str(served.kubeconfig))
        core = client.CoreV1Api(api_client)
        core.create_namespace({"metadata": {"name": "dev"}})
        pod = {"metadata": {"name": "a"}, "spec": {"containers": [{"name": "a", "image": "nginx"}]}}
        created = core.create_namespaced_pod("dev", pod)
        assert created.spec.service_account_name == "default"
        api_client.close()


def test_a_read_only_server_never_settles(tmp_path: Path) -> None:
    cluster = Cluster.default(seed=5)
    cluster.advance(60)
    cluster.kubectl("create namespace dev")  # its ServiceAccount is due now, not yet made
    pending = cluster.next_event_time()
    assert pending == cluster.now
    pki = PKI(tmp_path / "pki")
    pki.ensure()
    with ServerThread(KtuiServer(cluster, pki, port=0, speed=0, read_only="checks only read")) as thread:
        (tmp_path / "config").write_text(kubeconfig_text(pki, thread.server.url))
        with config.new_client_from_config(config_file=str(tmp_path / "config")) as api_client:
            names = [
                sa.metadata.name for sa in client.CoreV1Api(api_client).list_namespaced_service_account("dev").items
            ]
    assert names == []
    assert cluster.next_event_time() == pending
