"""kubectl get through run_kubectl: tables, outputs, selectors, errors and -w on the simulated clock."""

from __future__ import annotations

import json

import pytest

from ktui import Cluster
from ktui.kubectl import KubectlEnv, run_kubectl

from tests.conftest import pod


def _run(cluster: Cluster, line: str):
    return run_kubectl(KubectlEnv.for_cluster(cluster), line)


def test_no_resources(cluster: Cluster) -> None:
    r = _run(cluster, "get pods")
    assert (r.stdout, r.stderr, r.exit_code) == ("", "No resources found in default namespace.\n", 0)
    r = _run(cluster, "get pods -n kube-public")
    assert r.stderr == "No resources found in kube-public namespace.\n"
    r = _run(cluster, "get pods -A")
    assert (r.stderr, r.exit_code) == ("No resources found\n", 0)
    r = _run(cluster, "get pods -o json")
    assert json.loads(r.stdout) == {
        "apiVersion": "v1",
        "items": [],
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    }


def test_errors(cluster: Cluster) -> None:
    r = _run(cluster, "get podz")
    assert (r.stdout, r.stderr, r.exit_code) == ("", 'error: the server doesn\'t have a resource type "podz"\n', 1)
    r = _run(cluster, "get pods x")
    assert (r.stderr, r.exit_code) == ('Error from server (NotFound): pods "x" not found\n', 1)
    r = _run(cluster, "get deploy x")
    assert r.stderr == 'Error from server (NotFound): deployments.apps "x" not found\n'
    r = _run(cluster, "get pods x --ignore-not-found")
    assert (r.stdout, r.stderr, r.exit_code) == ("", "", 0)
    r = _run(cluster, "get")
    assert r.exit_code == 1
    assert r.stderr == (
        'You must specify the type of resource to get. Use "kubectl api-resources" for a complete '
        'list of supported resources.\n\nerror: Required resource not specified.\nUse "kubectl '
        'explain <resource>" for a detailed description of that resource (e.g. kubectl explain '
        "pods).\nSee 'kubectl get -h' for help and examples\n"
    )
    r = _run(cluster, "get pods -o foo")
    assert r.exit_code == 1 and r.stderr.startswith("error: unable to match a printer suitable for the output format")


@pytest.fixture
def two_pods(cluster: Cluster) -> Cluster:
    cluster.api.create("pods", pod("web"))
    cluster.api.create("pods", pod("db", image="redis"))
    cluster.api.patch("pods", "db", {"metadata": {"labels": {"tier": "backend"}}}, "default")
    return cluster


def test_table_and_found_and_missing(two_pods: Cluster) -> None:
    r = _run(two_pods, "get pods")
    assert r.stdout == (
        "NAME   READY   STATUS    RESTARTS   AGE\n"
        "db     0/1     Pending   0          0s\n"
        "web    0/1     Pending   0          0s\n"
    )
    r = _run(two_pods, "get pods web nope")
    assert r.stdout == "NAME   READY   STATUS    RESTARTS   AGE\nweb    0/1     Pending   0          0s\n"
    assert (r.stderr, r.exit_code) == ('Error from server (NotFound): pods "nope" not found\n', 1)


def test_labels_selectors_sort(two_pods: Cluster) -> None:
    r = _run(two_pods, "get pods --show-labels")
    assert r.stdout.splitlines()[1].endswith("0s    run=db,tier=backend")
    assert r.stdout.splitlines()[0].endswith("AGE   LABELS")
    r = _run(two_pods, "get pods -L tier -L run")
    assert r.stdout.splitlines()[0] == "NAME   READY   STATUS    RESTARTS   AGE   TIER      RUN"
    assert r.stdout.splitlines()[2] == "web    0/1     Pending   0          0s              web"
    r = _run(two_pods, "get pods -l tier=backend -o name")
    assert r.stdout == "pod/db\n"
    r = _run(two_pods, "get pods --field-selector metadata.name=web -o name")
    assert r.stdout == "pod/web\n"
    r = _run(two_pods, "get pods --sort-by=.spec.containers[0].image -o name")
    assert r.stdout == "pod/web\npod/db\n"


def test_outputs(two_pods: Cluster) -> None:
    r = _run(two_pods, "get pod web -o yaml")
    assert r.stdout.startswith("apiVersion: v1\nkind: Pod\nmetadata:\n")
    r = _run(two_pods, "get pods -o yaml")
    assert r.stdout.startswith("apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n")
    assert r.stdout.endswith('kind: List\nmetadata:\n  resourceVersion: ""\n')
    r = _run(two_pods, "get pod/web -o json")
    assert json.loads(r.stdout)["metadata"]["name"] == "web"
    r = _run(two_pods, "get pods -o jsonpath={.items[*].metadata.name}")
    assert r.stdout == "db web"
    r = _run(two_pods, "get pods -o custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[0].image")
    assert r.stdout == "NAME   IMAGE\ndb     redis\nweb    nginx\n"
    r = _run(two_pods, "get pods -o wide")
    assert r.stdout.splitlines()[0].endswith("AGE   IP       NODE     NOMINATED NODE   READINESS GATES")


def test_several_kinds_and_all(two_pods: Cluster) -> None:
    r = _run(two_pods, "get pods,svc")
    assert r.stdout == (
        "NAME      READY   STATUS    RESTARTS   AGE\n"
        "pod/db    0/1     Pending   0          0s\n"
        "pod/web   0/1     Pending   0          0s\n\n"
        "NAME                 TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE\n"
        "service/kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP   0s\n"
    )
    assert _run(two_pods, "get all").stdout == r.stdout
    r = _run(two_pods, "get svc/kubernetes pod/web")
    assert r.stdout.startswith("NAME                 TYPE")
    assert "\n\nNAME      READY" in r.stdout and "pod/web" in r.stdout
    r = _run(two_pods, "get svc kubernetes/x")
    assert r.stderr.startswith("error: there is no need to specify a resource type as a separate argument")


def test_all_namespaces(two_pods: Cluster) -> None:
    r = _run(two_pods, "get svc,ns -A")
    lines = r.stdout.splitlines()
    assert lines[0] == "NAMESPACE   NAME                 TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE"
    assert lines[1].startswith("default     service/kubernetes")
    assert lines[3] == "NAME                        STATUS   AGE"


def test_watch_streams_what_the_clock_produces() -> None:
    c = Cluster.default()
    env = KubectlEnv.for_cluster(c)
    run_kubectl(env, "run nginx --image=nginx")
    start = c.now
    r = run_kubectl(env, "get pods -w --request-timeout=20s")
    assert c.now == start + 20
    lines = r.stdout.splitlines()
    assert lines[0] == "NAME    READY   STATUS    RESTARTS   AGE"
    assert lines[1] == "nginx   0/1     Pending   0          0s"
    assert any("ContainerCreating" in line for line in lines)
    assert lines[-1].split() == ["nginx", "1/1", "Running", "0", lines[-1].split()[-1]]
    r = run_kubectl(env, "get pods nginx -w --request-timeout=5s --output-watch-events")
    assert r.stdout.splitlines()[0] == "EVENT   NAME    READY   STATUS    RESTARTS   AGE"
    r = run_kubectl(env, "get pods,svc -w")
    assert r.stderr == "error: you may only specify a single resource type\n"


def test_watch_default_bound(cluster: Cluster) -> None:
    from ktui.kubectl.follow import WATCH_SECONDS

    start = cluster.now
    _run(cluster, "get ns -w")
    assert cluster.now == start + WATCH_SECONDS
