"""DefaultPreemption: victims, the pick among candidate nodes, and the whole flow end to end in a Cluster."""

from __future__ import annotations

import json

import pytest

from ktui import Cluster
from ktui.components.scheduler import filters
from ktui.components.scheduler.explain import postfilter_message
from ktui.components.scheduler.nodeinfo import NodeInfo
from ktui.components.scheduler.podinfo import PodInfo
from ktui.components.scheduler.preemption import (
    Candidate,
    filter_pods_with_pdb_violation,
    pick_one_node,
    preempt,
    run_filters_with_nominated,
    select_victims_on_node,
)
from ktui.sim.timefmt import rfc3339

CP_TAINT_MSG = "1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"
DISRUPTION_MESSAGE = "default-scheduler: preempting to accommodate a higher priority pod"


# ---------------------------------------------------------------- pure decisions


def _node(name: str, cpu: str = "2") -> NodeInfo:
    ni = NodeInfo(name)
    ni.set_node(
        {
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
            "spec": {},
            "status": {"allocatable": {"cpu": cpu, "memory": "4Gi", "pods": "110"}},
        }
    )
    return ni


def _pod(
    name: str,
    cpu: str,
    priority: int = 0,
    *,
    node: str = "",
    started: float | None = None,
    labels: dict | None = None,
    **spec_extra,
) -> PodInfo:
    spec: dict = {
        "containers": [{"name": "c", "image": "busybox", "resources": {"requests": {"cpu": cpu}}}],
        "priority": priority,
        **spec_extra,
    }
    if node:
        spec["nodeName"] = node
    md: dict = {"name": name, "namespace": "default", "uid": f"uid-{name}"}
    if labels:
        md["labels"] = labels
    status = {"startTime": rfc3339(started)} if started is not None else {}
    return PodInfo({"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": spec, "status": status})


def _place(ni: NodeInfo, *pods: PodInfo) -> NodeInfo:
    for p in pods:
        ni.add_pod(p)
    return ni


def test_reprieve_keeps_the_most_important_pods_that_still_fit():
    ni = _place(
        _node("n1"),
        _pod("sys", "200m", 2000, node="n1"),
        _pod("a", "600m", 10, node="n1", started=1),
        _pod("b", "600m", 10, node="n1", started=5),
        _pod("c", "600m", 5, node="n1", started=0),
    )
    high = _pod("high", "700m", 100)
    victims, violations, status = select_victims_on_node(high, ni, [], now=100)
    assert status is None and violations == 0
    # Removing all three leaves 1800m free; adding back "a" (priority 10, oldest) leaves 1200m: reprieved;
    # "b" would leave 600m < 700m: victim; so would "c" (priority 5, tried last although it started first).
    assert [v.key for v in victims] == ["default/b", "default/c"]
    # The node is untouched.
    assert len(ni.pods) == 4 and ni.requested.milli_cpu == 2000


def test_no_victims_without_lower_priority_pods_and_equal_priority_is_not_lower():
    ni = _place(_node("n1"), _pod("same", "1500m", 100, node="n1"))
    victims, _, status = select_victims_on_node(_pod("p", "1", 100), ni, [], now=0)
    assert victims == [] and str(status[1]) == "No preemption victims found for incoming pod"


def test_pdb_violations_are_counted_and_reprieved_first():
    pdb = {
        "metadata": {"name": "pdb", "namespace": "default"},
        "spec": {"selector": {"matchLabels": {"app": "db"}}},
        "status": {"disruptionsAllowed": 1},
    }
    db1 = _pod("db1", "900m", 0, node="n1", started=1, labels={"app": "db"})
    db2 = _pod("db2", "900m", 0, node="n1", started=2, labels={"app": "db"})
    violating, ok = filter_pods_with_pdb_violation([db1, db2], [pdb])
    assert [p.key for p in violating] == ["default/db2"] and [p.key for p in ok] == ["default/db1"]
    empty = {**pdb, "spec": {"selector": {}}}  # an empty PDB selector matches nothing
    assert filter_pods_with_pdb_violation([db1, db2], [empty]) == ([], [db1, db2])
    ni = _place(_node("n1"), db1, db2)
    victims, violations, _ = select_victims_on_node(_pod("high", "1", 100), ni, [pdb], now=10)
    # db2 (PDB-violating) is tried first and reprieved; db1 must go, within the budget.
    assert [v.key for v in victims] == ["default/db1"] and violations == 0


