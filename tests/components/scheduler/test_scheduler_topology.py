"""PodTopologySpread and InterPodAffinity: filters, scores, system default spreading, the incremental index."""

from __future__ import annotations

import math

from ktui.api.auth.user import authenticated
from ktui.api.informer import InformerFactory
from ktui.clusterspec import normalize_spec
from ktui.components.base import Context
from ktui.components.controllers.deployment import DeploymentController
from ktui.components.controllers.replicaset import ReplicaSetController
from ktui.components.scheduler import Scheduler, cyclestate, filters, podtopologyspread, topology
from ktui.components.scheduler.nodeinfo import NodeInfo
from ktui.components.scheduler.podinfo import PodInfo
from ktui.components.scheduler.preemption import run_filters_with_nominated
from ktui.world import build_world

CP_TAINT = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}
TAINT = "1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"


def make_node(name: str, cpu: str = "4", memory: str = "8Gi", *, zone: str = "", taints=None) -> dict:
    alloc = {"cpu": cpu, "memory": memory, "pods": "110"}
    labels = {"kubernetes.io/hostname": name}
    if zone:
        labels[topology.LABEL_ZONE] = zone
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels},
        "spec": {"taints": taints} if taints else {},
        "status": {
            "capacity": dict(alloc),
            "allocatable": alloc,
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
        },
    }


def make_pod(name: str, labels: dict | None = None, ns: str = "default", **spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "labels": dict(labels or {})},
        "spec": {"containers": [{"name": "c", "image": "nginx"}], **spec},
    }


def anti(app: str, key: str = "kubernetes.io/hostname") -> dict:
    return {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": key}
            ]
        }
    }


def affinity(app: str, key: str = "kubernetes.io/hostname") -> dict:
    return {
        "podAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": key}
            ]
        }
    }


def spread(app: str, key: str = topology.LABEL_ZONE, skew: int = 1, when: str = "DoNotSchedule") -> list:
    return [
        {"maxSkew": skew, "topologyKey": key, "whenUnsatisfiable": when, "labelSelector": {"matchLabels": {"app": app}}}
    ]


def deployment(name: str, replicas: int, **pod_spec) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "app", "image": "nginx"}], **pod_spec},
            },
        },
    }


class Cluster:
    """A world with a tainted control plane, workers, the Deployment and ReplicaSet controllers and the
    scheduler (no kubelets: pods stay Pending once bound, which is all placement needs)."""

    def __init__(self, *workers: dict) -> None:
        self.world = build_world(normalize_spec({"nodes": []}))
        self.admin = self.world.client()
        self.admin.create("nodes", make_node("controlplane", taints=[CP_TAINT]))
        for n in workers or (make_node("node01"), make_node("node02")):
            self.admin.create("nodes", n)
        cm = Context(
            kernel=self.world.kernel,
            rng=self.world.rng,
            client=self.world.client(authenticated("system:kube-controller-manager", ("system:masters",))),
            flags={},
            spec=self.world.spec,
        )
        factory = InformerFactory(cm.client)
        self.controllers = [DeploymentController(cm, factory), ReplicaSetController(cm, factory)]
        factory.start()
        ctx = Context(
            kernel=self.world.kernel,
            rng=self.world.rng,
            client=self.world.client(authenticated("system:kube-scheduler")),
            flags={},
            spec=self.world.spec,
        )
        self.scheduler = Scheduler(ctx)
        self.scheduler.start()
        self.settle()

    def settle(self, seconds: float = 2) -> None:
        self.world.kernel.advance(seconds)

    def pods(self, app: str | None = None) -> list[dict]:
        items = self.admin.list("pods", "default")["items"]
        return sorted(
            (p for p in items if app is None or p["metadata"].get("labels", {}).get("app") == app),
            key=lambda p: p["metadata"]["name"],
        )

    def placement(self, app: str | None = None) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.pods(app):
            node = p["spec"].get("nodeName") or ""
            out[node] = out.get(node, 0) + 1
        return out

    def scale(self, name: str, replicas: int) -> None:
        d = self.admin.get("deployments", name, "default")
        d["spec"]["replicas"] = replicas
        self.admin.update("deployments", d, namespace="default")


