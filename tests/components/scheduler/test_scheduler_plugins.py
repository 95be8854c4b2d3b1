"""The scheduler's plugins called directly: filters, scores, queue ordering and backoff, messages."""

from __future__ import annotations

from ktui.components.scheduler import filters, imagelocality, nodepreferences, noderesources, scores, scoretable
from ktui.components.scheduler.explain import fit_error_message, preemption_message
from ktui.components.scheduler.nodeinfo import NodeInfo
from ktui.components.scheduler.podinfo import PodInfo
from ktui.components.scheduler.queue import SchedulingQueue, node_event_hint, pod_delete_hint
from ktui.components.scheduler.resources import pod_requests
from ktui.components.scheduler.scheduler import num_feasible_nodes_to_find
from ktui.sim.kernel import Kernel
from ktui.sim.rng import SeededRandom

CP_TAINT = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}


def node(
    name: str,
    cpu: str = "2",
    memory: str = "4Gi",
    pods: str = "110",
    *,
    taints=None,
    labels=None,
    unschedulable: bool = False,
    images=None,
) -> dict:
    spec: dict = {}
    if taints:
        spec["taints"] = taints
    if unschedulable:
        spec["unschedulable"] = True
    alloc = {"cpu": cpu, "memory": memory, "pods": pods}
    status: dict = {"allocatable": alloc, "capacity": dict(alloc)}
    if images:
        status["images"] = images
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
        "spec": spec,
        "status": status,
    }


def pod(
    name: str = "p", *, requests=None, init=None, ports=None, node_name: str = "", priority: int = 0, **spec_extra
) -> dict:
    c: dict = {"name": "c", "image": "nginx"}
    if requests:
        c["resources"] = {"requests": requests}
    if ports:
        c["ports"] = ports
    spec: dict = {"containers": [c], **spec_extra}
    if init:
        spec["initContainers"] = init
    if node_name:
        spec["nodeName"] = node_name
    if priority:
        spec["priority"] = priority
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "uid": name},
        "spec": spec,
    }


def ni(n: dict, *pods: dict) -> NodeInfo:
    info = NodeInfo(n["metadata"]["name"])
    info.set_node(n)
    for p in pods:
        info.add_pod(PodInfo(p))
    return info


# ---------------------------------------------------------------- filters


def test_taint_message_uses_key_value_braces():
    r = filters.taint_toleration(PodInfo(pod()), ni(node("cp", taints=[CP_TAINT])))
    assert r == "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"
    assert r.unresolvable
    r = filters.taint_toleration(
        PodInfo(pod()), ni(node("n", taints=[{"key": "a", "value": "b", "effect": "NoExecute"}]))
    )
    assert r == "node(s) had untolerated taint {a: b}"


def test_taint_tolerated_and_prefer_no_schedule_ignored():
    tolerant = pod(
        tolerations=[{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}]
    )
    assert filters.taint_toleration(PodInfo(tolerant), ni(node("cp", taints=[CP_TAINT]))) is None
    soft = node("n", taints=[{"key": "x", "effect": "PreferNoSchedule"}])
    assert filters.taint_toleration(PodInfo(pod()), ni(soft)) is None
    wrong_value = pod(tolerations=[{"key": "a", "operator": "Equal", "value": "c", "effect": "NoSchedule"}])
    tainted = ni(node("n", taints=[{"key": "a", "value": "b", "effect": "NoSchedule"}]))
    assert filters.taint_toleration(PodInfo(wrong_value), tainted) is not None
    assert filters.taint_toleration(PodInfo(pod(tolerations=[{"operator": "Exists"}])), tainted) is None


def test_node_unschedulable_and_name():
    cordoned = ni(node("n", unschedulable=True))
    assert filters.node_unschedulable(PodInfo(pod()), cordoned) == "node(s) were unschedulable"
    tol = pod(tolerations=[{"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"}])
    assert filters.node_unschedulable(PodInfo(tol), cordoned) is None
    named = PodInfo(pod(node_name="other"))
    assert filters.node_name(named, ni(node("n"))) == "node(s) didn't match the requested node name"


