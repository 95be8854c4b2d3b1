"""API defaulting of autoscaling/v2 HorizontalPodAutoscaler and scheduling/v1 PriorityClass, as stored."""

from __future__ import annotations

from ktui.api.defaults import apply_defaults


def _hpa(**spec) -> dict:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "h"},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "maxReplicas": 4,
            **spec,
        },
    }


SCALE_UP = {
    "stabilizationWindowSeconds": 0,
    "selectPolicy": "Max",
    "policies": [
        {"type": "Pods", "value": 4, "periodSeconds": 15},
        {"type": "Percent", "value": 100, "periodSeconds": 15},
    ],
}
SCALE_DOWN = {"selectPolicy": "Max", "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}


def test_min_replicas_and_the_default_cpu_target_without_behavior():
    spec = apply_defaults(_hpa())["spec"]
    assert spec["minReplicas"] == 1
    assert spec["metrics"] == [
        {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}
    ]
    assert "behavior" not in spec  # behavior is defaulted only when given


def test_a_given_behavior_gets_every_unset_rule_field():
    spec = apply_defaults(_hpa(minReplicas=2, behavior={"scaleDown": {"stabilizationWindowSeconds": 60}}))["spec"]
    assert spec["minReplicas"] == 2
    assert spec["behavior"] == {"scaleDown": {"stabilizationWindowSeconds": 60, **SCALE_DOWN}, "scaleUp": SCALE_UP}
    mine = [{"type": "Pods", "value": 1, "periodSeconds": 60}]
    spec = apply_defaults(_hpa(behavior={"scaleUp": {"policies": mine, "selectPolicy": "Min"}}))["spec"]
    assert spec["behavior"]["scaleUp"] == {"stabilizationWindowSeconds": 0, "selectPolicy": "Min", "policies": mine}
    assert spec["behavior"]["scaleDown"] == SCALE_DOWN  # no window of its own: the controller's 5m applies


def test_priority_class_preemption_policy():
    pc = {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "p"}, "value": 5}
    assert apply_defaults(pc)["preemptionPolicy"] == "PreemptLowerPriority"
    never = apply_defaults({**pc, "preemptionPolicy": "Never"})
    assert never["preemptionPolicy"] == "Never"
