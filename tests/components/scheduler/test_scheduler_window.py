"""The filter window's shortcut (every node fits a plain pod by its free room) chooses what filtering does."""

from __future__ import annotations

from ktui.api.auth.user import authenticated
from ktui.clusterspec import normalize_spec
from ktui.components.base import Context
from ktui.components.scheduler import Scheduler
from ktui.world import build_world

TAINT = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}


def _node(name: str, cpu: str, taints: list | None = None) -> dict:
    alloc = {"cpu": cpu, "memory": "4Gi", "pods": "110"}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
        "spec": {"taints": taints} if taints else {},
        "status": {
            "capacity": dict(alloc),
            "allocatable": alloc,
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
        },
    }


def _pod(name: str, cpu: str) -> dict:
    c = {"name": "c", "image": "nginx", "resources": {"requests": {"cpu": cpu}}}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"containers": [c]},
    }


def _run(shortcut: bool) -> tuple[dict, list, list, int]:
    """130 nodes (one tainted), pods filling some of them, a node shrunk, one cordoned, pods deleted, more
    pods: every placement, the explanations and the FailedScheduling messages; and how often the shortcut
    was taken."""
    world = build_world(normalize_spec({"nodes": []}))
    admin = world.client()
    admin.create("nodes", _node("controlplane", "2", [TAINT]))
    for i in range(1, 130):
        admin.create("nodes", _node(f"node{i:03d}", "1" if i % 3 else "2"))
    ctx = Context(
        kernel=world.kernel,
        rng=world.rng,
        client=world.client(authenticated("system:kube-scheduler")),
        flags={},
        spec=world.spec,
    )
    sched = Scheduler(ctx)
    taken = 0
    all_fit = sched.room.all_fit

    def counted(cpu: int, mem: int, eph: int, nodes: list, cycle: int) -> bool:
        nonlocal taken
        ok = shortcut and all_fit(cpu, mem, eph, nodes, cycle)
        taken += ok
        return ok

    sched.room.all_fit = counted  # type: ignore[method-assign]
    sched.start()
    world.kernel.settle()
    sizes = ["100m", "300m", "600m", "900m", "200m"]
    for i in range(160):
        admin.create("pods", _pod(f"a{i}", sizes[i % 5]), namespace="default")
        if i % 40 == 39:
            world.kernel.advance(1)
    world.kernel.advance(1)
    shrunk = admin.get("nodes", "node007")
    shrunk["status"]["allocatable"]["cpu"] = "100m"
    admin.update("nodes", shrunk, subresource="status")
    cordoned = admin.get("nodes", "node050")
    cordoned["spec"]["unschedulable"] = True
    admin.update("nodes", cordoned)
    for i in range(0, 160, 7):
        admin.delete("pods", f"a{i}", "default")
    world.kernel.advance(1)
    for i in range(120):
        admin.create("pods", _pod(f"b{i}", sizes[i % 5] if i < 100 else "1500m"), namespace="default")
    world.kernel.advance(2)
    pods = admin.list("pods", "default")["items"]
    placed = {p["metadata"]["name"]: p["spec"].get("nodeName", "") for p in pods}
    explained = [sched.explain("default", p["metadata"]["name"]) for p in pods[::9]]
    events = sorted(e["message"] for e in admin.list("events", "default")["items"] if e["reason"] == "FailedScheduling")
    return placed, explained, events, taken


def test_shortcut_places_explains_and_fails_as_filtering_every_node():
    fast = _run(True)
    slow = _run(False)
    assert fast[3] > 100 and slow[3] == 0  # the shortcut was taken, and only in the first run
    assert fast[0] == slow[0]
    assert fast[1] == slow[1]
    assert fast[2] == slow[2]
    placed = fast[0]
    assert "" in placed.values() and "controlplane" not in placed.values()
    assert sum(1 for p, n in placed.items() if n == "node050" and p.startswith("b")) == 0  # cordoned


def _state(sched: Scheduler) -> dict:
    """Each node's totals, pods in order, pods with affinity terms, and the topology counts of a matcher."""
    from ktui.components.scheduler.terms import Matcher, selector_of

    matcher = Matcher(((frozenset(["default"]), selector_of({"matchLabels": {"app": "web"}})),), True)
    counts = sched.topology.counts(matcher)
    out = {}
    for name, ni in sorted(sched.nodes.items()):
        r = ni.requested
        out[name] = (r.milli_cpu, r.memory, list(ni.pods), list(ni.pods_with_affinity), ni.room, counts.get(name, 0))
    return out


def test_status_and_label_updates_of_bound_pods_keep_the_cache_as_a_fresh_scheduler_builds_it():
    world = build_world(normalize_spec({"nodes": []}))
    admin = world.client()
    for i in range(3):
        admin.create("nodes", _node(f"n{i}", "2"))

    def scheduler() -> Scheduler:
        ctx = Context(
            kernel=world.kernel,
            rng=world.rng,
            client=world.client(authenticated("system:kube-scheduler")),
            flags={},
            spec=world.spec,
        )
        return Scheduler(ctx)

    first = scheduler()
    first.start()
    world.kernel.settle()
    anti = {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 1,
                    "podAffinityTerm": {
                        "labelSelector": {"matchLabels": {"app": "web"}},
                        "topologyKey": "kubernetes.io/hostname",
                    },
                }
            ]
        }
    }
    for i in range(6):
        pod = _pod(f"p{i}", "200m")
        pod["metadata"]["labels"] = {"app": "web" if i % 2 else "db"}
        if i % 3 == 0:
            pod["spec"]["affinity"] = anti
        admin.create("pods", pod, namespace="default")
    world.kernel.advance(1)
    first._state = _state(first)  # type: ignore[attr-defined]
    for i in range(6):
        p = admin.get("pods", f"p{i}", "default")
        p["status"] = {**(p.get("status") or {}), "phase": "Running", "podIP": f"10.0.0.{i}"}
        admin.update("pods", p, namespace="default", subresource="status")
        if i in (1, 2):
            p = admin.get("pods", f"p{i}", "default")
            p["metadata"]["labels"] = {"app": "db" if i == 1 else "web"}
            admin.update("pods", p, namespace="default")
    world.kernel.advance(1)
    later = scheduler()
    later.start()
    world.kernel.settle()
    assert _state(first) == _state(later)
    counts = [c[5] for c in _state(first).values()]
    assert sum(counts) == 3  # p2, p3 and p5 are labelled app=web now
