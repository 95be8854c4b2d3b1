"""Node controllers at the reconcile(key) level: node IPAM, node lifecycle, taint eviction and pod GC on the
recording fake client. Deletions the taint manager and pod GC schedule on the clock are shown by moving it."""

from ktui.components.controllers.node_ipam import NodeIpamController
from ktui.components.controllers.node_lifecycle import NodeLifecycleController
from ktui.components.controllers.podgc import PodGCController
from ktui.components.controllers.taint_eviction import TaintEvictionController


def _node(name: str, ready: str = "True", taints: list | None = None, **spec) -> dict:
    if taints:
        spec["taints"] = taints
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name},
        "spec": spec,
        "status": {"conditions": [{"type": "Ready", "status": ready, "lastHeartbeatTime": "2026-01-01T00:00:00Z"}]},
    }


def _pod(name: str, node: str, **spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"nodeName": node, "containers": [{"name": "c", "image": "nginx"}], **spec},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]},
    }


# ------------------------------------------------------------------------------------------ node IPAM


def test_node_ipam_patches_the_next_free_pod_cidr_onto_a_new_node(fake_client, start_controller):
    fake_client.seed(
        "nodes", _node("controlplane", podCIDR="10.244.0.0/24", podCIDRs=["10.244.0.0/24"]), _node("node01")
    )
    ipam = start_controller(NodeIpamController, spec={"podCIDR": "10.244.0.0/16"})
    ipam.reconcile("node01")
    writes = fake_client.writes()
    assert [a.short for a in writes] == [("patch", "nodes", "node01")]
    assert writes[0].obj == {"spec": {"podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24"]}}
    assert writes[0].options == {"patch_type": "merge"}
    assert fake_client.stored("nodes", "node01")["spec"]["podCIDRs"] == ["10.244.1.0/24"]


def test_node_ipam_leaves_a_node_that_has_a_cidr_alone(fake_client, start_controller):
    fake_client.seed("nodes", _node("node01", podCIDR="10.244.7.0/24", podCIDRs=["10.244.7.0/24"]))
    ipam = start_controller(NodeIpamController, spec={"podCIDR": "10.244.0.0/16"})
    ipam.reconcile("node01")
    assert fake_client.writes() == []


def test_node_ipam_says_cidr_not_available_when_the_range_is_full(fake_client, start_controller):
    fake_client.seed("nodes", _node("a", podCIDRs=["10.244.0.0/24"]), _node("b"))
    ipam = start_controller(NodeIpamController, spec={"podCIDR": "10.244.0.0/24"})
    ipam.reconcile("b")
    assert fake_client.writes() == []
    assert fake_client.events() == [("Normal", "CIDRNotAvailable")]
    assert fake_client.event_messages() == ["Node b status is now: CIDRNotAvailable"]


# ------------------------------------------------------------------------------------------ node lifecycle


def test_node_lifecycle_reconcile_adds_the_not_ready_no_schedule_taint(fake_client, start_controller):
    fake_client.seed("nodes", _node("node01", ready="False"))
    nlc = start_controller(NodeLifecycleController)
    nlc.reconcile("node01")
    writes = fake_client.writes()
    assert [a.short for a in writes] == [("update", "nodes", "node01")]
    # the live node already carries the NoExecute taint the first monitor pass (at start) added
    assert writes[0].obj["spec"]["taints"] == [
        {"key": "node.kubernetes.io/not-ready", "effect": "NoExecute", "timeAdded": "2026-01-01T00:00:00Z"},
        {"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"},
    ]


