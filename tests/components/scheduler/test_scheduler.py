"""The scheduler end to end in a world: binding, events, conditions, retries, backoff and explain."""

from __future__ import annotations

import pytest

from ktui.api.auth.user import authenticated
from ktui.clusterspec import normalize_spec
from ktui.components.base import Context
from ktui.components.scheduler import Scheduler
from ktui.world import build_world

CP_TAINT = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}
FIT_MESSAGE = (
    "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
    "2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, "
    "2 No preemption victims found for incoming pod."
)


def make_node(name: str, cpu: str = "2", memory: str = "4Gi", *, taints=None, unschedulable: bool = False) -> dict:
    alloc = {"cpu": cpu, "memory": memory, "pods": "110"}
    spec: dict = {}
    if taints:
        spec["taints"] = taints
    if unschedulable:
        spec["unschedulable"] = True
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
        "spec": spec,
        "status": {
            "capacity": dict(alloc),
            "allocatable": alloc,
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
        },
    }


def make_pod(name: str, cpu: str | None = None, **spec_extra) -> dict:
    c: dict = {"name": name, "image": "nginx"}
    if cpu:
        c["resources"] = {"requests": {"cpu": cpu}}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"containers": [c], **spec_extra},
    }


class Sim:
    """A world with nodes and a running scheduler."""

    def __init__(self, flags: dict | None = None, workers: int = 2, worker_cpu: str = "2") -> None:
        self.world = build_world(normalize_spec({"nodes": []}))
        self.admin = self.world.client()
        self.admin.create("nodes", make_node("controlplane", taints=[CP_TAINT]))
        for i in range(1, workers + 1):
            self.admin.create("nodes", make_node(f"node0{i}", cpu=worker_cpu))
        ctx = Context(
            kernel=self.world.kernel,
            rng=self.world.rng,
            client=self.world.client(authenticated("system:kube-scheduler")),
            flags=flags or {},
            spec=self.world.spec,
        )
        self.scheduler = Scheduler(ctx)
        self.scheduler.start()
        self.world.kernel.settle()

    def advance(self, seconds: float) -> None:
        self.world.kernel.advance(seconds)

    def pod(self, name: str) -> dict:
        return self.admin.get("pods", name, "default")

    def events(self, reason: str | None = None) -> list[dict]:
        items = self.admin.list("events", "default")["items"]
        return [e for e in items if reason is None or e["reason"] == reason]


@pytest.fixture
def sim() -> Sim:
    return Sim()


def test_binds_and_records_scheduled_event_at_simulated_time(sim):
    sim.advance(5)
    sim.admin.create("pods", make_pod("nginx"), namespace="default")
    sim.advance(1)
    p = sim.pod("nginx")
    assert p["spec"]["nodeName"] in ("node01", "node02")
    (ev,) = sim.events("Scheduled")
    assert ev["type"] == "Normal"
    assert ev["message"] == f"Successfully assigned default/nginx to {p['spec']['nodeName']}"
    assert ev["source"]["component"] == "default-scheduler"
    assert ev["firstTimestamp"] == "2026-01-01T00:00:05Z"
    assert ev["involvedObject"]["name"] == "nginx"


def test_spreads_pods_over_equal_nodes(sim):
    for i in range(4):
        sim.admin.create("pods", make_pod(f"p{i}"), namespace="default")
    sim.advance(1)
    nodes = sorted(sim.pod(f"p{i}")["spec"]["nodeName"] for i in range(4))
    assert nodes == ["node01", "node01", "node02", "node02"]


def test_unschedulable_message_condition_and_explain(sim):
    sim.admin.create("pods", make_pod("big", cpu="1500m"), namespace="default")
    sim.admin.create("pods", make_pod("big2", cpu="1500m"), namespace="default")
    sim.admin.create("pods", make_pod("big3", cpu="1500m"), namespace="default")
    sim.advance(1)
    pending = [n for n in ("big", "big2", "big3") if not sim.pod(n)["spec"].get("nodeName")]
    assert pending == ["big3"]
    (ev,) = sim.events("FailedScheduling")
    assert ev["type"] == "Warning" and ev["message"] == FIT_MESSAGE
    assert ev["source"]["component"] == "default-scheduler"
    cond = next(c for c in sim.pod("big3")["status"]["conditions"] if c["type"] == "PodScheduled")
    assert (cond["status"], cond["reason"], cond["message"]) == ("False", "Unschedulable", FIT_MESSAGE)
    why = sim.scheduler.explain("default", "big3")
    assert why["outcome"] == "unschedulable" and why["message"] == FIT_MESSAGE
    verdicts = {n["name"]: (n["filter"], n.get("plugin")) for n in why["nodes"]}
    assert verdicts == {
        "controlplane": ("failed", "TaintToleration"),
        "node01": ("failed", "NodeResourcesFit"),
        "node02": ("failed", "NodeResourcesFit"),
    }
    assert why["queue"] == "unschedulable"