def test_node_affinity_operators():
    n = ni(node("n", labels={"disk": "ssd", "zone": "a", "gen": "5"}))

    def affinity(*exprs):
        return pod(
            affinity={
                "nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {
                        "nodeSelectorTerms": [{"matchExpressions": list(exprs)}]
                    }
                }
            }
        )

    ok = [
        {"key": "disk", "operator": "In", "values": ["ssd", "nvme"]},
        {"key": "zone", "operator": "NotIn", "values": ["b"]},
        {"key": "zone", "operator": "Exists"},
        {"key": "gpu", "operator": "DoesNotExist"},
        {"key": "gen", "operator": "Gt", "values": ["4"]},
    ]
    for e in ok:
        assert filters.node_affinity(PodInfo(affinity(e)), n) is None, e
    bad = [
        {"key": "disk", "operator": "In", "values": ["hdd"]},
        {"key": "zone", "operator": "NotIn", "values": ["a"]},
        {"key": "gpu", "operator": "Exists"},
        {"key": "gen", "operator": "Lt", "values": ["5"]},
    ]
    for e in bad:
        assert filters.node_affinity(PodInfo(affinity(e)), n) == "node(s) didn't match Pod's node affinity/selector"
    assert filters.node_affinity(PodInfo(pod(nodeSelector={"disk": "ssd"})), n) is None
    assert filters.node_affinity(PodInfo(pod(nodeSelector={"disk": "hdd"})), n) is not None
    by_name = pod(
        affinity={
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n"]}]}
                    ]
                }
            }
        }
    )
    assert filters.node_affinity(PodInfo(by_name), n) is None


def test_resource_fit_with_init_containers_and_pod_count():
    p = pod(
        requests={"cpu": "1", "memory": "1Gi"},
        init=[{"name": "i1", "image": "busybox", "resources": {"requests": {"cpu": "2", "memory": "512Mi"}}}],
    )
    r = pod_requests(p)
    assert (r.milli_cpu, r.memory) == (2000, 1024**3)
    sidecar = pod(
        requests={"cpu": "1"},
        init=[
            {"name": "s", "image": "envoy", "restartPolicy": "Always", "resources": {"requests": {"cpu": "500m"}}},
            {"name": "i", "image": "busybox", "resources": {"requests": {"cpu": "1200m"}}},
        ],
    )
    assert pod_requests(sidecar).milli_cpu == 1700
    used = pod("used", requests={"cpu": "1500m"}, node_name="n")
    n = ni(node("n", cpu="2", memory="4Gi"), used)
    assert filters.node_resources_fit(PodInfo(pod(requests={"cpu": "500m"})), n) is None
    r = filters.node_resources_fit(PodInfo(pod(requests={"cpu": "600m", "memory": "5Gi"})), n)
    assert r.reasons == ("Insufficient cpu", "Insufficient memory")
    assert r.unresolvable  # 5Gi is more than the whole node
    assert not filters.node_resources_fit(PodInfo(pod(requests={"cpu": "600m"})), n).unresolvable
    full = ni(node("f", pods="1"), used)
    assert filters.node_resources_fit(PodInfo(pod()), full) == "Too many pods"


def test_node_ports():
    holder = pod("h", node_name="n", ports=[{"containerPort": 80, "hostPort": 8080}])
    n = ni(node("n"), holder)
    want = PodInfo(pod(ports=[{"containerPort": 80, "hostPort": 8080}]))
    assert filters.node_ports(want, n) == "node(s) didn't have free ports for the requested pod ports"
    udp = PodInfo(pod(ports=[{"containerPort": 80, "hostPort": 8080, "protocol": "UDP"}]))
    assert filters.node_ports(udp, n) is None
    n.remove_pod("default/h")
    assert filters.node_ports(want, n) is None


def test_run_filters_stops_at_first_plugin():
    n = ni(node("cp", cpu="100m", taints=[CP_TAINT]))
    assert filters.run_filters(PodInfo(pod(requests={"cpu": "1"})), n)[0] == "TaintToleration"


# ---------------------------------------------------------------- scores


def test_least_allocated_prefers_emptier_node_with_non_zero_defaults():
    busy = ni(node("busy", cpu="2", memory="4Gi"), pod("x", node_name="busy"), pod("y", node_name="busy"))
    idle = ni(node("idle", cpu="2", memory="4Gi"))
    p = PodInfo(pod())
    assert idle.non_zero_requested.milli_cpu == 0 and busy.non_zero_requested.milli_cpu == 200
    # (2000-100)*100/2000 = 95 cpu, (4096-200)*100/4096 = 95 memory
    assert noderesources.least_allocated(p, idle) == 95
    assert noderesources.least_allocated(p, busy) < 95
    ranked = scores.prioritize(p, [busy, idle], {}, 2)
    assert ranked[1]["total"] > ranked[0]["total"]
    assert scores.select_host(ranked, SeededRandom(0)) == "idle"


