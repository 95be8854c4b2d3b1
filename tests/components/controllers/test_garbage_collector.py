"""The garbage collector: background, foreground and orphan deletion over ownerReferences."""

from __future__ import annotations

import pytest

from ktui.api.errors import ApiError
from ktui.components.controllers.garbage_collector import GarbageCollector, classify_owners

from tests.components.controllers.conftest import make_ctx


@pytest.fixture
def world():
    w, ctx, informers = make_ctx()
    gc = GarbageCollector(ctx, informers)
    informers.start()
    gc.start()
    w.kernel.settle()
    return w


def _owner(w, name="owner"):
    return w.client().create("configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}})


def _dependent(w, owner, name, block=True):
    ref = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": block,
    }
    return w.client().create(
        "configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "ownerReferences": [ref]}}
    )


def _exists(w, name) -> bool:
    try:
        w.client().get("configmaps", name)
        return True
    except ApiError as e:
        assert e.code == 404
        return False


def test_background_deletes_dependents(world):
    w = world
    owner = _owner(w)
    _dependent(w, owner, "dep-1")
    _dependent(w, owner, "dep-2", block=False)
    w.kernel.settle()
    w.client().delete("configmaps", "owner", propagation_policy="Background")
    w.kernel.settle()
    assert not _exists(w, "dep-1") and not _exists(w, "dep-2")


def test_foreground_deletes_dependents_first(world):
    w = world
    owner = _owner(w)
    _dependent(w, owner, "dep-1")
    w.kernel.settle()
    marked = w.client().delete("configmaps", "owner", propagation_policy="Foreground")
    assert "foregroundDeletion" in marked["metadata"]["finalizers"]
    w.kernel.settle()
    assert not _exists(w, "dep-1")
    assert not _exists(w, "owner")


def test_orphan_keeps_dependents_without_owner(world):
    w = world
    owner = _owner(w)
    _dependent(w, owner, "dep-1")
    w.kernel.settle()
    w.client().delete("configmaps", "owner", propagation_policy="Orphan")
    w.kernel.settle()
    assert not _exists(w, "owner")
    dep = w.client().get("configmaps", "dep-1")
    assert not dep["metadata"].get("ownerReferences")


def test_dependent_created_with_dangling_owner_is_collected(world):
    w = world
    ghost = {"metadata": {"name": "ghost", "uid": "00000000-0000-4000-8000-000000000000"}}
    _dependent(w, ghost, "dep-1")
    w.kernel.settle()
    assert not _exists(w, "dep-1")


def test_classify_owners():
    refs = [{"uid": "a"}, {"uid": "b"}, {"uid": "c"}]
    owners = [
        {"metadata": {"uid": "a"}},
        None,
        {"metadata": {"uid": "c", "deletionTimestamp": "x", "finalizers": ["foregroundDeletion"]}},
    ]
    solid, dangling, waiting = classify_owners(refs, owners)
    assert (solid, dangling, waiting) == ([refs[0]], [refs[1]], [refs[2]])


def test_podgc_removes_pods_of_deleted_nodes_after_quarantine():
    from ktui.components.controllers.podgc import PodGCController, terminated_to_delete

    from tests.components.controllers.conftest import running_pod

    w, ctx, informers = make_ctx()
    gc = PodGCController(ctx, informers)
    informers.start()
    gc.start()
    running_pod(w, "web", "gone-node", "10.244.9.2")
    w.kernel.run_until(50)
    assert w.client().get("pods", "web")  # seen missing at t=20, quarantined for 40s
    w.kernel.run_until(61)
    with pytest.raises(ApiError):
        w.client().get("pods", "web")
    done = [
        {"metadata": {"name": n, "creationTimestamp": t}, "status": {"phase": "Succeeded"}}
        for n, t in (("b", "2026-01-01T00:00:02Z"), ("a", "2026-01-01T00:00:01Z"))
    ]
    assert [p["metadata"]["name"] for p in terminated_to_delete(done, 1)] == ["a"]


def test_world_with_controllers_deep_copies():
    import copy

    from ktui.components.controllers.node_lifecycle import NodeLifecycleController
    from ktui.components.controllers.taint_eviction import TaintEvictionController

    w, ctx, informers = make_ctx()
    ctrls = [
        GarbageCollector(ctx, informers),
        NodeLifecycleController(ctx, informers),
        TaintEvictionController(ctx, informers),
    ]
    informers.start()
    for c in ctrls:
        c.start()
    w.kernel.run_until(12)
    copy.deepcopy((w, ctrls))


def test_renewed_leases_are_not_delivered_yet_a_deleted_nodes_lease_is_collected():
    from ktui import Cluster

    c = Cluster.default(seed=3)
    gc = c.world.components["kube-controller-manager"].controllers["garbagecollector"]
    leases = gc._informer_for("leases.coordination.k8s.io")
    before = leases.get("kube-node-lease/node01")
    c.advance(30)  # three renewals
    admin = c.world.client()
    renewed = admin.get("leases", "node01", namespace="kube-node-lease")
    assert renewed["spec"]["renewTime"] != before["spec"]["renewTime"]
    assert leases.get("kube-node-lease/node01") is before  # not told of renewals
    c.kubectl("label lease node01 -n kube-node-lease seen=yes")
    c.advance(1)
    assert leases.get("kube-node-lease/node01")["metadata"]["labels"] == {"seen": "yes"}  # a metadata change
    c.kubectl("delete node node01")
    c.advance(5)
    with pytest.raises(ApiError) as e:
        admin.get("leases", "node01", namespace="kube-node-lease")
    assert e.value.code == 404


def test_podgc_follows_pods_as_they_change_and_collects_terminated_ones_beyond_the_threshold():
    from ktui.components.controllers.podgc import PodGCController

    from tests.components.controllers.conftest import running_pod

    w, ctx, informers = make_ctx(flags={"terminated-pod-gc-threshold": 1})
    admin = w.client()
    admin.create("nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}})
    gc = PodGCController(ctx, informers)
    informers.start()
    gc.start()
    for name in ("a", "b"):
        running_pod(w, name, "n1", "10.244.9.2")
    w.kernel.run_until(30)
    assert {p["metadata"]["name"] for p in admin.list("pods", "default")["items"]} == {"a", "b"}
    for name in ("a", "b"):  # both finish: two terminated pods, one more than the threshold
        pod = admin.get("pods", name, "default")
        pod["status"]["phase"] = "Succeeded"
        admin.update("pods", pod, "default", subresource="status")
    w.kernel.run_until(41)  # the pass at t=40
    assert len(admin.list("pods", "default")["items"]) == 1