def test_not_eligible_while_a_victim_terminates_on_the_nominated_node():
    victim = _pod("v", "1500m", 0, node="n1")
    victim.pod["metadata"]["deletionTimestamp"] = rfc3339(5)
    victim.pod["status"]["conditions"] = [
        {"type": "DisruptionTarget", "status": "True", "reason": "PreemptionByScheduler", "message": DISRUPTION_MESSAGE}
    ]
    ni = _place(_node("n1"), victim)
    high = _pod("high", "1", 100)
    high.pod["status"]["nominatedNodeName"] = "n1"
    statuses = {"n1": filters.run_filters(high, ni)}
    out = preempt(high, [ni], statuses, [], 10)
    assert not out.eligible and postfilter_message(out, 1) == (
        "preemption: not eligible due to a terminating pod on the nominated node."
    )
    # A pod deleted for another reason does not hold the preemptor back: it may preempt it (again) at once.
    victim.pod["status"]["conditions"] = []
    assert preempt(high, [ni], statuses, [], 10).chosen.node == "n1"


def test_pick_one_node_criteria_in_order():
    def c(node, *victims, pdb=0):
        return Candidate(node, list(victims), pdb)

    lo = _pod("lo", "1", 1, started=10)
    mid = _pod("mid", "1", 5, started=10)
    assert pick_one_node([c("a", lo, pdb=1), c("b", mid)], 100).node == "b"  # fewest PDB violations
    assert pick_one_node([c("a", mid), c("b", lo)], 100).node == "b"  # lowest highest-victim priority
    assert pick_one_node([c("a", mid, mid), c("b", mid, lo)], 100).node == "b"  # smallest priority sum
    assert pick_one_node([c("a", lo, lo), c("b", lo)], 100).node == "b"  # fewest victims
    old, new = _pod("old", "1", 1, started=5), _pod("new", "1", 1, started=50)
    assert pick_one_node([c("a", old), c("b", new)], 100).node == "b"  # latest start time
    assert pick_one_node([c("b", lo), c("a", lo)], 100).node == "a"  # then the first by name


def test_nominated_pods_of_equal_or_higher_priority_count_on_their_node():
    ni = _place(_node("n1"), _pod("run", "1", 0, node="n1"))
    nominated = [_pod("nom", "800m", 50)]
    assert run_filters_with_nominated(_pod("low", "500m", 10), ni, nominated) is not None
    assert run_filters_with_nominated(_pod("hi", "500m", 100), ni, nominated) is None
    assert run_filters_with_nominated(_pod("nom", "800m", 50), ni, nominated) is None  # not itself


def test_postfilter_messages():
    cp = _node("controlplane")
    cp.taints = [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]
    n1 = _place(_node("node01"), _pod("x", "1500m", 0, node="node01"))
    pod = _pod("p", "1", 0)
    statuses = {n.name: filters.run_filters(pod, n) for n in (cp, n1)}
    out = preempt(pod, [cp, n1], statuses, [], 0)
    assert postfilter_message(out, 2) == (
        "preemption: 0/2 nodes are available: 1 No preemption victims found for "
        "incoming pod, 1 Preemption is not helpful for scheduling."
    )
    high = _pod("h", "1", 10)
    out = preempt(high, [cp, n1], statuses, [], 0)
    assert out.chosen.node == "node01" and postfilter_message(out, 2) == ""
    never = _pod("n", "1", 10, preemptionPolicy="Never")
    assert postfilter_message(preempt(never, [cp, n1], statuses, [], 0), 2) == (
        "preemption: not eligible due to preemptionPolicy=Never."
    )


# ---------------------------------------------------------------- end to end


def _low(name: str, cpu: str = "900m") -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": {"app": "low"}},
        "spec": {
            "containers": [
                {"name": "c", "image": "busybox", "command": ["sleep", "3600"], "resources": {"requests": {"cpu": cpu}}}
            ]
        },
    }


def _preemptor(name: str, priority_class: str | None = "high", cpu: str = "1") -> dict:
    pod = _low(name, cpu)
    pod["metadata"]["labels"] = {"app": name}
    if priority_class:
        pod["spec"]["priorityClassName"] = priority_class
    return pod


