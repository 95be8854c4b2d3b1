"""The scheduler's explanation of a pod as immutable data: its last attempt, each node's verdict and scores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["NodeVerdict", "Preemption", "PodExplanation", "explanation_from"]


@dataclass(frozen=True)
class NodeVerdict:
    """One node as the attempt saw it: its filter verdict and, for a scored feasible node, each plugin's score."""

    name: str
    filter: str
    """``passed`` or ``failed``."""
    plugin: str = ""
    """The filter plugin that rejected the node (a failed node only)."""
    reason: str = ""
    """The rejection in one line, as the scheduler's message words it."""
    reasons: tuple[str, ...] = ()
    scores: tuple[tuple[str, int], ...] = ()
    """``(plugin, normalized score)`` in the profile's order; empty when scoring was skipped."""
    total: int | None = None
    """The weighted sum of :attr:`scores` (None when the node was not scored)."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "filter": self.filter}
        if self.filter == "failed":
            out.update(plugin=self.plugin, reason=self.reason, reasons=list(self.reasons))
        if self.total is not None:
            out.update(scores=dict(self.scores), total=self.total)
        return out


@dataclass(frozen=True)
class Preemption:
    """What DefaultPreemption did for an unschedulable attempt: a node and its victims, or why it did not help."""

    node: str = ""
    victims: tuple[str, ...] = ()
    """``namespace/name`` of each victim, most important first."""
    num_pdb_violations: int = 0
    candidates: tuple[str, ...] = ()
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        if not self.node:
            return {"message": self.message}
        return {
            "node": self.node,
            "victims": list(self.victims),
            "numPDBViolations": self.num_pdb_violations,
            "candidates": list(self.candidates),
        }


@dataclass(frozen=True)
class PodExplanation:
    """Why a pod is where it is, or still pending: the scheduler's last attempt at it.

    ``outcome`` is ``scheduled`` (:attr:`node` says where), ``unschedulable`` or ``error`` after an attempt;
    ``not-attempted`` before the first one; ``no-scheduler`` when no kube-scheduler runs in the cluster.
    """

    pod: str
    """``namespace/name``."""
    outcome: str
    queue: str | None = None
    """The scheduler queue the pod waits in (``active``, ``backoff``, ``unschedulable``), or None."""
    attempt: int = 0
    time: float | None = None
    """Simulated seconds of the attempt (None: no attempt)."""
    timestamp: str = ""
    node: str = ""
    message: str = ""
    num_all_nodes: int = 0
    evaluated_nodes: int = 0
    feasible_nodes: int = 0
    note: str = ""
    nominated_node: str = ""
    preemption: Preemption | None = None
    nodes: tuple[NodeVerdict, ...] = ()
    """The nodes the attempt looked at: rejected ones by name, then the feasible ones in the order found."""

    @property
    def attempted(self) -> bool:
        return self.time is not None

    def to_json(self) -> dict[str, Any]:
        """The explanation as JSON (the control API's answer, and what the UI's "why" view reads)."""
        out: dict[str, Any] = {"pod": self.pod, "outcome": self.outcome}
        if self.attempted:
            out.update(
                {
                    "time": self.time,
                    "timestamp": self.timestamp,
                    "attempt": self.attempt,
                    "node": self.node,
                    "message": self.message,
                    "numAllNodes": self.num_all_nodes,
                    "evaluatedNodes": self.evaluated_nodes,
                    "feasibleNodes": self.feasible_nodes,
                }
            )
            if self.note:
                out["note"] = self.note
            if self.nominated_node:
                out["nominatedNode"] = self.nominated_node
            if self.preemption is not None:
                out["preemption"] = self.preemption.to_json()
        out["queue"] = self.queue
        out["nodes"] = [n.to_json() for n in self.nodes]
        return out


def _verdict(row: dict[str, Any]) -> NodeVerdict:
    scores = row.get("scores")
    return NodeVerdict(
        str(row["name"]),
        str(row["filter"]),
        str(row.get("plugin") or ""),
        str(row.get("reason") or ""),
        tuple(str(r) for r in row.get("reasons") or ()),
        tuple((str(k), v) for k, v in (scores or {}).items()),
        row.get("total") if scores is not None else None,
    )


def explanation_from(info: dict[str, Any]) -> PodExplanation:
    """A :class:`PodExplanation` from the dict the scheduler's ``explain`` returns (copied: nothing live is kept)."""
    pre = info.get("preemption")
    preemption = None
    if isinstance(pre, dict):
        preemption = Preemption(
            str(pre.get("node") or ""),
            tuple(str(v) for v in pre.get("victims") or ()),
            int(pre.get("numPDBViolations") or 0),
            tuple(str(c) for c in pre.get("candidates") or ()),
            str(pre.get("message") or ""),
        )
    return PodExplanation(
        pod=str(info.get("pod", "")),
        outcome=str(info.get("outcome", "")),
        queue=info.get("queue"),
        attempt=int(info.get("attempt") or 0),
        time=info.get("time"),
        timestamp=str(info.get("timestamp") or ""),
        node=str(info.get("node") or ""),
        message=str(info.get("message") or ""),
        num_all_nodes=int(info.get("numAllNodes") or 0),
        evaluated_nodes=int(info.get("evaluatedNodes") or 0),
        feasible_nodes=int(info.get("feasibleNodes") or 0),
        note=str(info.get("note") or ""),
        nominated_node=str(info.get("nominatedNode") or ""),
        preemption=preemption,
        nodes=tuple(_verdict(r) for r in info.get("nodes") or ()),
    )
