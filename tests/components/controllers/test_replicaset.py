"""ReplicaSet and ReplicationController controllers: creation, adoption, release, ranking, status."""

from __future__ import annotations

import pytest

from ktui.components.controllers.pods import (
    Expectations,
    claim_decision,
    is_pod_available,
    pods_to_delete,
    rank_for_deletion,
    slow_start_batches,
)
from ktui.components.controllers.replicaset import ReplicaSetController, ReplicationControllerController
from ktui.sim.timefmt import rfc3339

from tests.components.controllers.conftest import Rig, replicaset, template


def pod_obj(name: str, **md) -> dict:
    base = {"name": name, "uid": name, "creationTimestamp": rfc3339(0)}
    base.update(md)
    return {"metadata": base, "spec": {}, "status": {"phase": "Pending"}}


# ---------------------------------------------------------------- pure helpers


def test_slow_start_batches() -> None:
    assert slow_start_batches(10) == [1, 2, 4, 3]
    assert slow_start_batches(1) == [1]
    assert slow_start_batches(0) == []
    assert sum(slow_start_batches(500)) == 500


def test_ranking_prefers_unscheduled_pending_notready_newest() -> None:
    ready = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": rfc3339(10)}]}
    running_not_ready = {"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}]}
    unscheduled = pod_obj("a")
    pending = {**pod_obj("b"), "spec": {"nodeName": "n1"}}
    not_ready = {**pod_obj("c"), "spec": {"nodeName": "n1"}, "status": running_not_ready}
    old_ready = {**pod_obj("d", creationTimestamp=rfc3339(0)), "spec": {"nodeName": "n1"}, "status": ready}
    new_ready = {
        **pod_obj("e", creationTimestamp=rfc3339(3000)),
        "spec": {"nodeName": "n2"},
        "status": {**ready, "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": rfc3339(3500)}]},
    }
    pods = [old_ready, new_ready, not_ready, pending, unscheduled]
    order = [p["metadata"]["name"] for p in rank_for_deletion(pods, [], 4000)]
    assert order == ["a", "b", "c", "e", "d"]
    assert [p["metadata"]["name"] for p in pods_to_delete(pods, [], 2, 4000)] == ["a", "b"]


def test_ranking_doubled_up_and_deletion_cost() -> None:
    ready = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": rfc3339(5)}]}
    a = {**pod_obj("a"), "spec": {"nodeName": "n1"}, "status": ready}
    b = {**pod_obj("b"), "spec": {"nodeName": "n2"}, "status": ready}
    other = {**pod_obj("x"), "spec": {"nodeName": "n2"}, "status": ready}
    assert [p["metadata"]["name"] for p in rank_for_deletion([a, b], [a, b, other], 100)] == ["b", "a"]
    costly = {**b, "metadata": {**b["metadata"], "annotations": {"controller.kubernetes.io/pod-deletion-cost": "100"}}}
    assert [p["metadata"]["name"] for p in rank_for_deletion([a, costly], [a, costly, other], 100)] == ["a", "b"]


def test_available_honours_min_ready_seconds() -> None:
    pod = {"status": {"conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": rfc3339(10)}]}}
    assert is_pod_available(pod, 0, 10)
    assert not is_pod_available(pod, 5, 14)
    assert is_pod_available(pod, 5, 15)


def test_claim_decision() -> None:
    owner = {"metadata": {"uid": "u1", "namespace": "default"}}
    orphan = {"metadata": {"namespace": "default"}}
    mine = {"metadata": {"namespace": "default", "ownerReferences": [{"uid": "u1", "controller": True}]}}
    theirs = {"metadata": {"namespace": "default", "ownerReferences": [{"uid": "u2", "controller": True}]}}
    assert claim_decision(orphan, owner, True) == "adopt"
    assert claim_decision(orphan, owner, False) is None
    assert claim_decision(mine, owner, True) == "own"
    assert claim_decision(mine, owner, False) == "release"
    assert claim_decision(theirs, owner, True) is None


def test_expectations() -> None:
    e = Expectations()
    assert e.satisfied("k", 0)
    e.expect_creations("k", 2, 0)
    assert not e.satisfied("k", 1)
    e.creation_observed("k")
    e.creation_observed("k")
    assert e.satisfied("k", 1)
    e.expect_deletions("k", ["ns/p"], 2)
    assert not e.satisfied("k", 3)
    assert e.satisfied("k", 400)  # expired
    e.deletion_observed("k", "ns/p")
    assert e.satisfied("k", 3)


# ---------------------------------------------------------------- the controller


@pytest.fixture
def rig() -> Rig:
    return Rig(ReplicaSetController, ReplicationControllerController)


