"""Component flags: each component declares the flags it reads once, and the cluster spec accepts them all."""

from __future__ import annotations

import pytest

from ktui.clusterspec import SpecError, component_flags, normalize_spec
from ktui.components.controllers.node_lifecycle import NodeLifecycleController
from ktui.world import build_world


def test_the_spec_accepts_every_flag_a_component_reads():
    spec = normalize_spec(
        {
            "nodes": [],
            "components": {
                "kube-scheduler": {"percentage-of-nodes-to-score": 30, "podMaxBackoffSeconds": 20},
                "kube-controller-manager": {
                    "--node-startup-grace-period": "2m0s",
                    "load-balancer-ip-pool": "10.0.0.1-10.0.0.5",
                },
                "kubelet": {"node-status-report-frequency": "1m0s"},
            },
        }
    )
    flags = spec["components"]
    assert flags["kube-scheduler"]["percentage-of-nodes-to-score"] == 30
    assert flags["kube-scheduler"]["pod-max-backoff-seconds"] == 20  # the config file's name for it
    assert flags["kube-controller-manager"]["node-startup-grace-period"] == "2m0s"
    assert flags["kube-controller-manager"]["load-balancer-ip-pool"] == "10.0.0.1-10.0.0.5"
    assert flags["kubelet"]["node-status-report-frequency"] == "1m0s"


def test_unknown_flags_and_components_are_refused():
    with pytest.raises(SpecError, match="kube-scheduler: unknown flag --no-such-flag"):
        normalize_spec({"components": {"kube-scheduler": {"no-such-flag": 1}}})
    with pytest.raises(SpecError, match="unknown component 'kube-nothing'"):
        normalize_spec({"components": {"kube-nothing": {}}})


def test_the_grace_period_default_is_the_controllers_own():
    assert component_flags()["kube-controller-manager"]["node-monitor-grace-period"] == "40s"
    assert NodeLifecycleController.FLAGS["node-monitor-grace-period"] == "40s"
    assert normalize_spec({})["components"]["kube-controller-manager"]["node-monitor-grace-period"] == "40s"


def test_flags_from_the_spec_reach_the_components():
    world = build_world(
        normalize_spec(
            {
                "nodes": [{"name": "controlplane", "role": "control-plane"}, {"name": "node01"}],
                "components": {
                    "kube-scheduler": {"percentageOfNodesToScore": 50},
                    "kube-controller-manager": {
                        "node-startup-grace-period": "2m0s",
                        "load-balancer-ip-pool": "10.0.0.1-10.0.0.2",
                    },
                },
            }
        )
    )
    assert world.components["kube-scheduler"].percentage == 50
    cm = world.components["kube-controller-manager"]
    assert cm.controller("nodelifecycle").startup_grace_period == 120.0
    assert cm.controller("nodelifecycle").grace_period == 40.0
    assert cm.controller("service-lb-controller").pool == ["10.0.0.1", "10.0.0.2"]
