"""The real kubectl 1.37 against ktui over HTTPS on autoscaling and the commands around it: ``autoscale`` (the
object it creates, its errors), ``get``/``describe hpa`` after the HPA controller synced, ``top --sort-by``,
``create clusterrole --resource=pods.metrics.k8s.io``, an unquoted ``create cronjob --schedule``, and the
defaults the API server applies (HPA behavior, PriorityClass preemptionPolicy). Each line runs on the served
cluster with the real kubectl and on a twin with ktui's own kubectl; the outputs must be the same bytes."""

from __future__ import annotations

from typing import Iterator

import pytest

from ktui.cluster import Cluster

from tests.server.conftest import serve
from tests.server.test_real_kubectl_commands import METRICS_SERVER, Twin
from tests.server.test_real_kubectl_reads import _mask_ages

WEB = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n"
    "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
    "    spec: {containers: [{name: c, image: nginx, resources: {requests: {cpu: 100m, memory: 64Mi}}}]}\n"
)
HPA_BEHAVIOR = (
    "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: tuned}\nspec:\n"
    "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: nope}\n  maxReplicas: 4\n"
    "  behavior: {scaleDown: {stabilizationWindowSeconds: 60}}\n"
    "---\napiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: batch}\nvalue: 100\n"
)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Twin]:
    served_cluster, twin = Cluster.default(seed=7), Cluster.default(seed=7)
    for c in (served_cluster, twin):
        c.advance(60)
    yield from (Twin(s, twin) for s in serve(tmp_path_factory.mktemp("hpa"), served_cluster))


def _same(pair: Twin, line: str, *, ages: bool = False) -> tuple:
    real, ours = pair.both(line)
    if ages:
        real, ours = (_mask_ages(real[0]), *real[1:]), (_mask_ages(ours[0]), *ours[1:])
    assert real == ours, line
    return real


def test_without_metrics_server(pair: Twin) -> None:
    """Before metrics-server runs: the HPA controller's failure as kubectl shows it, and the metrics group
    unknown to ``create clusterrole``."""
    home = pair.served.home
    (home / "web.yaml").write_text(WEB)
    (home / "more.yaml").write_text(HPA_BEHAVIOR)
    assert _same(pair, f"create -f {home}/web.yaml")[2] == 0
    pair.level(30)
    assert _same(pair, f"create -f {home}/more.yaml")[2] == 0
    assert "behavior:" in _same(pair, "get hpa tuned -o yaml")[0]
    assert "preemptionPolicy: PreemptLowerPriority" in _same(pair, "get priorityclass batch -o yaml")[0]
    out = _same(pair, "autoscale deployment web --min=2 --max=5 --cpu-percent=80")
    assert out[0] == "horizontalpodautoscaler.autoscaling/web autoscaled\n" and "deprecated" in out[1]
    assert "desiredReplicas: 0" in _same(pair, "get hpa web -o yaml")[0]
    pair.level(20)  # one sync: no metrics API
    assert "cpu: <unknown>/80%" in _same(pair, "get hpa", ages=True)[0]
    out = _same(pair, "describe hpa web", ages=True)[0]
    assert "FailedGetResourceMetric" in out and "(get pods.metrics.k8s.io)" in out
    assert 'deployments.apps "nope" not found' in _same(pair, "describe hpa tuned", ages=True)[0]
    for line in (
        "create clusterrole metrics-reader --verb=get --resource=pods.metrics.k8s.io",
        "create cronjob tick --image=busybox --schedule=*/1 * * * *",
        "autoscale deployment web --max=0",
        "autoscale deployment web --max=2 --min=3",
        "autoscale deployment nope --max=2",
        "autoscale service kubernetes --max=2",
        "autoscale deployment web --max=3 --cpu=abc",
        "autoscale deployment web --max=3 --cpu=5x%",
        "autoscale deployment web --max=3 --cpu=70% --cpu-percent=50",
        "autoscale deployment web --max=3",
        "autoscale deployment web --max=3 --cpu=500m",
        "autoscale deployment web --max=3 --cpu=70%",
        "autoscale deployment/web --max=3 --cpu=500m --memory=200 --name=two --dry-run=client -o yaml",
        "autoscale deployment/web --max=3 --cpu=60% --memory=70% --name=three -o json",
        "autoscale deployment web --max=3 --name=four --dry-run=server",
        "get hpa",
    ):
        real, ours = pair.both(line)
        assert (_mask_ages(real[0]), real[1], real[2]) == (_mask_ages(ours[0]), ours[1], ours[2]), line


def test_with_metrics_server(pair: Twin) -> None:
    """With metrics-server: the HPA scales the Deployment and both kubectls print the same status; ``top``
    sorts by usage; ``create clusterrole`` knows ``pods.metrics.k8s.io``."""
    home = pair.served.home
    (home / "metrics-server.yaml").write_text(METRICS_SERVER)
    assert _same(pair, f"apply -f {home}/metrics-server.yaml")[2] == 0
    pair.level(60)
    for line in (
        "top pods -A --sort-by=cpu",
        "top pods -A --sort-by=memory",
        "top pods -n kube-system --sort-by=cpu --containers",
        "top nodes --sort-by=cpu",
        "top nodes --sort-by=memory",
        "top pods --sort-by=name",
        "top nodes --sort-by=disk",
        "create clusterrole metrics-reader --verb=get,list --resource=pods.metrics.k8s.io,nodes.metrics.k8s.io",
        "get clusterrole metrics-reader -o yaml",
    ):
        real, ours = pair.both(line)
        assert real == ours, line
    pair.level(30)
    assert "cpu: 30%/80%" in _same(pair, "get hpa web", ages=True)[0]
    out = _same(pair, "describe hpa web", ages=True)[0]
    assert "ValidMetricFound" in out
