"""The HorizontalPodAutoscaler controller: one reconcile on the recording fake (the writes and Events), the
pure replica calculator and normalization, and whole clusters on the simulated clock (the first sync one
period after creation, a scale up at the sync that sees the metric, a scale down only after the 5-minute
window, the failure without metrics-server)."""

from __future__ import annotations

import json

import pytest

from ktui.cluster import Cluster
from ktui.clusterspec import DEFAULT_SPEC
from ktui.components.controllers.hpa import HorizontalPodAutoscalerController
from ktui.components.controllers.hpa_behavior import History, normalize, normalize_with_behavior
from ktui.components.controllers.hpa_replicas import MetricsError, PodMetric, Tolerance, resource_replicas
from ktui.sim.timefmt import rfc3339

NOW = 1000.0


def _pod(name: str, cpu: str = "100m", ready: bool = True, started: float = 0.0) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": cpu}}}]},
        "status": {
            "phase": "Running",
            "startTime": rfc3339(started),
            "conditions": [
                {"type": "Ready", "status": "True" if ready else "False", "lastTransitionTime": rfc3339(started)}
            ],
        },
    }


def _pod_metrics(name: str, cpu_milli: int) -> dict:
    return {
        "metadata": {"name": name, "namespace": "default"},
        "timestamp": rfc3339(NOW),
        "window": "15s",
        "containers": [{"name": "c", "usage": {"cpu": f"{cpu_milli * 1_000_000}n", "memory": "1024Ki"}}],
    }


def _hpa(**spec) -> dict:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "minReplicas": 1,
            "maxReplicas": 10,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}},
                }
            ],
            **spec,
        },
        "status": {"desiredReplicas": 0, "currentMetrics": None},
    }


def test_one_sync_scales_the_target_and_writes_the_status(fake_client, start_controller):
    """2 pods at 90m of 100m against a 50% target: ratio 1.8, 4 replicas; /scale written, then the status."""
    fake_client.seed("horizontalpodautoscalers", _hpa())
    fake_client.seed("pods", _pod("web-a"), _pod("web-b"))
    # the fake answers deployments/scale with the object seeded under deployments
    fake_client.seed(
        "deployments",
        {
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"replicas": 2},
            "status": {"replicas": 2, "selector": "app=web"},
        },
    )
    fake_client.metrics = lambda resource, namespace=None, name="", **_: {
        "items": [_pod_metrics("web-a", 90), _pod_metrics("web-b", 90)]
    }
    hpac = start_controller(HorizontalPodAutoscalerController, now=NOW)
    hpac.reconcile("default/web")
    writes = fake_client.writes()
    assert [a.short for a in writes] == [
        ("update", "deployments/scale", "web"),
        ("update", "horizontalpodautoscalers/status", "web"),
    ]
    assert writes[0].obj["spec"]["replicas"] == 4
    status = writes[1].obj["status"]
    assert status["currentReplicas"] == 2 and status["desiredReplicas"] == 4
    assert status["lastScaleTime"] == rfc3339(NOW)
    assert status["currentMetrics"] == [
        {"type": "Resource", "resource": {"name": "cpu", "current": {"averageValue": "90m", "averageUtilization": 90}}}
    ]
    assert [(c["type"], c["status"], c["reason"]) for c in status["conditions"]] == [
        ("AbleToScale", "True", "SucceededRescale"),
        ("ScalingActive", "True", "ValidMetricFound"),
        ("ScalingLimited", "False", "DesiredWithinRange"),
    ]
    assert fake_client.events() == [("Normal", "SuccessfulRescale")]
    assert fake_client.event_messages() == [
        "New size: 4; reason: cpu resource utilization (percentage of request) above target"
    ]


def test_a_behavior_tolerance_widens_the_dead_band(fake_client, start_controller):
    """``behavior.scaleUp.tolerance: 0.9``: a usage ratio of 1.8 is within it, so nothing is rescaled."""
    fake_client.seed("horizontalpodautoscalers", _hpa(behavior={"scaleUp": {"tolerance": "900m"}}))
    fake_client.seed("pods", _pod("web-a"), _pod("web-b"))
    fake_client.seed(
        "deployments",
        {
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"replicas": 2},
            "status": {"replicas": 2, "selector": "app=web"},
        },
    )
    fake_client.metrics = lambda resource, namespace=None, name="", **_: {
        "items": [_pod_metrics("web-a", 90), _pod_metrics("web-b", 90)]
    }
    hpac = start_controller(HorizontalPodAutoscalerController, now=NOW)
    hpac.reconcile("default/web")
    assert [a.short for a in fake_client.writes()] == [("update", "horizontalpodautoscalers/status", "web")]
    assert fake_client.writes()[0].obj["status"]["desiredReplicas"] == 2
    assert fake_client.events() == []