def test_balanced_allocation_and_best_effort_skip():
    n = ni(node("n", cpu="2", memory="4Gi"))
    assert noderesources.balanced_allocation(PodInfo(pod()), n) is None
    # cpu 1/2 = 0.5, memory 1Gi/4Gi = 0.25: std 0.125 -> 87
    assert noderesources.balanced_allocation(PodInfo(pod(requests={"cpu": "1", "memory": "1Gi"})), n) == 87
    ranked = scores.prioritize(PodInfo(pod()), [n], {}, 1)
    assert "NodeResourcesBalancedAllocation" not in ranked[0]["scores"]
    assert "NodeAffinity" not in ranked[0]["scores"]


def test_taint_toleration_and_affinity_scores_normalized():
    soft = ni(node("soft", taints=[{"key": "k", "effect": "PreferNoSchedule"}], labels={"disk": "ssd"}))
    plain = ni(node("plain"))
    p = PodInfo(
        pod(
            affinity={
                "nodeAffinity": {
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                        {
                            "weight": 10,
                            "preference": {"matchExpressions": [{"key": "disk", "operator": "In", "values": ["ssd"]}]},
                        }
                    ]
                }
            }
        )
    )
    ranked = scores.prioritize(p, [soft, plain], {}, 2)
    assert ranked[0]["scores"]["TaintToleration"] == 0 and ranked[1]["scores"]["TaintToleration"] == 100
    assert ranked[0]["scores"]["NodeAffinity"] == 100 and ranked[1]["scores"]["NodeAffinity"] == 0
    assert nodepreferences.default_normalize([0, 0], reverse=True) == [100, 100]
    assert nodepreferences.default_normalize([1, 4]) == [25, 100]


def test_image_locality():
    big = [{"names": ["docker.io/library/nginx:latest", "nginx:latest"], "sizeBytes": 500 * 1024 * 1024}]
    has = ni(node("has", images=big))
    lacks = ni(node("lacks"))
    p = PodInfo(pod())
    assert imagelocality.image_locality(p, lacks, {"nginx:latest": 1}, 2) == 0
    assert imagelocality.image_locality(p, has, {"nginx:latest": 1}, 2) > 0


def test_select_host_breaks_ties_deterministically():
    scored = [{"node": f"n{i}", "total": 10} for i in range(5)]
    picks = {scores.select_host(scored, SeededRandom(s)) for s in range(30)}
    assert len(picks) > 1
    assert scores.select_host(scored, SeededRandom(7)) == scores.select_host(scored, SeededRandom(7))


def test_percentage_of_nodes_to_score():
    assert num_feasible_nodes_to_find(99) == 99
    assert num_feasible_nodes_to_find(100) == 100
    assert num_feasible_nodes_to_find(1000) == 420  # 50 - 8 = 42 %
    assert num_feasible_nodes_to_find(5000) == 500  # 50 - 40 = 10 %
    assert num_feasible_nodes_to_find(6000) == 300  # floored at 5 %
    assert num_feasible_nodes_to_find(1500, 50) == 750


# ---------------------------------------------------------------- messages


def test_fit_error_and_preemption_messages():
    cp = ni(node("controlplane", taints=[CP_TAINT]))
    workers = [ni(node("node01", cpu="1")), ni(node("node02", cpu="1"))]
    p = PodInfo(pod(requests={"cpu": "900m"}))
    for w in workers:
        w.add_pod(PodInfo(pod(f"u-{w.name}", requests={"cpu": "500m"}, node_name=w.name)))
    statuses = {}
    for n in [cp, *workers]:
        statuses[n.name] = filters.run_filters(p, n)
    post, candidates = preemption_message(p, [cp, *workers], statuses)
    assert candidates == []
    assert fit_error_message(3, statuses, post) == (
        "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
        "2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, "
        "2 No preemption victims found for incoming pod."
    )
    important = PodInfo(pod(requests={"cpu": "900m"}, priority=1000))
    _, candidates = preemption_message(important, [cp, *workers], statuses)
    assert candidates == ["node01", "node02"]
    never = PodInfo(pod(preemptionPolicy="Never"))
    assert preemption_message(never, [cp], statuses)[0] == "not eligible due to preemptionPolicy=Never."


def test_reasons_sort_as_strings():
    statuses = {f"n{i}": ("NodeResourcesFit", filters.Rejection("Insufficient cpu")) for i in range(10)}
    statuses["x"] = ("NodeAffinity", filters.Rejection(filters.ERR_NODE_AFFINITY))
    statuses["y"] = ("NodeAffinity", filters.Rejection(filters.ERR_NODE_AFFINITY))
    assert fit_error_message(12, statuses) == (
        "0/12 nodes are available: 10 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector."
    )


