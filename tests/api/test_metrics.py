"""metrics.k8s.io in process: NodeMetrics and PodMetrics carry the usage ``kubectl top`` prints, the
metrics-server's 404s, and RBAC on ``nodes``/``pods`` in ``metrics.k8s.io``."""

from __future__ import annotations

import pytest

from ktui.api import errors
from ktui.api.quantity import Quantity
from ktui.cluster import Cluster


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    from ktui.clusterspec import DEFAULT_SPEC

    c = Cluster({**DEFAULT_SPEC, "seed": 4, "addons": {"metrics-server": True}})  # metrics.k8s.io is served
    c.kubectl("create deployment web --image=nginx --replicas=2")
    c.advance(60)
    c.kubectl("run later --image=nginx")  # not Running yet: no metrics
    return c


def _mi(q: str) -> int:
    return Quantity.parse(q).int_value() >> 20


def test_pod_metrics_are_what_top_prints(cluster: Cluster) -> None:
    out = cluster.kubectl("top pods --no-headers")[0]
    printed = {line.split()[0]: (line.split()[1], line.split()[2]) for line in out.splitlines()}
    items = cluster.api.metrics("pods", "default")["items"]
    assert {m["metadata"]["name"] for m in items} == set(printed) and "later" not in printed
    for m in items:
        assert m["kind"] == "PodMetrics" and m["apiVersion"] == "metrics.k8s.io/v1beta1"
        cpu = sum(Quantity.parse(c["usage"]["cpu"]).milli_value() for c in m["containers"])
        mem = sum(_mi(c["usage"]["memory"]) for c in m["containers"])
        assert printed[m["metadata"]["name"]] == (f"{cpu}m", f"{mem}Mi")


def test_node_metrics_are_what_top_prints(cluster: Cluster) -> None:
    out = cluster.kubectl("top nodes --no-headers")[0]
    printed = {line.split()[0]: (line.split()[1], line.split()[3]) for line in out.splitlines()}
    items = cluster.api.metrics("nodes")["items"]
    assert [m["metadata"]["name"] for m in items] == ["controlplane", "node01", "node02"]
    for m in items:
        usage = m["usage"]
        assert printed[m["metadata"]["name"]] == (
            f"{Quantity.parse(usage['cpu']).milli_value()}m",
            f"{_mi(usage['memory'])}Mi",
        )
    assert cluster.api.metrics("nodes", None, "node01")["metadata"]["name"] == "node01"


@pytest.mark.parametrize(
    "args, message",
    [
        (("pods", "default", "later"), 'podmetrics.metrics.k8s.io "default/later" not found'),
        (("pods", "default", "nope"), 'podmetrics.metrics.k8s.io "default/nope" not found'),
        (("nodes", None, "nope"), 'nodemetrics.metrics.k8s.io "nope" not found'),
    ],
)
def test_no_metrics_is_a_404(cluster: Cluster, args: tuple, message: str) -> None:
    with pytest.raises(errors.ApiError) as e:
        cluster.api.metrics(*args)
    assert (e.value.code, e.value.message) == (404, message)


def test_rbac_applies_to_the_metrics_group(cluster: Cluster) -> None:
    with pytest.raises(errors.ApiError) as e:
        cluster.client("jane").metrics("pods", "default")
    assert e.value.message == (
        'pods.metrics.k8s.io is forbidden: User "jane" cannot list resource "pods" in API '
        'group "metrics.k8s.io" in the namespace "default"'
    )
    role = (
        '{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"metrics-reader"},'
        '"rules":[{"apiGroups":["metrics.k8s.io"],"resources":["pods"],"verbs":["get","list"]}]}'
    )
    assert cluster.kubectl("create -f -", stdin=role)[2] == 0
    cluster.kubectl("create clusterrolebinding jane-metrics --clusterrole=metrics-reader --user=jane")
    assert cluster.client("jane").metrics("pods", "default")["kind"] == "PodMetricsList"


def test_without_metrics_server_the_group_is_not_served() -> None:
    c = Cluster.default(seed=4)
    c.advance(60)
    with pytest.raises(errors.ApiError) as e:
        c.api.metrics("nodes", None)
    assert (e.value.code, e.value.message) == (404, "the server could not find the requested resource")
    assert c.kubectl("top nodes") == ("", "error: Metrics API not available\n", 1)
    assert "metrics.k8s.io" not in c.kubectl("api-versions")[0]