def test_metrics_without_an_adapter_fail_with_the_controllers_messages(fake_client, start_controller):
    """Pods and External metrics need custom/external metrics adapters ktui does not run."""
    metrics = [
        {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "10"}}},
        {"type": "External", "external": {"metric": {"name": "queue"}, "target": {"type": "Value", "value": "3"}}},
    ]
    fake_client.seed("horizontalpodautoscalers", _hpa(metrics=metrics))
    fake_client.seed("pods", _pod("web-a"))
    fake_client.seed(
        "deployments",
        {
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"replicas": 1},
            "status": {"replicas": 1, "selector": "app=web"},
        },
    )
    hpac = start_controller(HorizontalPodAutoscalerController, now=NOW)
    hpac.reconcile("default/web")
    qps = (
        "unable to get metric qps: unable to fetch metrics from custom metrics API: no custom metrics API "
        "(custom.metrics.k8s.io) registered"
    )
    queue = (
        "unable to get external metric default/queue/nil: unable to fetch metrics from external metrics API: the "
        "server could not find the requested resource (get queue.external.metrics.k8s.io)"
    )
    assert fake_client.events() == [
        ("Warning", "FailedGetPodsMetric"),
        ("Warning", "FailedGetExternalMetric"),
        ("Warning", "FailedComputeMetricsReplicas"),
    ]
    assert fake_client.event_messages() == [
        qps,
        queue,
        f"invalid metrics (2 invalid out of 2), first error is: failed to get pods metric value: {qps}",
    ]
    status = fake_client.writes()[0].obj["status"]
    assert status["currentMetrics"] == [{"type": ""}, {"type": ""}]
    assert status["conditions"][1] == {
        "type": "ScalingActive",
        "status": "False",
        "lastTransitionTime": rfc3339(NOW),
        "reason": "FailedGetPodsMetric",
        "message": f"the HPA was unable to compute the replica count: {qps}",
    }


# ------------------------------------------------------------------------------------------ pure parts


def test_the_calculator_keeps_the_size_within_the_tolerance_and_handles_unready_pods():
    pods = [_pod("a"), _pod("b")]
    within = {"a": PodMetric(52, NOW, 15), "b": PodMetric(54, NOW, 15)}
    assert resource_replicas(2, 50, "cpu", within, pods, NOW, Tolerance()) == (2, 53, 53)
    # a third pod still starting is not Ready: on a scale up it counts as using nothing (ratio 1.8 -> 1.2 x 3)
    pods3 = pods + [_pod("c", ready=False, started=NOW - 10)]
    high = {"a": PodMetric(90, NOW, 15), "b": PodMetric(90, NOW, 15)}
    assert resource_replicas(3, 50, "cpu", high, pods3, NOW, Tolerance())[0] == 4
    no_request = {**_pod("a"), "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    with pytest.raises(MetricsError, match="^missing request for cpu in container c of Pod a$"):
        resource_replicas(2, 50, "cpu", within, [no_request], NOW, Tolerance())


def test_scale_down_waits_for_the_highest_recommendation_of_the_window():
    h = History()
    h.record_initial(5, 0.0)
    assert normalize(h, 15.0, 300.0, 5, 2, 1, 10)[0] == 5
    assert normalize(h, 300.0, 300.0, 5, 2, 1, 10)[0] == 5  # the first recommendation is exactly 300 s old
    replicas, conds = normalize(h, 315.0, 300.0, 5, 2, 1, 10)
    assert replicas == 2 and conds[0][2] == "ReadyForNewScale"


def test_behavior_policies_limit_the_rate():
    """Default scale-up rules: at most max(4 pods, 100%) per 15 s; with selectPolicy Min the smaller."""
    rules = {
        "scaleUp": {
            "stabilizationWindowSeconds": 0,
            "selectPolicy": "Max",
            "policies": [
                {"type": "Pods", "value": 4, "periodSeconds": 15},
                {"type": "Percent", "value": 100, "periodSeconds": 15},
            ],
        },
        "scaleDown": {"selectPolicy": "Max", "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]},
    }
    h = History()
    h.record_initial(2, 0.0)
    replicas, conds = normalize_with_behavior(h, 15.0, rules, 300.0, 2, 20, 1, 50)
    assert replicas == 6 and conds[-1][1:3] == ("True", "ScaleUpLimit")
    h.store_scale_event(rules, 2, 6, 15.0)
    assert normalize_with_behavior(h, 20.0, rules, 300.0, 6, 20, 1, 50)[0] == 6  # the period's budget is spent
    assert normalize_with_behavior(h, 31.0, rules, 300.0, 6, 20, 1, 50)[0] == 12
    rules["scaleUp"]["selectPolicy"] = "Min"
    h2 = History()
    h2.record_initial(10, 0.0)
    assert normalize_with_behavior(h2, 15.0, rules, 300.0, 10, 40, 1, 50)[0] == 14


# ------------------------------------------------------------------------------------------ whole clusters

WEB = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web"},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": "100m"}}}]},
        },
    },
}


