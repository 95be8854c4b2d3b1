"""Client-side ``kubectl apply``: the last-applied annotation and the three-way merge, as the seed tells it."""

from __future__ import annotations

import json
from pathlib import Path

from ktui.kubectl import KubectlEnv, run_kubectl
from ktui.kubectl.cmd_apply import MISSING_ANNOTATION

from tests.kubectl.golden_cases import api_only_cluster

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

WITH = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
    tier: frontend
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx
        env:
        - name: MODE
          value: prod
"""
WITHOUT = WITH.replace("    tier: frontend\n", "").replace(
    "        env:\n        - name: MODE\n          value: prod\n", ""
)


def _env(tmp_path: Path):
    cluster = api_only_cluster()
    env = KubectlEnv.for_cluster(cluster)
    env.cwd = str(tmp_path)
    return cluster, env


def test_the_apply_story(tmp_path: Path) -> None:
    cluster, env = _env(tmp_path)
    manifest = tmp_path / "web.yaml"
    manifest.write_text(WITH)
    assert run_kubectl(env, "kubectl apply -f web.yaml").stdout == "deployment.apps/web created\n"
    live = cluster.api.get("deployments", "web", "default")
    assert live["metadata"]["labels"] == {"app": "web", "tier": "frontend"}
    applied = json.loads(live["metadata"]["annotations"][LAST_APPLIED])
    assert applied["metadata"]["labels"]["tier"] == "frontend"
    assert live["metadata"]["annotations"][LAST_APPLIED].endswith("\n")

    assert run_kubectl(env, "apply -f web.yaml").stdout == "deployment.apps/web unchanged\n"
    assert run_kubectl(env, "label deployment web owner=ops").stdout == "deployment.apps/web labeled\n"

    manifest.write_text(WITHOUT)
    result = run_kubectl(env, "apply -f web.yaml")
    assert (result.stdout, result.stderr, result.exit_code) == ("deployment.apps/web configured\n", "", 0)
    live = cluster.api.get("deployments", "web", "default")
    assert live["metadata"]["labels"] == {"app": "web", "owner": "ops"}  # tier gone, the kubectl label stays
    assert "env" not in live["spec"]["template"]["spec"]["containers"][0]
    assert run_kubectl(env, "apply -f web.yaml").stdout == "deployment.apps/web unchanged\n"


def test_apply_to_an_object_created_without_the_annotation_warns_then_patches(tmp_path: Path) -> None:
    cluster, env = _env(tmp_path)
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: '2'\n")
    run_kubectl(env, "create configmap cfg --from-literal=a=1")
    result = run_kubectl(env, "apply -f cm.yaml")
    assert result.stdout == "configmap/cfg configured\n"
    assert result.stderr == MISSING_ANNOTATION.format("configmaps/cfg") + "\n"
    assert result.stderr.startswith(
        "Warning: resource configmaps/cfg is missing the kubectl.kubernetes.io/"
        "last-applied-configuration annotation which is required by kubectl apply."
    )
    live = cluster.api.get("configmaps", "cfg", "default")
    assert live["data"] == {"a": "2"} and LAST_APPLIED in live["metadata"]["annotations"]
    assert run_kubectl(env, "apply -f cm.yaml").stderr == ""


def test_apply_dry_run_and_errors_change_nothing(tmp_path: Path) -> None:
    cluster, env = _env(tmp_path)
    (tmp_path / "web.yaml").write_text(WITH)
    (tmp_path / "bad.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: a: b\n")
    (tmp_path / "podd.yaml").write_text("apiVersion: v1\nkind: Podd\nmetadata:\n  name: x\n")
    before = cluster.api.list("deployments", "default")["items"]
    assert run_kubectl(env, "apply -f web.yaml --dry-run=client").stdout == "deployment.apps/web created (dry run)\n"
    assert run_kubectl(env, "apply -f web.yaml --dry-run=server").stdout == (
        "deployment.apps/web created (server dry run)\n"
    )
    bad = run_kubectl(env, "apply -f bad.yaml")
    assert (bad.stderr, bad.exit_code) == (
        "error: error parsing bad.yaml: error converting YAML to JSON: yaml: line 5: "
        "mapping values are not allowed in this context\n",
        1,
    )
    podd = run_kubectl(env, "apply -f podd.yaml")
    assert podd.stderr == (
        'error: resource mapping not found for name: "x" namespace: "" from "podd.yaml": no '
        'matches for kind "Podd" in version "v1"\nensure CRDs are installed first\n'
    )
    missing = run_kubectl(env, "apply -f nope.yaml")
    assert (missing.stderr, missing.exit_code) == ('error: the path "nope.yaml" does not exist\n', 1)
    assert cluster.api.list("deployments", "default")["items"] == before
    assert cluster.api.list("pods", "default")["items"] == []