def test_node_lifecycle_reconcile_swaps_condition_taints_as_conditions_change(fake_client, start_controller):
    node = _node(
        "node01",
        ready="True",
        unschedulable=True,
        taints=[
            {"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"},
            {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"},
        ],
    )
    fake_client.seed("nodes", node)
    nlc = start_controller(NodeLifecycleController)
    nlc.reconcile("node01")
    writes = fake_client.writes()
    assert [a.short for a in writes] == [("update", "nodes", "node01")]
    assert writes[0].obj["spec"]["taints"] == [
        {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"},
        {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"},
    ]
    fake_client.actions.clear()
    nlc.reconcile("node01")  # the cache still holds the old node: the live GET shows nothing left to do
    assert fake_client.writes() == []


def test_node_lifecycle_monitor_marks_a_silent_node_unknown_then_taints_it_unreachable(fake_client, start_controller):
    fake_client.seed("nodes", _node("node01"))
    fake_client.seed("pods", _pod("web", "node01"))
    start_controller(NodeLifecycleController, flags={"node-monitor-period": "5s", "node-monitor-grace-period": "40s"})
    fake_client.kernel.run_until(40)
    assert fake_client.writes() == []  # 40 s without a heartbeat is still within the grace period
    fake_client.kernel.run_until(45)
    writes = fake_client.writes()
    assert [a.short for a in writes] == [("update", "nodes/status", "node01"), ("update", "pods/status", "web")]
    ready = writes[0].obj["status"]["conditions"][0]
    assert (ready["status"], ready["reason"], ready["message"]) == (
        "Unknown",
        "NodeStatusUnknown",
        "Kubelet stopped posting node status.",
    )
    assert writes[1].obj["status"]["conditions"][0]["status"] == "False"
    assert ("Normal", "NodeNotReady") in fake_client.events() and ("Warning", "NodeNotReady") in fake_client.events()


# ------------------------------------------------------------------------------------------ taint eviction

UNREACHABLE = {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute", "timeAdded": "2026-01-01T00:00:00Z"}


def test_taint_eviction_deletes_an_intolerant_pod_at_once_with_the_disruption_condition(fake_client, start_controller):
    fake_client.seed("nodes", _node("node01", ready="Unknown", taints=[UNREACHABLE]))
    fake_client.seed("pods", _pod("web", "node01"))
    tec = start_controller(TaintEvictionController, now=100)
    tec.reconcile("node:node01")
    assert fake_client.writes() == []  # the deletion is a timed worker, due now
    fake_client.kernel.run_until(100)
    writes = fake_client.writes()
    assert [a.short for a in writes] == [("update", "pods/status", "web"), ("delete", "pods", "web")]
    cond = writes[0].obj["status"]["conditions"][-1]
    assert cond == {
        "type": "DisruptionTarget",
        "status": "True",
        "lastProbeTime": None,
        "lastTransitionTime": "2026-01-01T00:01:40Z",
        "reason": "DeletionByTaintManager",
        "message": "Taint manager: deleting due to NoExecute taint",
    }
    assert fake_client.event_messages() == ["Marking for deletion Pod default/web"]


def test_taint_eviction_waits_for_the_pods_toleration_seconds(fake_client, start_controller):
    tolerate = [
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
    ]
    fake_client.seed("nodes", _node("node01", ready="Unknown", taints=[UNREACHABLE]))
    fake_client.seed(
        "pods",
        _pod("web", "node01", tolerations=tolerate),
        _pod(
            "db",
            "node01",
            tolerations=[{"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"}],
        ),
    )
    tec = start_controller(TaintEvictionController)
    tec.reconcile("node:node01")
    fake_client.kernel.run_until(299)
    assert fake_client.writes() == []
    fake_client.kernel.run_until(300)
    assert [a.short for a in fake_client.writes()] == [("update", "pods/status", "web"), ("delete", "pods", "web")]
    fake_client.kernel.run_until(3600)  # "db" tolerates the taint forever
    assert [a.name for a in fake_client.writes()] == ["web", "web"]


# ------------------------------------------------------------------------------------------ pod GC


def test_pod_gc_fails_and_force_deletes_pods_of_a_vanished_node_after_the_quarantine(fake_client, start_controller):
    fake_client.seed("pods", _pod("orphan", "gone"))
    gc = start_controller(PodGCController)
    gc.reconcile("")
    assert fake_client.writes() == []  # first seen missing: 40 s of quarantine
    fake_client.kernel.run_until(40)  # the controller's own passes every 20 s
    writes = fake_client.writes()
    assert [a.short for a in writes] == [("update", "pods/status", "orphan"), ("delete", "pods", "orphan")]
    assert writes[0].obj["status"]["phase"] == "Failed"
    assert writes[0].obj["status"]["conditions"][-1]["reason"] == "DeletionByPodGC"
    assert writes[1].options == {"grace_period_seconds": 0}
    assert ("get", "nodes", "gone") in [a.short for a in fake_client.actions]  # a live check before deleting


def test_pod_gc_leaves_terminated_pods_up_to_the_threshold_and_force_deletes_unscheduled_terminating_ones(
    fake_client, start_controller
):
    fake_client.seed("nodes", _node("node01"))
    for name in ("a", "b"):
        pod = _pod(name, "node01")
        pod["status"] = {"phase": "Failed"}
        fake_client.seed("pods", pod)
    pending = _pod("pending", "")
    pending["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:30Z"
    fake_client.seed("pods", pending)
    gc = start_controller(PodGCController, flags={"terminated-pod-gc-threshold": 2})
    gc.reconcile("")
    fake_client.kernel.run_until(60)
    writes = fake_client.writes()
    # two terminated pods, threshold two: kept; the terminating pod that was never bound: force-deleted (at
    # every pass: the fake client's deletes leave the cache alone)
    assert {a.short for a in writes} == {("delete", "pods", "pending")}
    assert all(a.options == {"grace_period_seconds": 0} for a in writes)


def test_pod_gc_deletes_the_oldest_terminated_pods_beyond_the_threshold(fake_client, start_controller):
    fake_client.kernel.run_until(0)
    for i, name in enumerate(("c", "a", "b")):
        pod = _pod(name, "")
        pod["metadata"]["creationTimestamp"] = f"2026-01-01T00:00:0{i}Z"
        pod["status"] = {"phase": "Succeeded"}
        fake_client.seed("pods", pod)
    gc = start_controller(PodGCController, flags={"terminated-pod-gc-threshold": 1})
    gc.reconcile("")
    assert [a.short for a in fake_client.writes()] == [("delete", "pods", "c"), ("delete", "pods", "a")]
    assert all(a.options == {} for a in fake_client.writes())  # graceful: no grace period override
