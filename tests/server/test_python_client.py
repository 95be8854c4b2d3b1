"""The ``kubernetes`` Python client (37.x) against ktui over HTTPS: list, watch, create, patch, delete,
conflicts and a watch that relists after its resourceVersion was compacted."""

from __future__ import annotations

import threading
from typing import Iterator

import pytest
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

from ktui.cluster import Cluster

from tests.server.conftest import Served, serve


@pytest.fixture(scope="module")
def py(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, client.CoreV1Api]]:
    cluster = Cluster.default(seed=1)
    cluster.advance(30)
    for s in serve(tmp_path_factory.mktemp("py"), cluster):
        api_client = config.new_client_from_config(config_file=str(s.kubeconfig))
        yield s, client.CoreV1Api(api_client)
        api_client.close()


def _pod(name: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
    }


def test_list_create_patch_delete(py: tuple[Served, client.CoreV1Api]) -> None:
    served, v1 = py
    nodes = v1.list_node()
    assert [n.metadata.name for n in nodes.items] == ["controlplane", "node01", "node02"]
    created = v1.create_namespaced_pod("default", _pod("alpha"))
    assert created.metadata.uid and created.spec.containers[0].image == "nginx"
    patched = v1.patch_namespaced_pod("alpha", "default", {"metadata": {"labels": {"tier": "web"}}})
    assert patched.metadata.labels == {"app": "alpha", "tier": "web"}
    assert served.ktui("get pod alpha -L tier")[0].splitlines()[1].split()[-1] == "web"
    page = v1.list_namespaced_pod("kube-system", limit=3)
    assert len(page.items) == 3 and page.metadata._continue
    rest = v1.list_namespaced_pod("kube-system", _continue=page.metadata._continue)
    everything = v1.list_namespaced_pod("kube-system")
    assert [p.metadata.name for p in page.items + rest.items] == [p.metadata.name for p in everything.items]
    v1.delete_namespaced_pod("alpha", "default", grace_period_seconds=0)
    with pytest.raises(ApiException) as e:
        v1.read_namespaced_pod("alpha", "default")
    assert e.value.status == 404 and '"pods \\"alpha\\" not found"' in e.value.body


def test_stale_update_is_a_conflict(py: tuple[Served, client.CoreV1Api]) -> None:
    _, v1 = py
    v1.create_namespaced_config_map("default", {"metadata": {"name": "cfg"}, "data": {"a": "1"}})
    first = v1.read_namespaced_config_map("cfg", "default")
    first.data = {"a": "2"}
    v1.replace_namespaced_config_map("cfg", "default", first)
    first.data = {"a": "3"}  # still the old resourceVersion
    with pytest.raises(ApiException) as e:
        v1.replace_namespaced_config_map("cfg", "default", first)
    assert e.value.status == 409
    assert "the object has been modified; please apply your changes to the latest version and try again" in e.value.body
    assert v1.read_namespaced_config_map("cfg", "default").data == {"a": "2"}


def test_create_errors_are_status_bodies(py: tuple[Served, client.CoreV1Api]) -> None:
    _, v1 = py
    with pytest.raises(ApiException) as e:
        v1.create_namespaced_pod(
            "default", {"metadata": {"name": "Bad_Name"}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
        )
    assert e.value.status == 422 and '"reason":"Invalid"' in e.value.body
    with pytest.raises(ApiException) as e:
        v1.create_namespaced_pod("nowhere", _pod("x"))
    assert e.value.status == 404 and 'namespaces \\"nowhere\\" not found' in e.value.body


def _events_while(served: Served, stream: Iterator[dict], action: callable, count: int) -> list[tuple[str, str]]:
    """Read ``count`` events from ``stream`` while ``action`` runs on the server and the clock moves on."""
    got: list[tuple[str, str]] = []

    def drive() -> None:
        served.call(action)
        for _ in range(10):
            served.advance(1)

    t = threading.Thread(target=drive)
    t.start()
    for ev in stream:
        got.append((ev["type"], ev["object"].metadata.name))
        if len(got) >= count:
            break
    t.join(timeout=30)
    return got


def test_watch_from_a_resource_version(py: tuple[Served, client.CoreV1Api]) -> None:
    served, v1 = py
    rv = v1.list_namespaced_pod("default").metadata.resource_version
    w = watch.Watch()
    stream = w.stream(v1.list_namespaced_pod, "default", resource_version=rv, timeout_seconds=20)
    got = _events_while(served, stream, lambda: served.cluster.api.create("pods", _pod("beta")), 1)
    w.stop()
    assert got == [("ADDED", "beta")]


def test_watch_relists_after_compaction(py: tuple[Served, client.CoreV1Api]) -> None:
    served, v1 = py
    old_rv = v1.list_namespaced_pod("default").metadata.resource_version
    served.advance(11 * 60)  # two compactions (every five simulated minutes) move past old_rv
    w = watch.Watch()
    with pytest.raises(ApiException) as e:
        for _ in w.stream(v1.list_namespaced_pod, "default", resource_version=old_rv, timeout_seconds=5):
            pass
    assert e.value.status == 410 and "too old resource version" in e.value.reason
    fresh = v1.list_namespaced_pod("default")  # relist, then watch on from there
    stream = w.stream(
        v1.list_namespaced_pod, "default", resource_version=fresh.metadata.resource_version, timeout_seconds=20
    )
    got = _events_while(served, stream, lambda: served.cluster.api.create("pods", _pod("gamma")), 1)
    w.stop()
    assert got == [("ADDED", "gamma")]
