"""Add-ons in the cluster spec: metrics-server is off by default, ``addons: {metrics-server: true}`` installs it."""

from __future__ import annotations

import pytest

from ktui.cluster import Cluster
from ktui.clusterspec import SpecError, normalize_spec
from ktui.kubectl import KubectlEnv, run_kubectl


def test_metrics_server_is_off_by_default() -> None:
    assert normalize_spec({})["addons"] == {"metrics-server": False}
    env = KubectlEnv.for_cluster(Cluster.default())
    r = run_kubectl(env, "get deploy,svc -n kube-system -l k8s-app=metrics-server")
    assert (r.stdout, r.stderr) == ("", "No resources found in kube-system namespace.\n")


def test_the_addon_runs_metrics_server_in_kube_system() -> None:
    env = KubectlEnv.for_cluster(Cluster({"addons": {"metrics-server": True}}))
    r = run_kubectl(
        env,
        [
            "get",
            "deploy",
            "metrics-server",
            "-n",
            "kube-system",
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image} {.status.readyReplicas}",
        ],
    )
    assert r.stdout == "registry.k8s.io/metrics-server/metrics-server:v0.8.0 1"
    r = run_kubectl(env, "get svc metrics-server -n kube-system -o jsonpath={.spec.ports[0].port}/{.spec.selector}")
    assert r.stdout == '443/{"k8s-app":"metrics-server"}'
    r = run_kubectl(env, "get endpoints metrics-server -n kube-system -o jsonpath={.subsets[0].ports[0].port}")
    assert r.stdout == "10250"


@pytest.mark.parametrize(
    "addons, message",
    [
        ({"nope": True}, "unknown addon 'nope'"),
        ({"metrics-server": "yes"}, "addons.metrics-server must be true or false"),
        (["metrics-server"], "addons must be a mapping"),
    ],
)
def test_bad_addons_are_refused(addons: object, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        normalize_spec({"addons": addons})