class World:
    """A default cluster with PriorityClasses and both workers nearly full of priority-0 pods."""

    def __init__(self, *, pdb_on: str = "") -> None:
        self.c = Cluster.default(seed=0)
        self.c.advance(30)
        self.api = self.c.client()
        self.api.create(
            "priorityclasses",
            {
                "apiVersion": "scheduling.k8s.io/v1",
                "kind": "PriorityClass",
                "metadata": {"name": "high"},
                "value": 1000,
            },
        )
        self.api.create(
            "priorityclasses",
            {
                "apiVersion": "scheduling.k8s.io/v1",
                "kind": "PriorityClass",
                "metadata": {"name": "high-never"},
                "value": 1000,
                "preemptionPolicy": "Never",
            },
        )
        for i in range(4):
            self.api.create("pods", _low(f"low-{i}"), namespace="default")
        self.c.advance(20)
        self.by_node: dict[str, list[str]] = {}
        for p in self.pods():
            assert p["status"]["phase"] == "Running"
            self.by_node.setdefault(p["spec"]["nodeName"], []).append(p["metadata"]["name"])
        assert sorted(self.by_node) == ["node01", "node02"]
        assert all(len(v) == 2 for v in self.by_node.values())

    def pods(self) -> list[dict]:
        return self.api.list("pods", "default")["items"]

    def pod(self, name: str) -> dict | None:
        return next((p for p in self.pods() if p["metadata"]["name"] == name), None)

    def events(self, reason: str) -> list[dict]:
        return [e for e in self.api.list("events", "default")["items"] if e["reason"] == reason]

    @property
    def scheduler(self):
        return self.c.world.components["kube-scheduler"]


@pytest.fixture(scope="module")
def preempted() -> World:
    """The flow stopped one second after the high-priority pod was created."""
    w = World()
    w.api.create("pods", _preemptor("high"), namespace="default")
    w.c.advance(1)
    return w


def test_victim_is_deleted_gracefully_with_the_disruption_target_condition(preempted):
    w = preempted
    terminating = [p for p in w.pods() if p["metadata"].get("deletionTimestamp")]
    assert len(terminating) == 1  # reprieve: one 900m pod is enough for a 1-CPU pod
    (victim,) = terminating
    node = victim["spec"]["nodeName"]
    assert victim["metadata"]["deletionGracePeriodSeconds"] == 30
    cond = next(c for c in victim["status"]["conditions"] if c["type"] == "DisruptionTarget")
    assert (cond["status"], cond["reason"], cond["message"]) == ("True", "PreemptionByScheduler", DISRUPTION_MESSAGE)
    # The other low pod on that node was reprieved, and nothing on the other node was touched.
    survivors = [n for n in w.by_node[node] if n != victim["metadata"]["name"]]
    assert len(survivors) == 1 and not w.pod(survivors[0])["metadata"].get("deletionTimestamp")


def test_preempted_event_nomination_and_failed_scheduling_message(preempted):
    w = preempted
    (victim,) = [p for p in w.pods() if p["metadata"].get("deletionTimestamp")]
    node = victim["spec"]["nodeName"]
    high = w.pod("high")
    (ev,) = w.events("Preempted")
    assert ev["type"] == "Normal" and ev["involvedObject"]["name"] == victim["metadata"]["name"]
    assert ev["message"] == f"Preempted by pod {high['metadata']['uid']} on node {node}"
    assert ev["source"]["component"] == "default-scheduler"
    assert high["status"]["nominatedNodeName"] == node
    assert not high["spec"].get("nodeName")
    # The PostFilter succeeded: its status has no message, so the FitError ends with the filters' reasons.
    (failed,) = w.events("FailedScheduling")
    assert failed["message"] == f"0/3 nodes are available: {CP_TAINT_MSG}, 2 Insufficient cpu."
    sched = next(c for c in high["status"]["conditions"] if c["type"] == "PodScheduled")
    assert (sched["status"], sched["reason"], sched["message"]) == ("False", "Unschedulable", failed["message"])
    # The node chosen: both nodes need one equal victim started at the same time; the first by name wins.
    assert node == "node01"


def test_explain_reports_the_preemption(preempted):
    w = preempted
    (victim,) = [p for p in w.pods() if p["metadata"].get("deletionTimestamp")]
    why = w.scheduler.explain("default", "high")
    assert why["outcome"] == "unschedulable"
    assert why["preemption"] == {
        "node": "node01",
        "victims": [f"default/{victim['metadata']['name']}"],
        "numPDBViolations": 0,
        "candidates": ["node01", "node02"],
    }
    assert "preempting 1 lower-priority pod(s) on node01" in why["note"]
    assert "No preemption victims" not in why["message"] and "preemption:" not in why["message"]


