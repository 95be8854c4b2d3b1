"""Node lifecycle, taint eviction and node IPAM: the node-failure timeline on the simulated clock."""

from __future__ import annotations

import pytest

from ktui.api.auth.user import authenticated
from ktui.components.controllers.node_ipam import CidrSet, NodeIpamController
from ktui.components.controllers.node_lifecycle import (
    NodeLifecycleController,
    heartbeat_of,
    mark_conditions_unknown,
)
from ktui.components.controllers.node_taints import condition_taints, swap_taints
from ktui.components.controllers.taint_eviction import (
    TaintEvictionController,
    matching_tolerations,
    min_toleration_seconds,
    tolerates,
)
from ktui.sim.timefmt import parse_rfc3339, rfc3339, rfc3339_micro

from tests.components.controllers.conftest import FLAGS, make_ctx, running_pod


class FakeKubelet:
    """Registers a Node, posts Ready=True and renews its Lease every 10s until stopped."""

    def __init__(self, w, name: str, period: float = 10.0) -> None:
        self.w, self.name, self.period = w, name, period
        self.client = w.client(authenticated(f"system:node:{name}", ("system:nodes",)))
        self.admin = w.client()
        self.event = None
        now = rfc3339(w.kernel.now)
        self.admin.create("nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}})
        node = self.admin.get("nodes", name)
        node["status"] = {
            "conditions": [
                {
                    "type": t,
                    "status": "False",
                    "lastHeartbeatTime": now,
                    "lastTransitionTime": now,
                    "reason": r,
                    "message": m,
                }
                for t, r, m in (
                    ("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                    ("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                    ("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                )
            ]
            + [
                {
                    "type": "Ready",
                    "status": "True",
                    "lastHeartbeatTime": now,
                    "lastTransitionTime": now,
                    "reason": "KubeletReady",
                    "message": "kubelet is posting ready status",
                }
            ]
        }
        self.admin.update("nodes", node, subresource="status")
        self.admin.create(
            "leases",
            {
                "apiVersion": "coordination.k8s.io/v1",
                "kind": "Lease",
                "metadata": {"name": name, "namespace": "kube-node-lease"},
                "spec": {"holderIdentity": name, "leaseDurationSeconds": 40, "renewTime": rfc3339_micro(w.kernel.now)},
            },
        )
        self.event = w.kernel.schedule(period, self.renew)

    def renew(self) -> None:
        lease = self.admin.get("leases", self.name, "kube-node-lease")
        lease["spec"]["renewTime"] = rfc3339_micro(self.w.kernel.now)
        self.admin.update("leases", lease, "kube-node-lease")
        self.event = self.w.kernel.schedule(self.period, self.renew)

    def stop(self) -> None:
        self.event.cancel()

    def resume(self) -> None:
        """Come back: post Ready=True with a fresh heartbeat, renew the lease, keep renewing."""
        node = self.admin.get("nodes", self.name)
        now = rfc3339(self.w.kernel.now)
        for c in node["status"]["conditions"]:
            c["lastHeartbeatTime"] = now
            c["lastTransitionTime"] = now
            c["status"] = "True" if c["type"] == "Ready" else "False"
        self.admin.update("nodes", node, subresource="status")
        self.renew()


def ready_of(w, node: str) -> dict:
    n = w.client().get("nodes", node)
    return next(c for c in n["status"]["conditions"] if c["type"] == "Ready")


def taints_of(w, node: str) -> list[tuple[str, str]]:
    return [(t["key"], t["effect"]) for t in (w.client().get("nodes", node).get("spec") or {}).get("taints") or []]


def start_controllers(ctx, informers):
    nlc = NodeLifecycleController(ctx, informers)
    tec = TaintEvictionController(ctx, informers)
    informers.start()
    nlc.start()
    tec.start()
    return nlc, tec


def run_failure(grace: str = "40s"):
    flags = dict(FLAGS, **{"node-monitor-grace-period": grace})
    w, ctx, informers = make_ctx(flags)
    kubelet = FakeKubelet(w, "node01")
    running_pod(w, "web-1", "node01", "10.244.1.5")
    start_controllers(ctx, informers)
    w.kernel.run_until(100.0)  # the kubelet renewed at t=100: last heartbeat = t0
    t0 = 100.0
    kubelet.stop()
    return w, kubelet, t0


def _first_time(w, predicate, until: float, step: float = 1.0) -> float | None:
    while w.kernel.now < until:
        w.kernel.advance(step)
        if predicate():
            return w.kernel.now
    return None


@pytest.mark.parametrize("grace,extra", [("40s", 0), ("50s", 10)])
def test_node_failure_timeline(grace, extra):
    w, kubelet, t0 = run_failure(grace)
    assert ready_of(w, "node01")["status"] == "True"
    unknown_at = _first_time(w, lambda: ready_of(w, "node01")["status"] == "Unknown", t0 + 100)
    assert t0 + 40 + extra < unknown_at <= t0 + 45 + extra
    cond = ready_of(w, "node01")
    assert cond["reason"] == "NodeStatusUnknown" and cond["message"] == "Kubelet stopped posting node status."
    assert parse_rfc3339(cond["lastHeartbeatTime"]) <= t0
    mem = next(c for c in w.client().get("nodes", "node01")["status"]["conditions"] if c["type"] == "MemoryPressure")
    assert mem["status"] == "Unknown"
    # TaintNodesByCondition: the NoSchedule taint follows the condition at once.
    w.kernel.settle()
    assert ("node.kubernetes.io/unreachable", "NoSchedule") in taints_of(w, "node01")
    pod = w.client().get("pods", "web-1")
    assert next(c for c in pod["status"]["conditions"] if c["type"] == "Ready")["status"] == "False"
    events = w.client().list("events", "default")["items"]
    assert any(
        e["reason"] == "NodeNotReady" and e["message"] == "Node node01 status is now: NodeNotReady" for e in events
    )
    assert any(
        e["reason"] == "NodeNotReady" and e["message"] == "Node is not ready" and e["involvedObject"]["kind"] == "Pod"
        for e in events
    )
    # NoExecute: processTaintBaseEviction acts on the condition observed at the start of a pass, so the
    # taint lands at the next pass, one monitor period later.
    tainted_at = _first_time(
        w, lambda: ("node.kubernetes.io/unreachable", "NoExecute") in taints_of(w, "node01"), t0 + 120
    )
    assert tainted_at == unknown_at + 5
    taint = next(t for t in w.client().get("nodes", "node01")["spec"]["taints"] if t["effect"] == "NoExecute")
    assert parse_rfc3339(taint["timeAdded"]) == tainted_at
    # The pod tolerates unreachable for 300s (DefaultTolerationSeconds), then is deleted gracefully.
    w.kernel.run_until(tainted_at + 299)
    assert not w.client().get("pods", "web-1")["metadata"].get("deletionTimestamp")
    w.kernel.run_until(tainted_at + 300)
    pod = w.client().get("pods", "web-1")
    assert pod["metadata"].get("deletionTimestamp")  # Terminating: no kubelet to finish it
    cond = next(c for c in pod["status"]["conditions"] if c["type"] == "DisruptionTarget")
    assert cond["reason"] == "DeletionByTaintManager"
    events = w.client().list("events", "default")["items"]
    assert any(
        e["reason"] == "TaintManagerEviction" and e["message"] == "Marking for deletion Pod default/web-1"
        for e in events
    )


def test_node_comes_back_removes_taints_and_cancels_eviction():
    w, kubelet, t0 = run_failure()
    w.kernel.run_until(t0 + 60)
    assert ("node.kubernetes.io/unreachable", "NoExecute") in taints_of(w, "node01")
    kubelet.resume()
    w.kernel.run_until(t0 + 70)
    assert taints_of(w, "node01") == []
    w.kernel.run_until(t0 + 500)
    assert not w.client().get("pods", "web-1")["metadata"].get("deletionTimestamp")
    events = w.client().list("events", "default")["items"]
    assert any(e["message"] == "Cancelling deletion of Pod default/web-1" for e in events)


def test_not_tolerated_noexecute_taint_evicts_at_once():
    w, ctx, informers = make_ctx()
    FakeKubelet(w, "node01")
    running_pod(w, "web-1", "node01", "10.244.1.5")
    start_controllers(ctx, informers)
    w.kernel.run_until(10)
    node = w.client().get("nodes", "node01")
    node.setdefault("spec", {})["taints"] = [{"key": "dedicated", "value": "db", "effect": "NoExecute"}]
    w.client().update("nodes", node)
    w.kernel.settle()
    assert w.client().get("pods", "web-1")["metadata"].get("deletionTimestamp")


def test_registered_node_event():
    w, ctx, informers = make_ctx()
    FakeKubelet(w, "node01")
    start_controllers(ctx, informers)
    w.kernel.run_until(1)
    events = w.client().list("events", "default")["items"]
    assert any(
        e["reason"] == "RegisteredNode" and e["message"] == "Node node01 event: Registered Node node01 in Controller"
        for e in events
    )


# ------------------------------------------------------------------ pure functions


def test_heartbeat_prefers_latest_signal():
    node = {
        "metadata": {"creationTimestamp": rfc3339(0)},
        "status": {"conditions": [{"type": "Ready", "status": "True", "lastHeartbeatTime": rfc3339(10)}]},
    }
    lease = {"spec": {"renewTime": rfc3339_micro(25.5)}}
    assert heartbeat_of(node, lease) == (25.5, True)
    assert heartbeat_of({"metadata": {"creationTimestamp": rfc3339(3)}}, None) == (3.0, False)


def test_mark_unknown_keeps_heartbeat_and_adds_never_updated():
    node = {
        "metadata": {"creationTimestamp": rfc3339(0)},
        "status": {
            "conditions": [
                {
                    "type": "Ready",
                    "status": "True",
                    "lastHeartbeatTime": rfc3339(10),
                    "lastTransitionTime": rfc3339(0),
                    "reason": "KubeletReady",
                    "message": "x",
                }
            ]
        },
    }
    out = mark_conditions_unknown(node, 60)
    ready = out["status"]["conditions"][0]
    assert ready == {
        "type": "Ready",
        "status": "Unknown",
        "lastHeartbeatTime": rfc3339(10),
        "lastTransitionTime": rfc3339(60),
        "reason": "NodeStatusUnknown",
        "message": "Kubelet stopped posting node status.",
    }
    mem = out["status"]["conditions"][1]
    assert mem["reason"] == "NodeStatusNeverUpdated" and mem["message"] == "Kubelet never posted node status."
    assert node["status"]["conditions"][0]["status"] == "True"  # not mutated


def test_condition_taints_and_swap():
    node = {"spec": {"unschedulable": True}, "status": {"conditions": [{"type": "Ready", "status": "False"}]}}
    assert condition_taints(node) == [
        ("node.kubernetes.io/not-ready", "NoSchedule"),
        ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ]
    out = swap_taints([{"key": "a", "effect": "NoSchedule"}], [("b", "NoExecute")], [("a", "NoSchedule")], 7)
    assert out == [{"key": "b", "effect": "NoExecute", "timeAdded": rfc3339(7)}]
    assert swap_taints([{"key": "b", "effect": "NoExecute"}], [("b", "NoExecute")], [], 9) is None


def test_tolerations():
    taint = {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}
    tol = {
        "key": "node.kubernetes.io/unreachable",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 300,
    }
    assert tolerates(tol, taint)
    assert tolerates({"operator": "Exists"}, taint)
    assert not tolerates({"key": "other", "operator": "Exists"}, taint)
    assert not tolerates(
        {"key": "k", "value": "v", "effect": "NoExecute"}, {"key": "k", "value": "w", "effect": "NoExecute"}
    )
    ok, used = matching_tolerations([taint], [tol, {"operator": "Exists", "tolerationSeconds": 60}])
    assert ok and min_toleration_seconds(used) == 60
    assert min_toleration_seconds([{"operator": "Exists"}]) == -1
    assert min_toleration_seconds([]) == 0
    assert matching_tolerations([taint], []) == (False, [])


# ------------------------------------------------------------------ node IPAM


def test_cidr_set_rotates_like_the_real_allocator():
    s = CidrSet("10.244.0.0/16", 24)
    assert [s.allocate_next() for _ in range(3)] == ["10.244.0.0/24", "10.244.1.0/24", "10.244.2.0/24"]
    s.release("10.244.1.0/24")
    assert s.allocate_next() == "10.244.3.0/24"  # nextCandidate moves on, as cidr_set.go does


def test_ipam_assigns_in_creation_order_and_releases():
    spec = {"nodes": [], "podCIDR": "10.244.0.0/16"}
    w, ctx, informers = make_ctx(spec=spec)
    admin = w.client()
    for name in ("zz-controlplane", "aa-worker"):
        admin.create("nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}})
        w.kernel.advance(1)
    ipam = NodeIpamController(ctx, informers)
    informers.start()
    ipam.start()
    w.kernel.settle()
    assert admin.get("nodes", "zz-controlplane")["spec"]["podCIDR"] == "10.244.0.0/24"
    assert admin.get("nodes", "aa-worker")["spec"]["podCIDRs"] == ["10.244.1.0/24"]
    admin.delete("nodes", "aa-worker")
    admin.create("nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node03"}})
    w.kernel.settle()
    assert admin.get("nodes", "node03")["spec"]["podCIDR"] == "10.244.2.0/24"
    assert 1 not in ipam.cidrs.used