# ---------------------------------------------------------------- queue


class _Wakes:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


def test_active_queue_orders_by_priority_then_arrival():
    k = Kernel()
    q = SchedulingQueue(k, _Wakes())
    q.add(pod("a"))
    k.advance(1)
    q.add(pod("b", priority=10))
    q.add(pod("c"))
    assert [q.pop().key for _ in range(3)] == ["default/b", "default/a", "default/c"]
    assert q.pop() is None


def test_backoff_doubles_to_cap_and_timeout():
    k = Kernel()
    q = SchedulingQueue(k, _Wakes(), pop_from_backoff=False)
    q.add(pod("a"))
    qp = q.pop()
    durations = []
    for _ in range(6):
        qp.unschedulable_count += 1
        durations.append(q.backoff_duration(qp))
    assert durations == [1, 2, 4, 8, 10, 10]
    qp.unschedulable_count = 0
    q.unschedulable(qp, ("NodeResourcesFit",))
    assert qp.where == "unschedulable"
    assert q.move(lambda _: True) == 1 and qp.where == "backoff"  # event within the 1s backoff
    assert q.pop() is None
    k.advance(1)
    assert qp.where == "active" and q.pop() is qp
    q.unschedulable(qp, ("NodeResourcesFit",))
    k.advance(299)
    assert qp.where == "unschedulable"
    k.advance(1)
    assert qp.where == "active"  # podMaxInUnschedulablePodsDuration


def test_pop_from_backoff_when_active_is_empty():
    k = Kernel()
    q = SchedulingQueue(k, _Wakes())
    q.add(pod("a"))
    qp = q.pop()
    q.unschedulable(qp, ("TaintToleration",))
    q.move(lambda _: True)
    assert qp.where == "backoff"
    assert q.pop() is qp


def test_gated_pod_waits_for_gates_removed():
    k = Kernel()
    q = SchedulingQueue(k, _Wakes())
    gated = pod("g", schedulingGates=[{"name": "example.com/wait"}])
    q.add(gated)
    assert q.pop() is None
    q.update(pod("g"))
    assert q.pop().key == "default/g"


def test_queueing_hints():
    p = PodInfo(pod(requests={"cpu": "1"}))
    tainted = node("n", taints=[CP_TAINT])
    assert not node_event_hint("TaintToleration", p, None, tainted)
    assert node_event_hint("TaintToleration", p, tainted, node("n"))
    assert not node_event_hint("NodeResourcesFit", p, None, node("n", cpu="500m"))
    assert node_event_hint("NodeResourcesFit", p, node("n", cpu="500m"), node("n", cpu="2"))
    assert not node_event_hint("NodeResourcesFit", p, node("n"), node("n", labels={"a": "b"}))
    assert node_event_hint("NodeUnschedulable", p, node("n", unschedulable=True), node("n"))
    porty = PodInfo(pod(ports=[{"containerPort": 1, "hostPort": 9}]))
    other = PodInfo(pod("o", node_name="n", ports=[{"containerPort": 1, "hostPort": 10}]))
    same = PodInfo(pod("s", node_name="n", ports=[{"containerPort": 1, "hostPort": 9}]))
    assert not pod_delete_hint("NodePorts", porty, other)
    assert pod_delete_hint("NodePorts", porty, same)
    assert pod_delete_hint("NodeResourcesFit", p, other)
    assert not pod_delete_hint("TaintToleration", p, other)


def test_plain_score_table_equals_plugin_by_plugin():
    """The one-pass table of a plain pod (no taints, no preferences, spread and affinity skipped) gives the
    same per-plugin scores, totals and rows as scoring plugin by plugin, across node shapes, loads and images."""
    rng = SeededRandom(7)
    img = [{"names": ["docker.io/library/nginx:latest", "nginx:latest"], "sizeBytes": 300 * 1024 * 1024}]
    img2 = [{"names": ["redis:7"], "sizeBytes": 90 * 1024 * 1024}]
    for trial in range(40):
        infos = []
        for i in range(rng.randint(1, 12)):
            cpu, mem = rng.choice(["1", "2", "4", "0"]), rng.choice(["1Gi", "4Gi", "0"])
            images = rng.choice([None, img, img2, img + img2])
            running = [
                pod(f"r{i}-{j}", node_name=f"n{i}", requests=rng.choice([None, {"cpu": "300m"}, {"memory": "1Gi"}]))
                for j in range(rng.randint(0, 3))
            ]
            infos.append(ni(node(f"n{i}", cpu=cpu, memory=mem, images=images), *running))
        image_nodes = {"nginx:latest": rng.randint(0, 3), "redis:7": rng.randint(0, 3)}
        image_nodes = {k: v for k, v in image_nodes.items() if v}
        requests = rng.choice([None, {"cpu": "100m"}, {"cpu": "1", "memory": "1Gi"}])
        containers = [{"name": "c", "image": "nginx", "resources": {"requests": requests} if requests else {}}]
        if trial % 3 == 0:
            containers.append({"name": "d", "image": "redis:7"})
        p = PodInfo({"metadata": {"name": "p", "namespace": "default"}, "spec": {"containers": containers}})
        fast = scores.score_table(p, infos, image_nodes, len(infos))
        full = scores._full_table(p, infos, image_nodes, len(infos), None, None, False)
        assert fast._per_plugin is None  # the one-pass table was taken
        assert fast.totals == full.totals
        assert fast.per_plugin == full.per_plugin
        assert fast.rows() == full.rows()


