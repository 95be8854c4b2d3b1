"""StatefulSet controller: ordinal names, OrderedReady creation and scale-down, Parallel, identity labels."""

from __future__ import annotations

import pytest

from ktui.components.controllers.statefulset import StatefulSetController, ordinal_of, stateful_pod

from tests.components.controllers.conftest import Rig, template


def statefulset(name: str = "web", replicas: int = 3, **spec) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "serviceName": "nginx",
            "selector": {"matchLabels": {"app": name}},
            "template": template({"app": name}),
            **spec,
        },
    }


def test_ordinal_of() -> None:
    assert ordinal_of("web", "web-12") == 12
    assert ordinal_of("web", "webx-1") is None
    assert ordinal_of("web", "web-abc") is None


def test_stateful_pod_identity() -> None:
    sts = statefulset()
    sts["metadata"].update(uid="u", namespace="default")
    sts["spec"]["volumeClaimTemplates"] = [{"metadata": {"name": "data"}, "spec": {}}]
    pod = stateful_pod(sts, 2, "web-abc")
    assert pod["metadata"]["name"] == "web-2"
    assert pod["metadata"]["labels"] == {
        "app": "web",
        "statefulset.kubernetes.io/pod-name": "web-2",
        "apps.kubernetes.io/pod-index": "2",
        "controller-revision-hash": "web-abc",
    }
    assert (pod["spec"]["hostname"], pod["spec"]["subdomain"]) == ("web-2", "nginx")
    assert pod["spec"]["volumes"] == [{"name": "data", "persistentVolumeClaim": {"claimName": "data-web-2"}}]


@pytest.fixture
def rig() -> Rig:
    return Rig(StatefulSetController)


def _names(rig: Rig) -> list[str]:
    return sorted(p["metadata"]["name"] for p in rig.pods("app=web"))


def test_ordered_ready_creation_and_scale_down(rig: Rig) -> None:
    rig.client.create("statefulsets", statefulset())
    rig.settle(5)
    assert _names(rig) == ["web-0"]  # web-1 waits for web-0 to be Running and Ready
    for expected in (["web-0", "web-1"], ["web-0", "web-1", "web-2"]):
        newest = rig.client.get("pods", f"web-{len(expected) - 2}")
        rig.set_pod_phase(newest)
        rig.settle(1)
        assert _names(rig) == expected
    rig.set_pod_phase(rig.client.get("pods", "web-2"))
    rig.settle(1)
    st = rig.client.get("statefulsets", "web")["status"]
    assert (st["replicas"], st["readyReplicas"], st["availableReplicas"]) == (3, 3, 3)
    assert st["currentRevision"] == st["updateRevision"] and st["updateRevision"].startswith("web-")
    msgs = [e["message"] for e in rig.events("SuccessfulCreate")]
    assert msgs == [f"create Pod web-{i} in StatefulSet web successful" for i in range(3)]
    sts = rig.client.get("statefulsets", "web")
    sts["spec"]["replicas"] = 1
    rig.client.update("statefulsets", sts)
    rig.settle(1)
    assert _names(rig) == ["web-0"]
    assert [e["message"] for e in rig.events("SuccessfulDelete")] == [
        "delete Pod web-2 in StatefulSet web successful",
        "delete Pod web-1 in StatefulSet web successful",
    ]


def test_parallel_creates_all_at_once(rig: Rig) -> None:
    rig.client.create("statefulsets", statefulset(podManagementPolicy="Parallel"))
    rig.settle(1)
    assert _names(rig) == ["web-0", "web-1", "web-2"]


def test_failed_pod_is_recreated(rig: Rig) -> None:
    rig.client.create("statefulsets", statefulset(replicas=1))
    rig.settle(1)
    first = rig.client.get("pods", "web-0")
    rig.set_pod_phase(first, "Failed", ready=False)
    rig.settle(1)
    again = rig.client.get("pods", "web-0")
    assert again["metadata"]["uid"] != first["metadata"]["uid"]