def test_preemptor_runs_on_the_nominated_node_after_the_grace_period():
    w = World()
    w.api.create("pods", _preemptor("high"), namespace="default")
    w.c.advance(1)
    (victim,) = [p for p in w.pods() if p["metadata"].get("deletionTimestamp")]
    node, vname = victim["spec"]["nodeName"], victim["metadata"]["name"]
    w.c.advance(25)  # busybox's sleep ignores SIGTERM: the victim lives out its 30s grace period
    assert w.pod(vname) is not None and not w.pod("high")["spec"].get("nodeName")
    w.c.advance(15)
    assert w.pod(vname) is None
    high = w.pod("high")
    assert high["spec"]["nodeName"] == node and high["status"]["phase"] == "Running"
    assert len(w.events("Preempted")) == 1
    (scheduled,) = [e for e in w.events("Scheduled") if e["involvedObject"]["name"] == "high"]
    assert scheduled["message"] == f"Successfully assigned default/high to {node}"
    assert w.scheduler.explain("default", "high")["nominatedNode"] == node
    # Nothing else was preempted: three low pods still run.
    assert sorted(p["metadata"]["name"] for p in w.pods() if p["metadata"]["name"].startswith("low-")) == sorted(
        n for n in (f"low-{i}" for i in range(4)) if n != vname
    )


def test_preemption_policy_never_preempts_nothing():
    w = World()
    w.api.create("pods", _preemptor("polite", "high-never"), namespace="default")
    w.c.advance(5)
    assert not any(p["metadata"].get("deletionTimestamp") for p in w.pods())
    assert w.events("Preempted") == []
    polite = w.pod("polite")
    assert not polite["status"].get("nominatedNodeName") and not polite["spec"].get("nodeName")
    (failed,) = w.events("FailedScheduling")
    assert failed["message"] == (
        f"0/3 nodes are available: {CP_TAINT_MSG}, 2 Insufficient cpu. "
        "preemption: not eligible due to preemptionPolicy=Never."
    )
    assert w.scheduler.explain("default", "polite")["preemption"] == {
        "message": "preemption: not eligible due to preemptionPolicy=Never."
    }


def test_equal_priority_preempts_nothing():
    w = World()
    w.api.create("pods", _preemptor("peer", None), namespace="default")  # priority 0, as the low pods
    w.c.advance(5)
    assert not any(p["metadata"].get("deletionTimestamp") for p in w.pods())
    assert w.events("Preempted") == []
    assert not w.pod("peer")["status"].get("nominatedNodeName")
    (failed,) = w.events("FailedScheduling")
    assert failed["message"] == (
        f"0/3 nodes are available: {CP_TAINT_MSG}, 2 Insufficient cpu. preemption: 0/3 nodes are available: "
        "1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."
    )


def test_a_pdb_makes_its_node_least_preferred():
    w = World()
    protected = w.by_node["node01"]
    w.api.create(
        "poddisruptionbudgets",
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": {"name": "keep", "namespace": "default"},
            "spec": {"minAvailable": 4, "selector": {"matchExpressions": [{"key": "app", "operator": "Exists"}]}},
        },
        namespace="default",
    )
    for name in protected:  # only node01's pods are covered by the budget
        pod = w.pod(name)
        pod["metadata"]["labels"]["protected"] = "yes"
        w.api.update("pods", pod, namespace="default")
    w.api.patch(
        "poddisruptionbudgets",
        "keep",
        {"spec": {"selector": {"matchLabels": {"protected": "yes"}}}},
        namespace="default",
        patch_type="merge",
    )
    w.api.create("pods", _preemptor("high"), namespace="default")
    w.c.advance(1)
    (victim,) = [p for p in w.pods() if p["metadata"].get("deletionTimestamp")]
    assert victim["spec"]["nodeName"] == "node02"
    assert w.scheduler.explain("default", "high")["preemption"]["numPDBViolations"] == 0


def test_deterministic():
    def run() -> str:
        w = World()
        w.api.create("pods", _preemptor("high"), namespace="default")
        w.c.advance(40)
        items = w.api.list("events", "default")["items"] + w.pods()
        return json.dumps(items, sort_keys=True)

    assert run() == run()