def three_workers(**zones: str) -> list[dict]:
    return [make_node(n, zone=zones.get(n, "")) for n in ("node01", "node02", "node03")]


# ---------------------------------------------------------------- InterPodAffinity


ANTI_FIT_ERROR = (
    f"0/4 nodes are available: {TAINT}, 3 node(s) didn't match pod anti-affinity rules. "
    "preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, "
    "3 No preemption victims found for incoming pod."
)


def test_required_anti_affinity_spreads_replicas_and_the_fourth_stays_pending():
    c = Cluster(*three_workers())
    c.admin.create("deployments", deployment("web", 3, affinity=anti("web")), namespace="default")
    c.settle()
    assert c.placement("web") == {"node01": 1, "node02": 1, "node03": 1}
    c.scale("web", 4)
    c.settle()
    pending = [p for p in c.pods("web") if not p["spec"].get("nodeName")]
    assert len(pending) == 1
    cond = next(x for x in pending[0]["status"]["conditions"] if x["type"] == "PodScheduled")
    assert (cond["status"], cond["reason"], cond["message"]) == ("False", "Unschedulable", ANTI_FIT_ERROR)
    events = [e for e in c.admin.list("events", "default")["items"] if e["reason"] == "FailedScheduling"]
    assert events and events[-1]["message"] == ANTI_FIT_ERROR
    report = c.scheduler.explain("default", pending[0]["metadata"]["name"])
    assert {r["plugin"] for r in report["nodes"] if r["name"] != "controlplane"} == {"InterPodAffinity"}
    # A fourth worker is an event the plugin cares about: the pod is retried and lands there.
    c.admin.create("nodes", make_node("node04"))
    c.settle(15)
    assert c.placement("web") == {"node01": 1, "node02": 1, "node03": 1, "node04": 1}


def test_existing_pods_anti_affinity_and_deletion_requeues():
    c = Cluster(make_node("node01"))
    c.admin.create("pods", make_pod("guard", {"app": "guard"}, affinity=anti("web")), namespace="default")
    c.settle()
    assert c.admin.get("pods", "guard", "default")["spec"]["nodeName"] == "node01"
    c.admin.create("pods", make_pod("web", {"app": "web"}), namespace="default")
    c.settle()
    pod = c.admin.get("pods", "web", "default")
    assert not pod["spec"].get("nodeName")
    cond = next(x for x in pod["status"]["conditions"] if x["type"] == "PodScheduled")
    assert cond["message"] == (
        "0/2 nodes are available: 1 node(s) didn't satisfy existing pods anti-affinity rules, "
        "1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. "
        "preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, "
        "1 Preemption is not helpful for scheduling."
    )
    c.admin.delete("pods", "guard", "default", grace_period_seconds=0)  # no kubelet to finish a graceful one
    c.settle(15)
    assert c.admin.get("pods", "web", "default")["spec"]["nodeName"] == "node01"


def test_required_pod_affinity_co_locates_and_waits_for_its_target():
    c = Cluster(*three_workers())
    c.admin.create("pods", make_pod("front-0", {"app": "front"}, affinity=affinity("db")), namespace="default")
    c.settle()
    pod = c.admin.get("pods", "front-0", "default")
    assert not pod["spec"].get("nodeName")
    cond = next(x for x in pod["status"]["conditions"] if x["type"] == "PodScheduled")
    assert cond["message"] == (
        f"0/4 nodes are available: {TAINT}, 3 node(s) didn't match pod affinity rules. "
        "preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling."
    )
    c.admin.create("pods", make_pod("db", {"app": "db"}, nodeName="node02"), namespace="default")
    for i in range(1, 4):
        c.admin.create("pods", make_pod(f"front-{i}", {"app": "front"}, affinity=affinity("db")), namespace="default")
    c.settle(15)
    assert c.placement("front") == {"node02": 4}


