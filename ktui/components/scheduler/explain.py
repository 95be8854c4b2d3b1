"""Why a pod went where it went: the FitError and preemption messages, and the record of each attempt.

``fit_error_message`` is ``FitError.Error()`` (pkg/scheduler/framework): ``0/N nodes are available:``, the
reasons counted over nodes as ``"<count> <reason>"`` sorted as strings, then the PostFilter message.
``postfilter_message`` is DefaultPreemption's part of it: ``preemption: `` and why it could not help, or
nothing at all when victims were chosen (the PostFilter status is then Success, whose message is empty, so
the FailedScheduling message of that attempt ends with the filters' reasons).
"""

from __future__ import annotations

from typing import Any

from ktui.api.objects import copy_json
from ktui.components.scheduler.filters import Rejection
from ktui.components.scheduler.nodeinfo import NodeInfo
from ktui.components.scheduler.podinfo import PodInfo
from ktui.components.scheduler.preemption import NO_VICTIMS, NOT_HELPFUL, Outcome, find_candidates
from ktui.sim.timefmt import rfc3339

__all__ = [
    "Attempt",
    "fit_error_message",
    "postfilter_message",
    "preemption_message",
    "with_unschedulable_condition",
    "with_pod_condition",
    "NO_NODES_AVAILABLE",
    "NOT_HELPFUL",
    "NO_VICTIMS",
]

NO_NODES_AVAILABLE = "no nodes available to schedule pods"


def fit_error_message(
    num_all_nodes: int, statuses: dict[str, tuple[str, Rejection]], post_filter: str = "", absent_reason: str = ""
) -> str:
    """``FitError.Error()``: the per-reason node counts, sorted as strings, then the PostFilter message.

    ``absent_reason`` is the status of the nodes ``statuses`` does not name (``SetAbsentNodesStatus``),
    counted once per such node."""
    counts: dict[str, int] = {}
    for _, rejection in statuses.values():
        for reason in rejection.reasons:
            counts[reason] = counts.get(reason, 0) + 1
    if absent_reason and len(statuses) < num_all_nodes:
        counts[absent_reason] = counts.get(absent_reason, 0) + num_all_nodes - len(statuses)
    msg = f"0/{num_all_nodes} nodes are available:"
    histogram = sorted(f"{n} {reason}" for reason, n in counts.items())
    if histogram:
        msg += f" {', '.join(histogram)}."
    if post_filter:
        msg += f" {post_filter}"
    return msg


def postfilter_message(outcome: Outcome, num_all_nodes: int) -> str:
    """DefaultPreemption's PostFilter status message, as ``FitError.Error()`` appends it.

    Not eligible: ``preemption: <why>``. No candidate: ``preemption: 0/N nodes are available: ...`` over the
    dry run's verdicts, every node preemption cannot help counted as "Preemption is not helpful for
    scheduling". Victims chosen: empty (Success).
    """
    if not outcome.eligible:
        return "preemption: " + outcome.reason
    if outcome.chosen is not None:
        return ""
    return "preemption: " + fit_error_message(num_all_nodes, outcome.statuses, absent_reason=NOT_HELPFUL)


def preemption_message(
    pod: PodInfo, nodes: list[NodeInfo], statuses: dict[str, tuple[str, Rejection]]
) -> tuple[str, list[str]]:
    """DefaultPreemption's dry run without PodDisruptionBudgets, for callers that only want the verdict.

    Returns ``(message, candidates)``: ``("", nodes)`` naming the nodes where evicting lower-priority pods
    would make the pod fit; else the ``preemption: 0/N nodes are available: ...`` message and ``[]``. For a
    pod with ``preemptionPolicy: Never`` the bare reason (the scheduler uses :func:`postfilter_message`,
    which prefixes ``preemption: `` as the plugin does).
    """
    if (pod.pod.get("spec") or {}).get("preemptionPolicy") == "Never":
        return "not eligible due to preemptionPolicy=Never.", []
    candidates, dry = find_candidates(pod, nodes, statuses, [], 0.0)
    if candidates:
        return "", [c.node for c in candidates]
    return postfilter_message(Outcome(statuses=dry), len(nodes)), []


