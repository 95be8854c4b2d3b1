"""kube-scheduler's settings: the flags (and KubeSchedulerConfiguration fields) ktui reads with their
defaults, declared once, and percentageOfNodesToScore's rule."""

from __future__ import annotations

from typing import Any

__all__ = ["FLAGS", "FLAG_ALIASES", "SCHEDULER_NAME", "flag", "feature_gates", "num_feasible_nodes_to_find"]

SCHEDULER_NAME = "default-scheduler"
"""The default profile's ``schedulerName``: the pods this scheduler is responsible for."""

MIN_FEASIBLE_NODES = 100
MIN_FEASIBLE_PERCENTAGE = 5


def num_feasible_nodes_to_find(num_all: int, percentage: int = 0) -> int:
    """How many feasible nodes to look for: all below 100 nodes; else ``percentage`` (0 = adaptive
    ``50 - N/125``, floored at 5) of the nodes, at least 100."""
    if num_all < MIN_FEASIBLE_NODES:
        return num_all
    if percentage <= 0:
        percentage = max(MIN_FEASIBLE_PERCENTAGE, 50 - num_all // 125)
    return max(MIN_FEASIBLE_NODES, num_all * min(percentage, 100) // 100)


FLAGS: dict[str, Any] = {
    "feature-gates": "",
    "percentage-of-nodes-to-score": 0,
    "pod-initial-backoff-seconds": 1,
    "pod-max-backoff-seconds": 10,
    "pod-max-in-unschedulable-pods-duration": "5m",
}
"""The kube-scheduler settings ktui reads, with their defaults (0 nodes to score: adaptive)."""
FLAG_ALIASES: dict[str, str] = {
    "percentageOfNodesToScore": "percentage-of-nodes-to-score",
    "podInitialBackoffSeconds": "pod-initial-backoff-seconds",
    "podMaxBackoffSeconds": "pod-max-backoff-seconds",
    "podMaxInUnschedulablePodsDuration": "pod-max-in-unschedulable-pods-duration",
}
"""KubeSchedulerConfiguration field names accepted for the same settings."""


def flag(flags: dict, name: str) -> Any:
    """The value of setting ``name`` in ``flags`` (by its flag or its config-file name), else its default."""
    for n in (name, *(a for a, f in FLAG_ALIASES.items() if f == name)):
        if n in flags and flags[n] not in (None, ""):
            return flags[n]
    return FLAGS[name]


def feature_gates(text: str) -> dict[str, bool]:
    """``--feature-gates=A=true,B=false`` as a dict."""
    out: dict[str, bool] = {}
    for part in str(text or "").split(","):
        if "=" in part:
            k, v = part.split("=", 1)
            out[k.strip()] = v.strip().lower() == "true"
    return out