def test_self_affinity_lets_the_first_pod_of_a_group_schedule():
    c = Cluster(*three_workers())
    c.admin.create("deployments", deployment("cache", 3, affinity=affinity("cache")), namespace="default")
    c.settle(5)
    placement = c.placement("cache")
    assert len(placement) == 1 and "" not in placement and sum(placement.values()) == 3


def test_preferred_anti_affinity_scores():
    c = Cluster()
    c.admin.create("pods", make_pod("a", {"app": "a"}, nodeName="node01"), namespace="default")
    c.settle()
    pref = {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 100,
                    "podAffinityTerm": {
                        "labelSelector": {"matchLabels": {"app": "a"}},
                        "topologyKey": "kubernetes.io/hostname",
                    },
                }
            ]
        }
    }
    c.admin.create("pods", make_pod("b", {"app": "b"}, affinity=pref), namespace="default")
    c.settle()
    assert c.admin.get("pods", "b", "default")["spec"]["nodeName"] == "node02"
    rows = {r["name"]: r for r in c.scheduler.explain("default", "b")["nodes"]}
    assert rows["node01"]["scores"]["InterPodAffinity"] == 0
    assert rows["node02"]["scores"]["InterPodAffinity"] == 100


# ---------------------------------------------------------------- PodTopologySpread


def test_do_not_schedule_spread_with_max_skew_one_over_zones():
    c = Cluster(*three_workers(node01="zone-a", node02="zone-a", node03="zone-b"))
    c.admin.create("deployments", deployment("web", 4, topologySpreadConstraints=spread("web")), namespace="default")
    c.settle(5)
    placement = c.placement("web")
    assert "" not in placement
    assert placement.get("node01", 0) + placement.get("node02", 0) == 2
    assert placement.get("node03", 0) == 2


def test_do_not_schedule_spread_rejects_the_crowded_zone():
    c = Cluster(*three_workers(node01="zone-a", node02="zone-a", node03="zone-b"))
    for i, node in enumerate(("node01", "node02")):
        c.admin.create("pods", make_pod(f"w{i}", {"app": "web"}, nodeName=node), namespace="default")
    c.settle()
    c.admin.create(
        "pods", make_pod("next", {"app": "web"}, topologySpreadConstraints=spread("web")), namespace="default"
    )
    c.settle()
    assert c.admin.get("pods", "next", "default")["spec"]["nodeName"] == "node03"
    rows = {r["name"]: r for r in c.scheduler.explain("default", "next")["nodes"]}
    for name in ("node01", "node02"):
        assert (rows[name]["plugin"], rows[name]["reason"]) == (
            "PodTopologySpread",
            "node(s) didn't match pod topology spread constraints",
        )


def test_spread_missing_topology_label_is_unresolvable():
    c = Cluster()
    c.admin.create(
        "pods", make_pod("p", {"app": "p"}, topologySpreadConstraints=spread("p", key="rack")), namespace="default"
    )
    c.settle()
    pod = c.admin.get("pods", "p", "default")
    cond = next(x for x in pod["status"]["conditions"] if x["type"] == "PodScheduled")
    assert cond["message"] == (
        f"0/3 nodes are available: {TAINT}, "
        "2 node(s) didn't match pod topology spread constraints (missing required label). "
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    )


def test_default_spreading_places_a_deployment_evenly_over_the_two_workers():
    # node01 is the bigger node: LeastAllocated alone would prefer it for every replica.
    c = Cluster(make_node("node01", cpu="16", memory="64Gi"), make_node("node02", cpu="4", memory="8Gi"))
    c.admin.create("deployments", deployment("web", 6), namespace="default")
    c.settle(5)
    assert c.placement("web") == {"node01": 3, "node02": 3}
    last = c.pods("web")[-1]["metadata"]["name"]
    rows = [r for r in c.scheduler.explain("default", last)["nodes"] if r.get("scores")]
    assert rows and all("PodTopologySpread" in r["scores"] for r in rows)
    assert all("InterPodAffinity" not in r["scores"] for r in rows)  # no terms anywhere: skipped


