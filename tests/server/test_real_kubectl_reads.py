"""The real kubectl 1.37 over HTTPS prints what ktui's own kubectl prints for the same cluster.

The cluster's clock is paused while both run, so the two outputs describe the same instant.
"""

from __future__ import annotations

import re

import pytest

from ktui.api.registry import REGISTRY

from tests.server.conftest import Served


@pytest.fixture(scope="module")
def workload(served: Served) -> Served:
    served.ktui("create deployment web --image=nginx --replicas=2")
    served.ktui("expose deployment web --port=80")
    served.ktui("run solo --image=nginx --labels=app=solo,tier=front")
    served.ktui("create configmap settings --from-literal=a=1")
    served.advance(30)
    return served


GETS = [
    "get pods",
    "get pods -A",
    "get pods -n kube-system -o wide",
    "get pods -A -l k8s-app=kube-dns",
    "get pods -l 'app in (solo)'",
    "get pods --field-selector=status.phase=Running -A",
    "get pods -A --show-labels",
    "get pods -n kube-system -L component,tier",
    "get pods -o name -n kube-system",
    "get pod solo -o yaml",
    "get pod solo -o json",
    "get pods -o jsonpath={.items[*].metadata.name}",
    "get pods -o custom-columns=NAME:.metadata.name,NODE:.spec.nodeName",
    "get pods --sort-by=.metadata.name -n kube-system",
    "get pods,svc",
    "get all",
    "get all -A",
    "get nodes",
    "get nodes -o wide",
    "get node node01 -o yaml",
    "get svc -A -o wide",
    "get deploy -A",
    "get deploy web -o wide",
    "get rs -o wide",
    "get ds -A",
    "get ns",
    "get cm -A",
    "get cm settings -o yaml",
    "get secrets -A",
    "get sa -A",
    "get events -A",
    "get endpointslices -A",
    "get ep",
    "get roles -A",
    "get rolebindings -A -o wide",
    "get clusterroles",
    "get clusterrolebindings",
    "get leases -A",
    "get priorityclasses",
    "get pod nope",
    "get pods solo nope",
    "get pods --no-headers",
    "get pod solo --show-kind",
]


@pytest.mark.parametrize("line", GETS)
def test_get_prints_what_ktui_prints(workload: Served, line: str) -> None:
    import shlex

    real = workload.kubectl(*shlex.split(line))
    assert real == workload.ktui(line)


def test_get_unknown_resource_type(workload: Served) -> None:
    out, err, code = workload.kubectl("get", "foos")
    assert (out, err, code) == ("", 'error: the server doesn\'t have a resource type "foos"\n', 1)


def test_api_resources_and_version(workload: Served) -> None:
    assert workload.kubectl("api-resources") == workload.ktui("api-resources")
    assert workload.kubectl("api-resources", "--namespaced=false", "-o", "name") == workload.ktui(
        "api-resources --namespaced=false -o name"
    )
    out, _, code = workload.kubectl("version")
    assert code == 0 and out.endswith("Server Version: v1.37.1\n")


def _mask_ages(text: str) -> str:
    """kubectl describes client-side and measures ages with the computer's clock, while the simulated clock
    starts on 2026-01-01: the Age cells of the Events and Non-terminated Pods tables are masked and those
    tables' padding collapsed; every other byte is compared."""
    out, table = [], ""
    for line in text.splitlines():
        if line.startswith(("Events:", "Non-terminated Pods:")):
            table = line.split(":")[0]
        elif line and not line.startswith(" "):
            table = ""
        if table and line.startswith("  "):
            cells = re.split(r"\s{2,}", line.strip())
            at = 2 if table == "Events" else len(cells) - 1
            if at < len(cells) and cells[at] not in ("Age", "---", "----"):
                cells[at] = "<age>"
            line = "  " + " | ".join(cells)
        out.append(line)
    return "\n".join(out)


DESCRIBES = [
    "describe svc web",
    "describe svc kubernetes",
    "describe ns default",
    "describe ns kube-system",
    "describe deploy web",
    "describe deployment",
    "describe rs",
    "describe secret -n kube-system",
    "describe lease -n kube-node-lease node01",
    "describe role -n kube-system",
    "describe rolebinding -n kube-system",
    "describe pod solo",
    "describe pods -n kube-system -l component=etcd",
    "describe node node01",
    "describe nodes",
    "describe ep",
    "describe endpoints kubernetes web",
    "describe node node01 node02",
    "describe pods -n kube-system kube",
    "describe pods -n kube-system -l tier=control-plane",
    "describe cm settings",
    "describe cm -n kube-system",
    "describe sa -A",
    "describe clusterroles",
    "describe clusterrolebindings",
    "describe roles -A",
    "describe rolebindings -A",
    "describe endpointslices -A",
    "describe endpointslices -l kubernetes.io/service-name=web",
    "describe ds -A",
    "describe daemonset -n kube-system kube-proxy",
]


@pytest.mark.parametrize("line", DESCRIBES)
def test_describe_prints_what_ktui_prints(workload: Served, line: str) -> None:
    out, err, code = workload.kubectl(*line.split())
    ours = workload.ktui(line)
    assert (_mask_ages(out), err, code) == (_mask_ages(ours[0]), ours[1], ours[2])


LISTABLE = [r for r in REGISTRY if "list" in r.verbs]


@pytest.mark.parametrize("plural", [r.group_resource for r in LISTABLE])
def test_get_every_listable_resource_prints_what_ktui_prints(workload: Served, plural: str) -> None:
    assert workload.kubectl("get", plural, "-A") == workload.ktui(f"get {plural} -A")
    assert workload.kubectl("get", plural, "-o", "wide") == workload.ktui(f"get {plural} -o wide")