def with_pod_condition(pod: dict, type_: str, status: str, reason: str, msg: str, now: float) -> dict | None:
    """A copy of ``pod`` with condition ``type_`` set to ``status``/``reason``/``msg``, or None when it already
    is. As ``podutil.UpdatePodCondition``, the transition time is kept while the status stays."""
    obj = copy_json(pod)
    conds = obj.setdefault("status", {}).setdefault("conditions", [])
    old = next((c for c in conds if c.get("type") == type_), None)
    if old is not None and (old.get("status"), old.get("reason"), old.get("message")) == (status, reason, msg):
        return None
    cond: dict[str, Any] = {"type": type_}
    if obj["metadata"].get("generation") is not None:
        cond["observedGeneration"] = obj["metadata"]["generation"]
    cond.update(
        {"status": status, "lastProbeTime": None, "lastTransitionTime": rfc3339(now), "reason": reason, "message": msg}
    )
    if old is not None:
        if old.get("status") == status and old.get("lastTransitionTime"):
            cond["lastTransitionTime"] = old["lastTransitionTime"]
        conds[conds.index(old)] = cond
    else:
        conds.append(cond)
    return obj


def with_unschedulable_condition(pod: dict, reason: str, msg: str, now: float) -> dict | None:
    """``PodScheduled=False`` with ``reason`` and ``msg`` (None when the pod already says so)."""
    return with_pod_condition(pod, "PodScheduled", "False", reason, msg, now)


class Attempt:
    """One scheduling attempt, kept compact; :meth:`as_dict` expands it for the UI's "why" view."""

    __slots__ = (
        "pod",
        "time",
        "attempt",
        "outcome",
        "node",
        "message",
        "num_nodes",
        "statuses",
        "scored",
        "feasible",
        "preemption_candidates",
        "preemption",
        "nominated_node",
    )

    def __init__(self, pod: str, time: float, attempt: int) -> None:
        self.pod = pod
        self.time = time
        self.attempt = attempt
        self.outcome = ""
        self.node = ""
        self.message = ""
        self.num_nodes = 0
        self.statuses: dict[str, tuple[str, Rejection]] = {}
        self.scored: Any = None
        """The :class:`~.scoretable.ScoreTable` of the feasible nodes (None when scoring was skipped)."""
        self.feasible: list[str] = []
        self.preemption_candidates: list[str] = []
        """Nodes where DefaultPreemption found victims."""
        self.preemption: dict[str, Any] | None = None
        """The preemption made: ``node``, ``victims`` (``namespace/name``, most important first),
        ``numPDBViolations``; or ``{"message": ...}`` when preemption did not help."""
        self.nominated_node = ""
        """The pod's nominated node tried first this attempt (``evaluateNominatedNode``)."""

    def as_dict(self) -> dict[str, Any]:
        """Time, outcome, and per evaluated node its filter verdict and (feasible nodes) scores.

        ``nodes`` lists the nodes the attempt looked at, rejected ones first by name then the feasible ones
        in the order they were found; nodes left unexamined by percentageOfNodesToScore are not listed.
        """
        scores = {s["node"]: s for s in (self.scored.rows() if self.scored is not None else [])}
        rows: list[dict[str, Any]] = []
        for name in sorted(self.statuses):
            plugin, rejection = self.statuses[name]
            rows.append(
                {
                    "name": name,
                    "filter": "failed",
                    "plugin": plugin,
                    "reason": str(rejection),
                    "reasons": list(rejection.reasons),
                }
            )
        for name in self.feasible:
            row: dict[str, Any] = {"name": name, "filter": "passed"}
            if name in scores:
                row["scores"] = dict(scores[name]["scores"])
                row["total"] = scores[name]["total"]
            rows.append(row)
        out: dict[str, Any] = {
            "pod": self.pod,
            "time": self.time,
            "timestamp": rfc3339(self.time),
            "attempt": self.attempt,
            "outcome": self.outcome,
            "node": self.node,
            "message": self.message,
            "numAllNodes": self.num_nodes,
            "evaluatedNodes": len(self.statuses) + len(self.feasible),
            "feasibleNodes": len(self.feasible),
            "nodes": rows,
        }
        if self.scored is None and len(self.feasible) == 1:
            out["note"] = "only one feasible node: scoring skipped"
        if self.nominated_node:
            out["nominatedNode"] = self.nominated_node
        if self.preemption is not None:
            out["preemption"] = dict(self.preemption)
            if self.preemption.get("node"):
                out["preemption"]["candidates"] = list(self.preemption_candidates)
                victims = self.preemption.get("victims") or []
                out["note"] = (
                    f"preempting {len(victims)} lower-priority pod(s) on {self.preemption['node']}: "
                    + ", ".join(victims)
                    + "; the pod is nominated there and retried once they are gone"
                )
        return out