def test_bare_pods_get_no_default_spreading_score():
    c = Cluster()
    c.admin.create("pods", make_pod("solo", {"app": "solo"}), namespace="default")
    c.settle()
    rows = [r for r in c.scheduler.explain("default", "solo")["nodes"] if r.get("scores")]
    assert rows and all("PodTopologySpread" not in r["scores"] for r in rows)


def test_default_spreading_uses_service_selectors():
    c = Cluster()
    c.admin.create(
        "services",
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "s"},
            "spec": {"selector": {"app": "svc"}, "ports": [{"port": 80}]},
        },
        namespace="default",
    )
    c.settle()
    for i in range(4):
        c.admin.create("pods", make_pod(f"s{i}", {"app": "svc"}), namespace="default")
        c.settle()
    assert c.placement("svc") == {"node01": 2, "node02": 2}


# ---------------------------------------------------------------- the plugins called directly


def _index(*nodes: NodeInfo) -> topology.TopologyIndex:
    infos = {n.name: n for n in nodes}
    idx = topology.TopologyIndex(infos, sorted(infos))
    return idx


def _ni(node: dict, *pods: dict) -> NodeInfo:
    info = NodeInfo(node["metadata"]["name"])
    info.set_node(node)
    for p in pods:
        info.add_pod(PodInfo(p))
    return info


def test_spread_score_formula_and_normalization():
    n1 = _ni(make_node("n1"), make_pod("a", {"app": "web"}))
    n2 = _ni(make_node("n2"))
    idx = _index(n1, n2)
    pod = PodInfo(
        make_pod(
            "x",
            {"app": "web"},
            topologySpreadConstraints=spread("web", key="kubernetes.io/hostname", skew=1, when="ScheduleAnyway"),
        )
    )
    cyclestate.prefilter(pod, idx)
    # raw: n1 = round(1 * ln(4) + 0) = 1, n2 = 0; normalized 100 * (max + min - s) / max
    assert round(1 * math.log(4)) == 1
    assert podtopologyspread.pod_topology_spread_score(pod, [n1, n2]) == [0, 100]


def test_index_counts_are_incremental():
    n1 = _ni(make_node("n1"))
    idx = _index(n1)
    pod = PodInfo(make_pod("x", {"app": "web"}, topologySpreadConstraints=spread("web", key="kubernetes.io/hostname")))
    m = podtopologyspread._constraints(pod, "DoNotSchedule")[0].matcher
    assert idx.counts(m) == {}
    p = PodInfo(make_pod("a", {"app": "web"}))
    n1.add_pod(p)
    idx.pod_added("n1", p)
    assert idx.counts(m) == {"n1": 1}
    terminating = make_pod("a", {"app": "web"})
    terminating["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    idx.pod_removed("n1", p)
    idx.pod_added("n1", PodInfo(terminating))
    assert idx.counts(m) == {}  # terminating pods do not count for spreading


def test_anti_affinity_filter_sees_preemption_removing_the_matching_pod():
    victim = make_pod("v", {"app": "web"})
    n1 = _ni(make_node("n1"), victim)
    idx = _index(n1)
    idx.pod_added("n1", n1.pods["default/v"])
    pod = PodInfo(make_pod("x", {"app": "web"}, affinity=anti("web")))
    cyclestate.prefilter(pod, idx)
    assert filters.run_filters(pod, n1) == ("InterPodAffinity", "node(s) didn't match pod anti-affinity rules")
    scratch = NodeInfo("n1")
    scratch.set_node(n1.node)
    assert run_filters_with_nominated(pod, scratch) is None  # without the victim the node fits
    assert filters.run_filters(pod, n1)[1].unresolvable is False  # preemption may help


def test_filters_pass_without_prefilter_state():
    pod = PodInfo(make_pod("x", {"app": "web"}, affinity=anti("web"), topologySpreadConstraints=spread("web")))
    assert filters.run_filters(pod, _ni(make_node("n1"), make_pod("a", {"app": "web"}))) is None
