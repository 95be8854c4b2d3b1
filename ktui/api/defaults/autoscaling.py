"""Defaults for autoscaling/v2 HorizontalPodAutoscaler and scheduling/v1 PriorityClass.

HorizontalPodAutoscaler as pkg/apis/autoscaling/v2/defaults.go (v1.37): ``minReplicas`` 1, a CPU target of
80% average utilization when no metric is given, and, only when ``behavior`` is present, every unset field of
its ``scaleUp`` and ``scaleDown`` rules filled: scale up with a 0 s stabilization window, ``selectPolicy: Max``
and the policies "4 pods or 100% per 15 s"; scale down with ``selectPolicy: Max`` and "100% per 15 s", its
window left unset (the controller's ``--horizontal-pod-autoscaler-downscale-stabilization``, 5m, applies).
PriorityClass as pkg/apis/scheduling/v1/defaults.go: ``preemptionPolicy: PreemptLowerPriority``.
"""

from __future__ import annotations

from typing import Any

from ktui.api.defaults.podspec import put

__all__ = ["default_hpa", "default_priority_class", "scale_up_rules", "scale_down_rules", "DEFAULT_CPU_UTILIZATION"]

Obj = dict[str, Any]
DEFAULT_CPU_UTILIZATION = 80
"""``autoscaling.DefaultCPUUtilization``: the target of an HPA created without metrics."""


def scale_up_rules() -> Obj:
    """``defaultHPAScaleUpRules`` (a fresh copy)."""
    return {
        "stabilizationWindowSeconds": 0,
        "selectPolicy": "Max",
        "policies": [
            {"type": "Pods", "value": 4, "periodSeconds": 15},
            {"type": "Percent", "value": 100, "periodSeconds": 15},
        ],
    }


def scale_down_rules() -> Obj:
    """``defaultHPAScaleDownRules`` (a fresh copy; no stabilization window of its own)."""
    return {"selectPolicy": "Max", "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}


def _rules(given: Any, defaults: Obj) -> Obj:
    """``copyHPAScalingRules``: the default rules with every non-null field of ``given`` copied over."""
    if not isinstance(given, dict):
        return defaults
    out = dict(given)
    for key, value in defaults.items():
        if out.get(key) is None:
            out[key] = value
    order = ("stabilizationWindowSeconds", "selectPolicy", "policies", "tolerance")
    return {k: out[k] for k in sorted(out, key=lambda k: order.index(k) if k in order else len(order))}


def default_hpa(hpa: Obj) -> None:
    """Default a HorizontalPodAutoscaler (autoscaling/v2) in place."""
    spec = hpa.get("spec")
    if not isinstance(spec, dict):
        spec = hpa["spec"] = {}
    put(spec, "minReplicas", 1)
    if not spec.get("metrics"):
        spec["metrics"] = [
            {
                "type": "Resource",
                "resource": {
                    "name": "cpu",
                    "target": {"type": "Utilization", "averageUtilization": DEFAULT_CPU_UTILIZATION},
                },
            }
        ]
    behavior = spec.get("behavior")
    if isinstance(behavior, dict):
        behavior["scaleUp"] = _rules(behavior.get("scaleUp"), scale_up_rules())
        behavior["scaleDown"] = _rules(behavior.get("scaleDown"), scale_down_rules())


def default_priority_class(pc: Obj) -> None:
    """Default a PriorityClass in place: ``preemptionPolicy: PreemptLowerPriority``."""
    put(pc, "preemptionPolicy", "PreemptLowerPriority")
