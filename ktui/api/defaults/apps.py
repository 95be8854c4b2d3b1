"""Defaults for apps/v1 kinds: Deployment, ReplicaSet, DaemonSet, StatefulSet (pkg/apis/apps/v1/defaults.go).

Missing keys are appended in the Go struct field order of each spec; the pod template gets the PodSpec
defaults (not the Pod-only ones such as ``enableServiceLinks``).
"""

from __future__ import annotations

from typing import Any

from ktui.api.defaults.core import default_persistent_volume_claim
from ktui.api.defaults.podspec import default_pod_template, put

__all__ = ["default_daemon_set", "default_deployment", "default_replica_set", "default_stateful_set"]

Obj = dict[str, Any]


def _spec(obj: Obj) -> Obj:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        spec = obj["spec"] = {}
    return spec


def _child(obj: Obj, key: str) -> Obj:
    value = obj.get(key)
    if not isinstance(value, dict):
        value = obj[key] = {}
    return value


def default_deployment(deploy: Obj) -> None:
    """Default a Deployment: replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10, progress deadline 600s."""
    spec = _spec(deploy)
    put(spec, "replicas", 1)
    if "template" in spec:
        default_pod_template(spec["template"])
    strategy = _child(spec, "strategy")
    put(strategy, "type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = _child(strategy, "rollingUpdate")
        put(rolling, "maxUnavailable", "25%")
        put(rolling, "maxSurge", "25%")
    put(spec, "revisionHistoryLimit", 10)
    put(spec, "progressDeadlineSeconds", 600)


def default_replica_set(rs: Obj) -> None:
    """Default a ReplicaSet: replicas 1."""
    spec = _spec(rs)
    put(spec, "replicas", 1)
    if "template" in spec:
        default_pod_template(spec["template"])


def default_daemon_set(ds: Obj) -> None:
    """Default a DaemonSet: RollingUpdate with maxUnavailable 1 and maxSurge 0, revisionHistoryLimit 10."""
    spec = _spec(ds)
    if "template" in spec:
        default_pod_template(spec["template"])
    strategy = _child(spec, "updateStrategy")
    put(strategy, "type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = _child(strategy, "rollingUpdate")
        put(rolling, "maxUnavailable", 1)
        if rolling.get("maxSurge") is None:
            rolling["maxSurge"] = 0
    put(spec, "revisionHistoryLimit", 10)


def default_stateful_set(sts: Obj) -> None:
    """Default a StatefulSet: replicas 1, OrderedReady, RollingUpdate partition 0, history 10, PVC policy Retain.

    As in ``SetDefaults_StatefulSet``, ``rollingUpdate.partition`` is only filled when ``rollingUpdate`` exists
    or the strategy type itself was defaulted. Each ``volumeClaimTemplates`` entry gets the PVC defaults
    (``volumeMode: Filesystem``, ``status.phase: Pending``).
    """
    spec = _spec(sts)
    put(spec, "replicas", 1)
    if "template" in spec:
        default_pod_template(spec["template"])
    for claim in spec.get("volumeClaimTemplates") or []:
        if isinstance(claim, dict):
            default_persistent_volume_claim(claim)
    put(spec, "podManagementPolicy", "OrderedReady")
    strategy = _child(spec, "updateStrategy")
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
        if strategy.get("rollingUpdate") is None:
            strategy["rollingUpdate"] = {}
    rolling = strategy.get("rollingUpdate")
    if strategy["type"] == "RollingUpdate" and isinstance(rolling, dict) and rolling.get("partition") is None:
        rolling["partition"] = 0
    put(spec, "revisionHistoryLimit", 10)
    policy = _child(spec, "persistentVolumeClaimRetentionPolicy")
    put(policy, "whenDeleted", "Retain")
    put(policy, "whenScaled", "Retain")
