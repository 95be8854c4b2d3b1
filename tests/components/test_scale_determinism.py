"""Determinism and exact timings at 1,000 nodes: the scheduler's choices (ties broken by the seeded RNG) and
the node lifecycle controller's deadline heap (each silent node marked at the first pass past its grace)."""

from __future__ import annotations

from ktui.api.auth.user import SYSTEM_MASTERS, authenticated
from ktui.clusterspec import normalize_spec
from ktui.components.base import Context
from ktui.components.controllers.node_lifecycle import NodeLifecycleController
from ktui.components.scheduler import Scheduler
from ktui.sim.timefmt import rfc3339_micro
from ktui.world import build_world

NODES = 1000


def _node(i: int) -> dict:
    alloc = {"cpu": "4", "memory": "8Gi", "pods": "110"}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": f"n{i:04d}", "labels": {"kubernetes.io/hostname": f"n{i:04d}", "zone": f"z{i % 3}"}},
        "spec": {},
        "status": {
            "capacity": dict(alloc),
            "allocatable": alloc,
            "conditions": [
                {
                    "type": "Ready",
                    "status": "True",
                    "reason": "KubeletReady",
                    "lastHeartbeatTime": "2026-01-01T00:00:00Z",
                }
            ],
        },
    }


def _schedule(seed: int) -> tuple[list[tuple[str, str]], dict]:
    world = build_world(normalize_spec({"nodes": [], "seed": seed}))
    api = world.client()
    for i in range(NODES):
        api.create("nodes", _node(i))
    for i in range(60):
        cpu = "100m" if i % 2 else "1500m"
        api.create(
            "pods",
            {
                "metadata": {"name": f"p{i:03d}", "namespace": "default"},
                "spec": {"containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": cpu}}}]},
            },
        )
    sched = Scheduler(
        Context(
            kernel=world.kernel,
            rng=world.rng,
            client=world.client(authenticated("system:kube-scheduler")),
            spec=world.spec,
        )
    )
    sched.start()
    world.kernel.advance(5)
    pods = api.list("pods", "default")["items"]
    return sorted((p["metadata"]["name"], p["spec"].get("nodeName", "")) for p in pods), sched.explain(
        "default", "p059"
    )


def test_scheduling_onto_1000_nodes_is_the_same_for_the_same_seed():
    a, explain_a = _schedule(3)
    b, explain_b = _schedule(3)
    c, _ = _schedule(4)
    assert all(node for _, node in a) and len(a) == 60
    assert a == b and explain_a == explain_b
    assert a != c  # ties between equally good nodes are broken by the seeded RNG
    assert explain_a["numAllNodes"] == NODES and explain_a["outcome"] == "scheduled"
    # percentageOfNodesToScore at 1,000 nodes: max(5, 50 - 1000/125) = 42 %, so 420 feasible nodes are scored.
    assert explain_a["feasibleNodes"] == 420
    row = next(r for r in explain_a["nodes"] if r["name"] == explain_a["node"])
    assert row["total"] == max(r["total"] for r in explain_a["nodes"] if "total" in r)


def test_node_lifecycle_marks_each_silent_node_of_1000_at_its_own_deadline():
    world = build_world(normalize_spec({"nodes": []}))
    api = world.client()
    for i in range(NODES):
        api.create("nodes", _node(i))
        api.create(
            "leases",
            {
                "apiVersion": "coordination.k8s.io/v1",
                "kind": "Lease",
                "metadata": {"name": f"n{i:04d}", "namespace": "kube-node-lease"},
                "spec": {"holderIdentity": f"n{i:04d}", "leaseDurationSeconds": 40, "renewTime": rfc3339_micro(0)},
            },
            namespace="kube-node-lease",
        )
    ctx = Context(
        kernel=world.kernel,
        rng=world.rng,
        client=world.client(authenticated("system:kube-controller-manager", (SYSTEM_MASTERS,))),
        flags={},
        spec=world.spec,
    )
    nlc = NodeLifecycleController(ctx)
    nlc.start()
    # Every node renews its Lease every 10 s, except node n0007 (silent from t=0), n0500 (from t=20) and
    # n0999 (from t=30).
    silent_from = {"n0007": 0, "n0500": 20, "n0999": 30}
    unknown_at: dict[str, float] = {}
    for t in range(10, 130, 10):
        world.kernel.run_until(t)
        for i in range(NODES):
            name = f"n{i:04d}"
            if name in silent_from and t > silent_from[name]:
                continue
            lease = api.get("leases", name, namespace="kube-node-lease")
            lease["spec"]["renewTime"] = rfc3339_micro(t)
            api.update("leases", lease, namespace="kube-node-lease")
        for step in range(10):
            world.kernel.run_until(t + step + 1)
            for name in silent_from:
                ready = next(c for c in api.get("nodes", name)["status"]["conditions"] if c["type"] == "Ready")
                if ready["status"] == "Unknown" and name not in unknown_at:
                    unknown_at[name] = world.kernel.now
    # Monitor passes run every 5 s from t=0; a node is marked at the first pass past heartbeat + 40 s.
    assert unknown_at == {"n0007": 45.0, "n0500": 65.0, "n0999": 75.0}
    unknown = [
        n["metadata"]["name"]
        for n in api.list("nodes")["items"]
        if any(c["type"] == "Ready" and c["status"] != "True" for c in n["status"]["conditions"])
    ]
    assert sorted(unknown) == ["n0007", "n0500", "n0999"]