def test_creates_pods_with_names_owner_refs_and_events(rig: Rig) -> None:
    rs = rig.client.create("replicasets", replicaset("web", 3, {"app": "web"}))
    rig.settle()
    pods = rig.pods("app=web")
    assert len(pods) == 3
    for p in pods:
        assert p["metadata"]["name"].startswith("web-") and len(p["metadata"]["name"]) == len("web-") + 5
        assert p["metadata"]["generateName"] == "web-"
        assert p["metadata"]["ownerReferences"] == [
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "name": "web",
                "uid": rs["metadata"]["uid"],
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
    msgs = sorted(e["message"] for e in rig.events("SuccessfulCreate"))
    assert msgs == sorted(f"Created pod: {p['metadata']['name']}" for p in pods)
    assert all(e["source"]["component"] == "replicaset-controller" for e in rig.events("SuccessfulCreate"))
    status = rig.client.get("replicasets", "web")["status"]
    assert status == {"replicas": 3, "fullyLabeledReplicas": 3, "terminatingReplicas": 0, "observedGeneration": 1}


def test_status_counts_ready_and_available(rig: Rig) -> None:
    rig.client.create("replicasets", replicaset("web", 2, {"app": "web"}, minReadySeconds=10))
    rig.settle()
    rig.ready_all("app=web")
    rig.settle()
    st = rig.client.get("replicasets", "web")["status"]
    assert st["readyReplicas"] == 2 and "availableReplicas" not in st
    rig.settle(12)
    st = rig.client.get("replicasets", "web")["status"]
    assert st["availableReplicas"] == 2


def test_scale_down_deletes_not_ready_first(rig: Rig) -> None:
    rig.client.create("replicasets", replicaset("web", 3, {"app": "web"}))
    rig.settle()
    pods = sorted(rig.pods("app=web"), key=lambda p: p["metadata"]["name"])
    rig.set_pod_phase(pods[0])
    rig.set_pod_phase(pods[1])
    rig.settle()
    rs = rig.client.get("replicasets", "web")
    rs["spec"]["replicas"] = 2
    rig.client.update("replicasets", rs)
    rig.settle()
    left = {p["metadata"]["name"] for p in rig.pods("app=web")}
    assert left == {pods[0]["metadata"]["name"], pods[1]["metadata"]["name"]}
    assert [e["message"] for e in rig.events("SuccessfulDelete")] == [f"Deleted pod: {pods[2]['metadata']['name']}"]


def test_relabel_releases_and_replaces_then_adopts_back(rig: Rig) -> None:
    rig.client.create("replicasets", replicaset("web", 2, {"app": "web"}))
    rig.settle()
    victim = rig.pods("app=web")[0]
    rig.set_pod_phase(victim)
    name = victim["metadata"]["name"]
    rig.client.patch("pods", name, {"metadata": {"labels": {"app": "debug"}}}, patch_type="merge")
    rig.settle()
    released = rig.client.get("pods", name)
    assert "ownerReferences" not in released["metadata"]
    assert len(rig.pods("app=web")) == 2  # a replacement was made
    rig.client.patch("pods", name, {"metadata": {"labels": {"app": "web"}}}, patch_type="merge")
    rig.settle()
    pods = rig.pods("app=web")
    assert len(pods) == 2
    assert name in {p["metadata"]["name"] for p in pods}  # the running, ready pod is kept
    adopted = rig.client.get("pods", name)
    assert adopted["metadata"]["ownerReferences"][0]["name"] == "web"


def test_adopts_matching_orphans(rig: Rig) -> None:
    for i in range(2):
        rig.client.create(
            "pods",
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": f"orphan-{i}", "labels": {"app": "web"}},
                "spec": {"containers": [{"name": "app", "image": "nginx"}]},
            },
        )
    rig.client.create("replicasets", replicaset("web", 3, {"app": "web"}))
    rig.settle()
    pods = rig.pods("app=web")
    assert len(pods) == 3
    assert all(p["metadata"]["ownerReferences"][0]["name"] == "web" for p in pods)
    assert len(rig.events("SuccessfulCreate")) == 1


def test_rc_selector_is_equality_map(rig: Rig) -> None:
    rig.client.create(
        "pods",
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "other", "labels": {"app": "web", "tier": "x"}},
            "spec": {"containers": [{"name": "app", "image": "nginx"}]},
        },
    )
    rc = {
        "apiVersion": "v1",
        "kind": "ReplicationController",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": 2,
            "selector": {"app": "web", "tier": "fe"},
            "template": template({"app": "web", "tier": "fe"}),
        },
    }
    created = rig.client.create("replicationcontrollers", rc)
    rig.settle()
    pods = rig.pods("app=web,tier=fe")
    assert len(pods) == 2
    ref = pods[0]["metadata"]["ownerReferences"][0]
    assert (ref["apiVersion"], ref["kind"], ref["uid"]) == ("v1", "ReplicationController", created["metadata"]["uid"])
    assert "ownerReferences" not in rig.client.get("pods", "other")["metadata"]
    st = rig.client.get("replicationcontrollers", "web")["status"]
    assert st["replicas"] == 2 and "terminatingReplicas" not in st
    assert {e["source"]["component"] for e in rig.events("SuccessfulCreate")} == {"replication-controller"}


def test_rs_set_based_selector(rig: Rig) -> None:
    rs = replicaset("web", 2, {"app": "web", "tier": "fe"})
    rs["spec"]["selector"] = {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["fe", "be"]}]}
    rig.client.create(
        "pods",
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "be", "labels": {"tier": "be"}},
            "spec": {"containers": [{"name": "app", "image": "nginx"}]},
        },
    )
    rig.client.create("replicasets", rs)
    rig.settle()
    pods = rig.pods("tier in (fe,be)")
    assert len(pods) == 2
    assert rig.client.get("pods", "be")["metadata"]["ownerReferences"][0]["name"] == "web"
    st = rig.client.get("replicasets", "web")["status"]
    assert st["replicas"] == 2 and st["fullyLabeledReplicas"] == 1


def test_deleted_pod_is_replaced(rig: Rig) -> None:
    rig.client.create("replicasets", replicaset("web", 2, {"app": "web"}))
    rig.settle()
    gone = rig.pods("app=web")[0]["metadata"]["name"]
    rig.client.delete("pods", gone)
    rig.settle()
    names = {p["metadata"]["name"] for p in rig.pods("app=web")}
    assert len(names) == 2 and gone not in names
