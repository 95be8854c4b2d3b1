"""The simulation control API (``/ktui/v1/...``) with the real kubectl 1.37 over loopback, as a learner types it:
``kubectl get --raw`` for the reads, ``kubectl create --raw -f -`` for the steps, ``--as jane`` for RBAC."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import pytest

from ktui.cluster import Cluster
from ktui.scenario.runner import next_step
from ktui.scenario.session import ScenarioSession
from ktui.server import PKI, KtuiServer, ServerThread
from ktui.server.kubeconfig import kubeconfig_text

from .conftest import Served, serve

COREDNS = "coredns-797f5c7996-85sqh"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The built-in cluster (seed 0) a minute after it started, with a pod no node can take and an observer
    role: ``viewer`` may get every ``/ktui/v1/*`` path but no pod."""
    cluster = Cluster.default(seed=0)
    cluster.advance(60)
    cluster.api.create(
        "pods",
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "big"},
            "spec": {"containers": [{"name": "big", "image": "nginx", "resources": {"requests": {"cpu": "16"}}}]},
        },
    )
    cluster.api.create(
        "clusterroles",
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": "ktui-observer"},
            "rules": [{"nonResourceURLs": ["/ktui/v1/*"], "verbs": ["get"]}],
        },
    )
    cluster.api.create(
        "clusterrolebindings",
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {"name": "viewer"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "ktui-observer"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "viewer"}],
        },
    )
    cluster.advance(1)
    yield from serve(tmp_path_factory.mktemp("control"), cluster)


def raw(served: Served, path: str, *extra: str) -> tuple[object, str, int]:
    """``kubectl get --raw PATH``: the JSON answer (or None), stderr and the exit code."""
    out, err, code = served.kubectl("get", "--raw", path, *extra)
    return (json.loads(out) if out else None), err, code


def post(served: Served, path: str, body: str = "", *extra: str) -> tuple[object, str, int]:
    """``kubectl create --raw PATH -f -`` (a POST) with ``body`` on stdin."""
    out, err, code = served.kubectl("create", "--raw", path, "-f", "-", *extra, stdin=body)
    return (json.loads(out) if out else None), err, code


def world_requests(served: Served) -> int:
    return served.call(lambda: served.cluster.world.server.requests)


# ---------------------------------------------------------------------------- the scheduler's explanation


def test_the_schedulers_explanation_of_a_scheduled_pod(served: Served) -> None:
    out, err, code = raw(served, f"/ktui/v1/namespaces/kube-system/pods/{COREDNS}/scheduling")
    assert (err, code) == ("", 0)
    assert out == served.call(lambda: served.cluster.inspect.explain_pod("kube-system", COREDNS).to_json())
    node = served.ktui(f"get pod -n kube-system {COREDNS} -o jsonpath={{.spec.nodeName}}")[0]
    assert (out["outcome"], out["node"], out["numAllNodes"]) == ("scheduled", node, 3)
    assert out["message"] == f"Successfully assigned kube-system/{COREDNS} to {node}"
    chosen = next(n for n in out["nodes"] if n["name"] == node)
    assert chosen["filter"] == "passed" and chosen["total"] == max(n["total"] for n in out["nodes"])


def test_the_schedulers_explanation_of_a_pending_pod(served: Served) -> None:
    out, _, code = raw(served, "/ktui/v1/namespaces/default/pods/big/scheduling")
    assert code == 0 and out["outcome"] == "unschedulable" and out["feasibleNodes"] == 0
    assert out["message"].startswith("0/3 nodes are available:")
    assert out["queue"] in ("unschedulable", "backoff")
    assert {n["name"]: (n["filter"], n["plugin"]) for n in out["nodes"] if n["name"] != "controlplane"} == {
        "node01": ("failed", "NodeResourcesFit"),
        "node02": ("failed", "NodeResourcesFit"),
    }
    assert any("Insufficient cpu" in n["reason"] for n in out["nodes"])


def test_a_missing_pod_is_not_found_and_jane_is_forbidden(served: Served) -> None:
    assert raw(served, "/ktui/v1/namespaces/default/pods/nope/scheduling") == (
        None,
        'Error from server (NotFound): pods "nope" not found\n',
        1,
    )
    path = f"/ktui/v1/namespaces/kube-system/pods/{COREDNS}/scheduling"
    assert raw(served, path, "--as", "jane") == (
        None,
        f'Error from server (Forbidden): forbidden: User "jane" cannot get path "{path}"\n',
        1,
    )
    # The path alone is not enough: the caller must also be allowed to read the pod.
    assert raw(served, path, "--as", "viewer") == (
        None,
        (
            f'Error from server (Forbidden): pods "{COREDNS}" is forbidden: User "viewer" cannot get resource "pods" '
            'in API group "" in the namespace "kube-system"\n'
        ),
        1,
    )
    assert served.kubectl("auth", "can-i", "get", "/ktui/v1/nodes/node01/routes", "--as", "viewer")[0] == "yes\n"
    assert served.kubectl("auth", "can-i", "get", "/ktui/v1/nodes/node01/routes", "--as", "jane")[0] == "no\n"