def test_plain_score_table_with_images_alike_everywhere_equals_plugin_by_plugin():
    """When every node reports the pod's images at one size (or none does), the table told apart by resource
    totals alone gives the same scores as plugin by plugin; a node with another size takes the per-node path."""
    rng = SeededRandom(11)
    img = [{"names": ["nginx:latest"], "sizeBytes": 300 * 1024 * 1024}]
    other = [{"names": ["nginx:latest"], "sizeBytes": 200 * 1024 * 1024}]
    for trial in range(30):
        count = rng.randint(1, 10)
        odd = rng.randint(0, count) if trial % 2 else count  # a node with another size, or none
        infos = []
        for i in range(count):
            running = [
                pod(f"r{i}-{j}", node_name=f"n{i}", requests=rng.choice([None, {"cpu": "300m"}, {"memory": "1Gi"}]))
                for j in range(rng.randint(0, 3))
            ]
            node_obj = node(f"n{i}", cpu=rng.choice(["1", "2"]), memory="4Gi", images=other if i == odd else img)
            infos.append(ni(node_obj, *running))
        sizes = {x.image_sizes.get("nginx:latest") for x in infos}
        image_nodes = {"nginx:latest": count}

        def uniform(name: str, sizes: set = sizes) -> bool:
            return name == "nginx:latest" and len(sizes) == 1

        requests = rng.choice([None, {"cpu": "100m"}, {"cpu": "1", "memory": "1Gi"}])
        containers = [{"name": "c", "image": "nginx", "resources": {"requests": requests} if requests else {}}]
        if trial % 3 == 0:
            containers.append({"name": "d", "image": "redis:7"})  # on no node
        p = PodInfo({"metadata": {"name": "p", "namespace": "default"}, "spec": {"containers": containers}})
        fast = scores.score_table(p, infos, image_nodes, count, uniform)
        full = scores._full_table(p, infos, image_nodes, count, None, None, False)
        assert fast.totals == full.totals
        assert fast.per_plugin == full.per_plugin
        assert fast.rows() == full.rows()
        assert full.per_plugin["ImageLocality"][0] > 0
        for seed in range(4):  # the same node chosen, with the same draws, as from the totals
            fresh = scores.score_table(p, infos, image_nodes, count, uniform)
            assert fresh.select(SeededRandom(seed)) == scoretable.select_index(full.totals, SeededRandom(seed))


def test_choosing_by_resource_class_equals_choosing_by_totals():
    """A table told apart by resource ids picks the node ``select_index`` picks from the totals, with the same
    draws: one top node, every node tied, one class tied, several classes with the same total."""
    rng = SeededRandom(5)
    kinds = set()
    for trial in range(200):
        classes = rng.randint(1, 4)
        total_of = {rid: rng.choice([300, 301, 302]) for rid in range(1, classes + 1)}
        rids = [rng.randint(1, classes) for _ in range(rng.randint(1, 9))]
        total_of = {rid: t for rid, t in total_of.items() if rid in rids}
        cell_of = {rid: (0, None) for rid in total_of}
        table = scoretable.ClassTable([f"n{i}" for i in range(len(rids))], rids, cell_of, total_of, 0, {})
        assert table.totals == [total_of[r] for r in rids]
        top = max(table.totals)
        count, tied = table.totals.count(top), sum(1 for t in total_of.values() if t == top)
        kinds.add(("one" if count == 1 else "all" if count == len(rids) else "some", tied > 1))
        for seed in range(3):
            assert table.select(SeededRandom(seed)) == scoretable.select_index(table.totals, SeededRandom(seed))
    assert kinds >= {("one", False), ("all", False), ("all", True), ("some", False), ("some", True)}
