"""Why a pod went where it went: the FitError and preemption messages, and the record of each attempt.

``fit_error_message`` is ``FitError.Error()`` (pkg/scheduler/framework): ``0/N nodes are available:``, the
reasons counted over nodes as ``"<count> <reason>"`` sorted as strings, then the PostFilter message.
``preemption_message`` is what DefaultPreemption reports when it finds no candidate; preemption itself
(evicting victims) is not simulated.
"""

from __future__ import annotations

from typing import Any

from ktui.api.objects import copy_json
from ktui.components.scheduler.filters import Rejection, run_filters
from ktui.components.scheduler.nodeinfo import NodeInfo, PodInfo
from ktui.sim.timefmt import rfc3339

__all__ = ["Attempt", "fit_error_message", "preemption_message", "with_unschedulable_condition",
           "NO_NODES_AVAILABLE"]

NO_NODES_AVAILABLE = "no nodes available to schedule pods"
NOT_HELPFUL = "Preemption is not helpful for scheduling"
NO_VICTIMS = "No preemption victims found for incoming pod"


def fit_error_message(num_all_nodes: int, statuses: dict[str, tuple[str, Rejection]], post_filter: str = "") -> str:
    """``FitError.Error()``: the per-reason node counts, sorted as strings, then the PostFilter message."""
    counts: dict[str, int] = {}
    for _, rejection in statuses.values():
        for reason in rejection.reasons:
            counts[reason] = counts.get(reason, 0) + 1
    msg = f"0/{num_all_nodes} nodes are available:"
    histogram = sorted(f"{n} {reason}" for reason, n in counts.items())
    if histogram:
        msg += f" {', '.join(histogram)}."
    if post_filter:
        msg += f" {post_filter}"
    return msg


def preemption_message(pod: PodInfo, nodes: list[NodeInfo],
                       statuses: dict[str, tuple[str, Rejection]]) -> tuple[str, list[str]]:
    """DefaultPreemption's PostFilter outcome when every node was rejected.

    Returns ``(message, candidates)``: the ``preemption: 0/N nodes are available: ...`` message when no node
    can be made to fit by evicting lower-priority pods (unresolvable rejections are "not helpful", a node
    without lower-priority pods has "no victims", otherwise the filters' reasons with the victims gone), or
    ``("", nodes)`` naming the nodes where preemption would succeed.
    """
    if (pod.pod.get("spec") or {}).get("preemptionPolicy") == "Never":
        return "not eligible due to preemptionPolicy=Never.", []
    outcome: dict[str, tuple[str, Rejection]] = {}
    candidates: list[str] = []
    for node in nodes:
        status = statuses.get(node.name)
        if status is None:
            continue
        if status[1].unresolvable:
            outcome[node.name] = ("DefaultPreemption", Rejection(NOT_HELPFUL))
            continue
        victims = [k for k, p in node.pods.items() if p.priority < pod.priority]
        if not victims:
            outcome[node.name] = ("DefaultPreemption", Rejection(NO_VICTIMS))
            continue
        trial = NodeInfo(node.name)
        trial.set_node(node.node or {})
        for k, p in node.pods.items():
            if p.priority >= pod.priority:
                trial.add_pod(p)
        again = run_filters(pod, trial)
        if again is None:
            candidates.append(node.name)
        else:
            outcome[node.name] = again
    if candidates:
        return "", candidates
    return "preemption: " + fit_error_message(len(nodes), outcome), []


def with_unschedulable_condition(pod: dict, reason: str, msg: str, now: float) -> dict | None:
    """A copy of ``pod`` whose ``PodScheduled`` condition is False with ``reason`` and ``msg``, or None when
    it already is. As ``podutil.UpdatePodCondition``, the transition time is kept while the status stays."""
    obj = copy_json(pod)
    conds = obj.setdefault("status", {}).setdefault("conditions", [])
    old = next((c for c in conds if c.get("type") == "PodScheduled"), None)
    if old is not None and (old.get("status"), old.get("reason"), old.get("message")) == ("False", reason, msg):
        return None
    cond: dict[str, Any] = {"type": "PodScheduled"}
    if obj["metadata"].get("generation") is not None:
        cond["observedGeneration"] = obj["metadata"]["generation"]
    cond.update({"status": "False", "lastProbeTime": None, "lastTransitionTime": rfc3339(now),
                 "reason": reason, "message": msg})
    if old is not None:
        if old.get("status") == "False" and old.get("lastTransitionTime"):
            cond["lastTransitionTime"] = old["lastTransitionTime"]
        conds[conds.index(old)] = cond
    else:
        conds.append(cond)
    return obj


class Attempt:
    """One scheduling attempt, kept compact; :meth:`as_dict` expands it for the UI's "why" view."""

    __slots__ = ("pod", "time", "attempt", "outcome", "node", "message", "num_nodes", "statuses", "scored",
                 "feasible", "preemption_candidates")

    def __init__(self, pod: str, time: float, attempt: int) -> None:
        self.pod = pod
        self.time = time
        self.attempt = attempt
        self.outcome = ""
        self.node = ""
        self.message = ""
        self.num_nodes = 0
        self.statuses: dict[str, tuple[str, Rejection]] = {}
        self.scored: list[dict[str, Any]] | None = None
        self.feasible: list[str] = []
        self.preemption_candidates: list[str] = []

    def as_dict(self) -> dict[str, Any]:
        """Time, outcome, and per evaluated node its filter verdict and (feasible nodes) scores.

        ``nodes`` lists the nodes the attempt looked at, rejected ones first by name then the feasible ones
        in the order they were found; nodes left unexamined by percentageOfNodesToScore are not listed.
        """
        scores = {s["node"]: s for s in self.scored or []}
        rows: list[dict[str, Any]] = []
        for name in sorted(self.statuses):
            plugin, rejection = self.statuses[name]
            rows.append({"name": name, "filter": "failed", "plugin": plugin, "reason": str(rejection),
                         "reasons": list(rejection.reasons)})
        for name in self.feasible:
            row: dict[str, Any] = {"name": name, "filter": "passed"}
            if name in scores:
                row["scores"] = dict(scores[name]["scores"])
                row["total"] = scores[name]["total"]
            rows.append(row)
        out: dict[str, Any] = {
            "pod": self.pod, "time": self.time, "timestamp": rfc3339(self.time), "attempt": self.attempt,
            "outcome": self.outcome, "node": self.node, "message": self.message,
            "numAllNodes": self.num_nodes, "evaluatedNodes": len(self.statuses) + len(self.feasible),
            "feasibleNodes": len(self.feasible), "nodes": rows,
        }
        if self.scored is None and len(self.feasible) == 1:
            out["note"] = "only one feasible node: scoring skipped"
        if self.preemption_candidates:
            out["note"] = ("preemption would evict lower-priority pods on " + ", ".join(self.preemption_candidates)
                           + " (preemption is not simulated)")
        return out