# ---------------------------------------------------------------------------- routes, iptables, traces


def test_a_nodes_routing_table(served: Served) -> None:
    out, _, code = raw(served, "/ktui/v1/nodes/node01/routes")
    assert code == 0 and out == served.call(lambda: served.cluster.inspect.node_routing("node01").to_json())
    assert (out["node"], out["programmed"]) == ("node01", True)
    dns = next(r for r in out["routes"] if r["name"] == "kube-system/kube-dns:dns")
    assert (dns["clusterIP"], dns["port"], dns["protocol"]) == ("10.96.0.10", 53, "UDP")
    assert dns["chain"].startswith("KUBE-SVC-") and len(dns["endpoints"]) == 2
    assert all(e["reachable"] and e["chain"].startswith("KUBE-SEP-") for e in dns["endpoints"])
    assert raw(served, "/ktui/v1/nodes/node09/routes") == (
        None,
        'Error from server (NotFound): nodes "node09" not found\n',
        1,
    )
    assert raw(served, "/ktui/v1/nodes/node01/routes", "--as", "jane")[1:] == (
        'Error from server (Forbidden): forbidden: User "jane" cannot get path "/ktui/v1/nodes/node01/routes"\n',
        1,
    )


def test_a_nodes_iptables_text(served: Served) -> None:
    out, _, code = raw(served, "/ktui/v1/nodes/node01/iptables")
    assert code == 0 and (out["node"], out["table"]) == ("node01", "nat")
    text = out["text"]
    assert text == served.call(lambda: served.cluster.inspect.iptables("node01"))
    assert text.startswith("# Generated by iptables-save v1.8.11 (nf_tables) on Thu Jan  1 00:03:01 2026\n*nat\n")
    assert '-A KUBE-SERVICES -d 10.96.0.10/32 -p udp -m comment --comment "kube-system/kube-dns:dns cluster IP"' in text
    assert text.endswith("COMMIT\n# Completed on Thu Jan  1 00:03:01 2026\n")


def test_a_trace_is_a_what_if_that_changes_nothing(served: Served) -> None:
    path = f"/ktui/v1/namespaces/kube-system/pods/{COREDNS}/trace?to=10.96.0.10:53&protocol=udp"
    before = world_requests(served)
    first, _, code = raw(served, path)
    assert code == 0 and first["ok"] and first["protocol"] == "udp"
    assert [h["step"] for h in first["hops"]][:2] == ["pod", "KUBE-SERVICES"]
    assert first["destPod"].startswith("kube-system/coredns-") and first["endpoint"].endswith(":53")
    assert raw(served, path)[0] == first  # the same answer: the first trace left nothing behind
    assert world_requests(served) == before
    refused, _, _ = raw(served, f"/ktui/v1/namespaces/kube-system/pods/{COREDNS}/trace?to=10.96.0.1:80")
    assert (refused["ok"], refused["failure"]) == (False, "timeout")
    assert "no rule for 10.96.0.1:80/tcp" in refused["reason"]
    assert raw(served, f"/ktui/v1/namespaces/kube-system/pods/{COREDNS}/trace")[1:] == (
        "Error from server (BadRequest): a trace needs a target: ?to=HOST[:PORT] or ?to=URL\n",
        1,
    )
    assert raw(served, f"/ktui/v1/namespaces/kube-system/pods/{COREDNS}/trace?to=x&protocol=icmp")[1:] == (
        'Error from server (BadRequest): unknown protocol "icmp" (expected one of: tcp, udp, sctp)\n',
        1,
    )


def test_the_kubelets_containers_of_a_pod(served: Served) -> None:
    out, _, code = raw(served, f"/ktui/v1/namespaces/kube-system/pods/{COREDNS}/containers")
    assert code == 0 and out["pod"] == f"kube-system/{COREDNS}"
    [c] = out["containers"]
    assert (c["name"], c["state"], c["attempt"], c["image"]) == (
        "coredns",
        "running",
        0,
        "registry.k8s.io/coredns/coredns:v1.12.1",
    )
    assert raw(served, "/ktui/v1/namespaces/default/pods/big/containers")[0]["containers"] == []