def _cluster(metrics: bool) -> Cluster:
    c = Cluster({**DEFAULT_SPEC, "seed": 4, "addons": {"metrics-server": metrics}})
    c.advance(60)
    assert c.kubectl("create -f -", json.dumps(WEB))[2] == 0
    c.advance(60)
    return c


def _replicas(c: Cluster) -> str:
    return c.kubectl("get deploy web -o jsonpath={.spec.replicas}")[0]


def test_scale_up_at_the_sync_that_sees_the_metric_then_down_after_five_minutes():
    c = _cluster(True)
    # 30% used (ktui's simulated usage) against a 20% target: 1.5 x 2 pods = 3
    assert c.kubectl("autoscale deployment web --min=2 --max=3 --cpu=20%")[2] == 0
    c.advance(14.9)
    assert _replicas(c) == "2" and "cpu: <unknown>/20%" in c.kubectl("get hpa")[0]
    c.advance(0.2)  # the first sync, one --horizontal-pod-autoscaler-sync-period after creation
    assert _replicas(c) == "3"
    assert "cpu: 30%/20%" in c.kubectl("get hpa")[0]
    out = c.kubectl("describe hpa web")[0]
    assert "New size: 3; reason: cpu resource utilization (percentage of request) above target" in out
    assert "ScalingLimited  False   DesiredWithinRange" in out
    # the load target moves above the usage: 30/90 x 3 = 1 -> min 2, but only once 5 minutes of higher
    # recommendations have passed
    patch = {
        "spec": {
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 90}},
                }
            ]
        }
    }
    assert c.kubectl(["patch", "hpa", "web", "--type=merge", "-p", json.dumps(patch)])[2] == 0
    c.advance(290)
    assert _replicas(c) == "3"
    assert "ScaleDownStabilized" in c.kubectl("describe hpa web")[0]
    c.advance(30)
    assert _replicas(c) == "2"
    assert "New size: 2; reason: All metrics below target" in c.kubectl("describe hpa web")[0]


def test_without_metrics_server_the_hpa_reports_the_metrics_api_missing():
    c = _cluster(False)
    assert c.kubectl("autoscale deployment web --max=4")[2] == 0  # the default target: 80% CPU
    c.advance(16)
    assert _replicas(c) == "2"
    get = c.kubectl("get hpa")[0]
    assert get.splitlines()[1].split()[2:5] == ["cpu:", "<unknown>/80%", "1"]
    out = c.kubectl("describe hpa web")[0]
    missing = (
        "failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from "
        "resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)"
    )
    assert f"FailedGetResourceMetric  the HPA was unable to compute the replica count: {missing}" in out
    assert f"invalid metrics (1 invalid out of 1), first error is: {missing}" in out
    yaml_out = c.kubectl("get hpa web -o yaml")[0]
    assert 'currentMetrics:\n  - type: ""\n  currentReplicas: 2\n  desiredReplicas: 0\n' in yaml_out