def test_explain_scores_for_scheduled_pod(sim):
    sim.admin.create("pods", make_pod("web", cpu="100m"), namespace="default")
    sim.advance(1)
    why = sim.scheduler.explain("default", "web")
    assert why["outcome"] == "scheduled" and why["node"] == sim.pod("web")["spec"]["nodeName"]
    passed = [n for n in why["nodes"] if n["filter"] == "passed"]
    assert {n["name"] for n in passed} == {"node01", "node02"}
    for n in passed:
        assert set(n["scores"]) >= {"TaintToleration", "NodeResourcesFit", "NodeResourcesBalancedAllocation"}
        assert all(0 <= s <= 100 for s in n["scores"].values())
    assert sim.scheduler.explain("default", "nope")["outcome"] == "not-attempted"


def test_retried_when_a_node_is_added(sim):
    sim.admin.create("pods", make_pod("huge", cpu="3"), namespace="default")
    sim.advance(30)
    assert not sim.pod("huge")["spec"].get("nodeName")
    sim.admin.create("nodes", make_node("node03", cpu="4"))
    sim.advance(0)
    assert sim.pod("huge")["spec"]["nodeName"] == "node03"
    (ev,) = sim.events("Scheduled")
    assert ev["firstTimestamp"] == "2026-01-01T00:00:30Z"


def test_retried_when_a_pod_is_deleted(sim):
    for name in ("a", "b", "c"):
        sim.admin.create("pods", make_pod(name, cpu="1500m"), namespace="default")
    sim.advance(1)
    assert not sim.pod("c")["spec"].get("nodeName")
    sim.advance(10)
    sim.admin.delete("pods", "a", "default", grace_period_seconds=0)
    sim.advance(1)
    assert sim.pod("c")["spec"].get("nodeName")


def test_retried_when_node_uncordoned():
    sim = Sim(workers=0)
    sim.admin.create("nodes", make_node("node01", unschedulable=True))
    sim.admin.create("pods", make_pod("p"), namespace="default")
    sim.advance(2)
    (ev,) = sim.events("FailedScheduling")
    assert ev["message"].startswith(
        "0/2 nodes are available: 1 node(s) had untolerated taint "
        "{node-role.kubernetes.io/control-plane: }, 1 node(s) were unschedulable."
    )
    node = sim.admin.get("nodes", "node01")
    node["spec"]["unschedulable"] = False
    sim.admin.update("nodes", node)
    sim.advance(1)
    assert sim.pod("p")["spec"]["nodeName"] == "node01"


def test_unrelated_node_update_does_not_retry(sim):
    sim.admin.create("pods", make_pod("huge", cpu="3"), namespace="default")
    sim.advance(1)
    attempts = sim.scheduler.explain("default", "huge")["attempt"]
    node = sim.admin.get("nodes", "node01")
    node["metadata"]["labels"]["team"] = "a"
    sim.admin.update("nodes", node)
    sim.advance(1)
    assert sim.scheduler.explain("default", "huge")["attempt"] == attempts


def test_retried_after_unschedulable_timeout(sim):
    sim.admin.create("pods", make_pod("huge", cpu="3"), namespace="default")
    sim.advance(299)
    assert sum(e["count"] for e in sim.events("FailedScheduling")) == 1
    sim.advance(1)
    evs = sim.events("FailedScheduling")
    assert sum(e["count"] for e in evs) == 2
    assert max(e["lastTimestamp"] for e in evs) == "2026-01-01T00:05:00Z"


def test_repeated_failures_aggregate_into_one_event(sim):
    sim.admin.create("pods", make_pod("huge", cpu="3"), namespace="default")
    sim.advance(301)
    (ev,) = sim.events("FailedScheduling")
    assert ev["count"] == 2
    assert ev["firstTimestamp"] == "2026-01-01T00:00:00Z"
    assert ev["lastTimestamp"] == "2026-01-01T00:05:00Z"


def test_backoff_delays_retry_when_pop_from_backoff_disabled():
    sim = Sim(flags={"feature-gates": "SchedulerPopFromBackoffQ=false"})
    sim.admin.create("pods", make_pod("huge", cpu="3"), namespace="default")
    sim.advance(0.5)
    sim.admin.create("nodes", make_node("node03", cpu="4"))
    sim.advance(0.25)
    assert not sim.pod("huge")["spec"].get("nodeName")
    assert sim.scheduler.explain("default", "huge")["queue"] == "backoff"
    sim.advance(0.25)
    assert sim.pod("huge")["spec"]["nodeName"] == "node03"
    assert sim.scheduler.explain("default", "huge")["time"] == 1.0


def test_idle_scheduler_pops_from_backoff_immediately():
    sim = Sim()
    sim.admin.create("pods", make_pod("huge", cpu="3"), namespace="default")
    sim.advance(0.5)
    sim.admin.create("nodes", make_node("node03", cpu="4"))
    sim.advance(0)
    assert sim.pod("huge")["spec"]["nodeName"] == "node03"
    assert sim.scheduler.explain("default", "huge")["time"] == 0.5


def test_other_schedulers_pods_are_left_alone(sim):
    sim.admin.create("pods", make_pod("mine", schedulerName="my-scheduler"), namespace="default")
    sim.advance(1)
    assert not sim.pod("mine")["spec"].get("nodeName")
    assert sim.events() == []


def test_same_seed_same_placements():
    def run() -> list[str]:
        s = Sim(workers=3)
        for i in range(9):
            s.admin.create("pods", make_pod(f"p{i}"), namespace="default")
        s.advance(1)
        return [s.pod(f"p{i}")["spec"]["nodeName"] for i in range(9)]

    assert run() == run()