# ---------------------------------------------------------------------------- stepping the clock


def test_stepping_event_by_event(served: Served) -> None:
    nxt, _, code = raw(served, "/ktui/v1/clock/next")
    assert code == 0 and nxt["pending"] and nxt["time"] >= nxt["now"]
    ran, _, code = post(served, "/ktui/v1/clock/step")
    assert code == 0 and ran["ran"] and (ran["time"], ran["what"]) == (nxt["time"], nxt["what"])
    assert served.call(lambda: served.cluster.now) == nxt["time"]
    assert post(served, "/ktui/v1/clock/step", "", "--as", "viewer")[1:] == (
        'Error from server (Forbidden): forbidden: User "viewer" cannot post path "/ktui/v1/clock/step"\n',
        1,
    )


def test_no_scenario_and_unknown_paths(served: Served) -> None:
    assert raw(served, "/ktui/v1/scenario")[1:] == (
        "Error from server (NotFound): the server could not find the requested resource (this cluster runs no "
        "scenario)\n",
        1,
    )
    assert raw(served, "/ktui/v1/nodes/node01/bogus")[1:] == (
        "Error from server (NotFound): the server could not find the requested resource\n",
        1,
    )
    assert raw(served, "/ktui/v1/bogus", "--as", "jane")[1:] == (
        'Error from server (Forbidden): forbidden: User "jane" cannot get path "/ktui/v1/bogus"\n',
        1,
    )
    assert served.kubectl("replace", "--raw", "/ktui/v1/clock", "-f", "/dev/null", "--as", "jane")[1:] == (
        'Error from server (Forbidden): forbidden: User "jane" cannot put path "/ktui/v1/clock"\n',
        1,
    )
    assert served.kubectl("replace", "--raw", "/ktui/v1/clock", "-f", "/dev/null")[1:] == (
        "Error from server (NotFound): the server could not find the requested resource\n",
        1,
    )


# ---------------------------------------------------------------------------- a served scenario


@pytest.fixture
def scenario(tmp_path: Path) -> Iterator[tuple[Served, ScenarioSession]]:
    session = ScenarioSession("pod-lifecycle")
    pki = PKI(tmp_path / "pki")
    pki.ensure()
    with ServerThread(KtuiServer(session.cluster, pki, port=0, speed=0.0, scenario=session)) as thread:
        kubeconfig = tmp_path / "config"
        kubeconfig.write_text(kubeconfig_text(pki, thread.server.url))
        yield Served(thread, session.cluster, pki, tmp_path, kubeconfig), session


def test_scenario_steps_and_rewind_over_the_api(scenario: tuple[Served, ScenarioSession]) -> None:
    served, session = scenario
    headless = ScenarioSession("pod-lifecycle", checkpoints=False)
    total = len(headless.steps)
    expected = [next_step(headless).render(total) for _ in range(2)]

    state, _, code = raw(served, "/ktui/v1/scenario")
    assert code == 0 and (state["name"], state["position"], state["steps"], state["done"]) == (
        "pod-lifecycle",
        0,
        total,
        False,
    )
    assert state["next"] == {"step": 1, "kind": "run", "title": "The cluster"}
    pods_before = served.kubectl("get", "pods", "-A", "-o", "name")
    for i in range(2):
        out, err, code = post(served, "/ktui/v1/scenario/step")
        assert (err, code) == ("", 0)
        assert out["transcript"] == expected[i] and out["ok"] and out["scenario"]["position"] == i + 1
    assert "pod/nginx" in served.kubectl("get", "pods", "-o", "name")[0]
    assert post(served, "/ktui/v1/scenario/step", "", "--as", "jane")[1:] == (
        'Error from server (Forbidden): forbidden: User "jane" cannot post path "/ktui/v1/scenario/step"\n',
        1,
    )

    assert post(served, "/ktui/v1/scenario/rewind", '{"to": 2}')[1:] == (
        "Error from server (BadRequest): to must be a step number from 0 to 1\n",
        1,
    )
    out, _, code = post(served, "/ktui/v1/scenario/rewind", '{"to": 0}')
    assert code == 0 and [u["step"] for u in out["undone"]] == [2, 1] and out["scenario"]["position"] == 0
    assert served.kubectl("get", "pods", "-A", "-o", "name") == pods_before
    assert post(served, "/ktui/v1/scenario/rewind")[1:] == (
        "Error from server (BadRequest): pod-lifecycle: no step has run yet\n",
        1,
    )
    out, _, code = post(served, "/ktui/v1/scenario/step")
    assert code == 0 and out["transcript"] == expected[0]
