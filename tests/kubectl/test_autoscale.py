"""ktui kubectl transcripts: ``autoscale``, ``top --sort-by``, ``create clusterrole`` of a metrics.k8s.io
resource and an unquoted ``create cronjob --schedule`` (the real kubectl's bytes are compared over HTTP in
tests/server/test_real_kubectl_hpa.py)."""

from __future__ import annotations

import pytest

from ktui.cluster import Cluster
from ktui.clusterspec import DEFAULT_SPEC


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    c = Cluster({**DEFAULT_SPEC, "seed": 3, "addons": {"metrics-server": True}})
    c.advance(60)
    assert c.kubectl("create deployment web --image=nginx --replicas=2")[2] == 0
    c.advance(30)
    return c


def test_autoscale_creates_a_v2_autoscaler(cluster: Cluster) -> None:
    assert cluster.kubectl("autoscale deployment web --min=2 --max=5 --cpu=80%") == (
        "horizontalpodautoscaler.autoscaling/web autoscaled\n",
        "",
        0,
    )
    out = cluster.kubectl("get hpa web -o jsonpath={.spec}")[0]
    assert out == (
        '{"maxReplicas":5,"metrics":[{"resource":{"name":"cpu","target":{"averageUtilization":80,'
        '"type":"Utilization"}},"type":"Resource"}],"minReplicas":2,"scaleTargetRef":{"apiVersion":"apps/v1",'
        '"kind":"Deployment","name":"web"}}'
    )
    assert cluster.kubectl("autoscale deployment web --max=3 --cpu=250 --memory=1Gi --dry-run=client -o yaml")[0] == (
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\nspec:\n  maxReplicas: 3\n"
        "  metrics:\n  - resource:\n      name: cpu\n      target:\n        averageValue: 250m\n"
        "        type: AverageValue\n    type: Resource\n  - resource:\n      name: memory\n      target:\n"
        "        averageValue: 1Gi\n        type: AverageValue\n    type: Resource\n  scaleTargetRef:\n"
        "    apiVersion: apps/v1\n    kind: Deployment\n    name: web\nstatus:\n  currentMetrics: null\n"
        "  desiredReplicas: 0\n"
    )


@pytest.mark.parametrize(
    ("line", "err"),
    [
        ("autoscale deployment web", 'error: required flag(s) "max" not set\n'),
        ("autoscale deployment web --max=0", "error: --max=MAXPODS is required and must be at least 1, max: 0\n"),
        ("autoscale deployment web --max=3 --cpu=x1", "error: invalid resource cpu value: x1\n"),
        (
            "autoscale service kubernetes --max=2",
            "error: cannot autoscale a Service: could not find scale subresource for /v1, Resource=services in "
            "discovery information\n",
        ),
        (
            "autoscale deployment web --max=3",
            "error: failed to create autoscaling/v2 HPA and the configuration is incompatible with autoscaling/v1: "
            "empty input\n",
        ),
        ("top pods --sort-by=name", "error: --sort-by accepts only cpu or memory\n"),
        (
            "create cronjob tick --image=busybox --schedule=*/1 * * * *",
            "error: exactly one NAME is required, got 5\nSee 'kubectl create cronjob -h' for help and examples\n",
        ),
    ],
)
def test_refusals(cluster: Cluster, line: str, err: str) -> None:
    assert cluster.kubectl(line) == ("", err, 1)


def test_top_sorts_by_usage_largest_first(cluster: Cluster) -> None:
    for by, column in (("cpu", 2), ("memory", 3)):
        rows = cluster.kubectl(f"top pods -A --sort-by={by}")[0].splitlines()[1:]
        values = [int(r.split()[column].rstrip("mMi")) for r in rows]
        assert values == sorted(values, reverse=True) and len(values) > 3
    rows = cluster.kubectl("top nodes --sort-by=memory")[0].splitlines()[1:]
    values = [int(r.split()[3].rstrip("Mi")) for r in rows]
    assert values == sorted(values, reverse=True)


def test_create_clusterrole_for_metrics(cluster: Cluster) -> None:
    out = cluster.kubectl("create clusterrole metrics --verb=get,list --resource=pods.metrics.k8s.io -o yaml")
    assert out[2] == 0 and "  - metrics.k8s.io\n  resources:\n  - pods\n" in out[0]
    bare = Cluster.default(seed=3)
    assert bare.kubectl("create clusterrole metrics --verb=get --resource=pods.metrics.k8s.io") == (
        "",
        'the server doesn\'t have a resource type "pods" in group "metrics.k8s.io"\n',
        1,
    )
