"""DaemonSet controller: node eligibility, node affinity per pod, nodes joining and leaving, rolling update."""

from __future__ import annotations

import pytest

from ktui.components.controllers.daemonset import DaemonSetController
from ktui.components.controllers.daemonset_placement import (
    daemon_tolerations,
    node_should_run,
    target_node,
    tolerates,
    with_node_affinity,
)

from tests.components.controllers.conftest import Rig, template

DS_SYNC = 1.5
"""Long enough for a DaemonSet sync: the controller syncs a DaemonSet at most once per simulated second."""


def node(name: str, labels: dict | None = None, taints: list | None = None) -> dict:
    obj = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
        "spec": {},
    }
    if taints:
        obj["spec"]["taints"] = taints
    return obj


def daemonset(name: str = "agent", **pod_spec) -> dict:
    t = template({"app": name})
    t["spec"].update(pod_spec)
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": name},
        "spec": {"selector": {"matchLabels": {"app": name}}, "template": t},
    }


# ---------------------------------------------------------------- pure functions


def test_daemon_tolerations_added_once() -> None:
    tols = daemon_tolerations(
        {"tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"}]}
    )
    keys = [(t["key"], t["effect"]) for t in tols]
    assert keys.count(("node.kubernetes.io/not-ready", "NoExecute")) == 1
    assert ("node.kubernetes.io/unschedulable", "NoSchedule") in keys
    assert ("node.kubernetes.io/network-unavailable", "NoSchedule") not in keys
    assert ("node.kubernetes.io/network-unavailable", "NoSchedule") in [
        (t["key"], t["effect"]) for t in daemon_tolerations({"hostNetwork": True})
    ]


def test_node_should_run() -> None:
    ds = daemonset()
    assert node_should_run(ds, node("a")) == (True, True)
    cp = node("cp", taints=[{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}])
    assert node_should_run(ds, cp) == (False, True)
    evict = node("x", taints=[{"key": "dedicated", "value": "db", "effect": "NoExecute"}])
    assert node_should_run(ds, evict) == (False, False)
    assert node_should_run(
        ds, node("n", taints=[{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}])
    ) == (True, True)
    picky = daemonset(nodeSelector={"disk": "ssd"})
    assert node_should_run(picky, node("a")) == (False, False)
    assert node_should_run(picky, node("b", {"disk": "ssd"})) == (True, True)
    assert tolerates([{"operator": "Exists"}], {"key": "anything", "effect": "NoSchedule"})
    assert not tolerates([{"key": "k", "value": "v"}], {"key": "k", "value": "w", "effect": "NoSchedule"})


def test_node_affinity_replaced_and_read_back() -> None:
    aff = with_node_affinity(
        {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchExpressions": [{"key": "a", "operator": "Exists"}]}]
                }
            }
        },
        "node01",
    )
    terms = aff["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert terms == [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node01"]}]}]
    assert target_node({"spec": {"affinity": aff}}) == "node01"
    assert target_node({"spec": {"nodeName": "n2", "affinity": aff}}) == "n2"


# ---------------------------------------------------------------- the controller


@pytest.fixture
def rig() -> Rig:
    return Rig(DaemonSetController)


def _by_node(rig: Rig) -> dict[str, dict]:
    return {target_node(p): p for p in rig.pods("app=agent")}


def test_one_pod_per_eligible_node_and_node_join(rig: Rig) -> None:
    rig.client.create("nodes", node("node01"))
    rig.client.create(
        "nodes", node("cp", taints=[{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}])
    )
    ds = rig.client.create("daemonsets", daemonset())
    rig.settle(DS_SYNC)
    pods = _by_node(rig)
    assert sorted(pods) == ["node01"]
    pod = pods["node01"]
    assert pod["metadata"]["name"].startswith("agent-")
    labels = pod["metadata"]["labels"]
    assert labels["pod-template-generation"] == "1" and labels["controller-revision-hash"]
    assert pod["metadata"]["ownerReferences"][0]["uid"] == ds["metadata"]["uid"]
    revs = rig.client.list("controllerrevisions", "default")["items"]
    assert [r["metadata"]["name"] for r in revs] == [f"agent-{labels['controller-revision-hash']}"]
    assert revs[0]["revision"] == 1
    rig.client.create("nodes", node("node02"))
    rig.settle(DS_SYNC)
    assert sorted(_by_node(rig)) == ["node01", "node02"]
    st = rig.client.get("daemonsets", "agent")["status"]
    assert (
        st["desiredNumberScheduled"],
        st["currentNumberScheduled"],
        st["numberReady"],
        st["numberMisscheduled"],
        st["updatedNumberScheduled"],
        st["numberUnavailable"],
    ) == (2, 2, 0, 0, 2, 2)
    for p in rig.pods("app=agent"):
        rig.set_pod_phase(p)
    rig.settle(DS_SYNC)
    st = rig.client.get("daemonsets", "agent")["status"]
    assert (st["numberReady"], st["numberAvailable"]) == (2, 2) and "numberUnavailable" not in st


def test_node_leaving_and_relabel(rig: Rig) -> None:
    rig.client.create("nodes", node("a", {"disk": "ssd"}))
    rig.client.create("nodes", node("b", {"disk": "ssd"}))
    rig.client.create("daemonsets", daemonset(nodeSelector={"disk": "ssd"}))
    rig.settle(DS_SYNC)
    assert sorted(_by_node(rig)) == ["a", "b"]
    rig.client.delete("nodes", "b")
    rig.settle(DS_SYNC)
    assert sorted(_by_node(rig)) == ["a"]
    rig.client.patch("nodes", "a", {"metadata": {"labels": {"disk": "hdd"}}}, patch_type="merge")
    rig.settle(DS_SYNC)
    assert _by_node(rig) == {}
    assert rig.client.get("daemonsets", "agent")["status"]["desiredNumberScheduled"] == 0


def test_rolling_update_one_node_at_a_time(rig: Rig) -> None:
    for n in ("a", "b", "c"):
        rig.client.create("nodes", node(n))
    rig.client.create("daemonsets", daemonset())
    rig.settle(DS_SYNC)
    for p in rig.pods("app=agent"):
        rig.set_pod_phase(p)
    rig.settle(DS_SYNC)
    ds = rig.client.get("daemonsets", "agent")
    ds["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    rig.client.update("daemonsets", ds)
    for _ in range(10):
        rig.settle(1)
        pods = rig.pods("app=agent")
        ready = [p for p in pods if (p.get("status") or {}).get("phase") == "Running"]
        assert len(ready) >= 2  # maxUnavailable 1
        for p in pods:
            if p not in ready:
                rig.set_pod_phase(p)
    pods = rig.pods("app=agent")
    assert len(pods) == 3 and {p["spec"]["containers"][0]["image"] for p in pods} == {"nginx:2"}
    assert {p["metadata"]["labels"]["pod-template-generation"] for p in pods} == {"2"}
    revs = sorted(r["revision"] for r in rig.client.list("controllerrevisions", "default")["items"])
    assert revs == [1, 2]
