"""``cluster.inspect``: what shells read of the simulation, as frozen data that leaves the world as it was."""

from __future__ import annotations

import dataclasses

import pytest

from ktui.cluster import Cluster
from ktui.state import snapshot_text

COREDNS = "coredns-797f5c7996-85sqh"


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    c = Cluster.default(seed=0)
    c.advance(60)
    return c


def test_answers_are_frozen_data(cluster: Cluster) -> None:
    why = cluster.inspect.explain_pod("kube-system", COREDNS)
    routing = cluster.inspect.node_routing("node01")
    trace = cluster.inspect.trace("kube-system", COREDNS, "10.96.0.10:53", "udp")
    health = cluster.inspect.node_health("node01")
    [container] = cluster.inspect.containers("kube-system", COREDNS)
    for answer in (why, why.nodes[0], routing, routing.routes[0], trace, trace.hops[0], health, container):
        field = dataclasses.fields(answer)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(answer, field, None)
    assert isinstance(why.nodes, tuple) and isinstance(routing.routes, tuple) and isinstance(trace.hops, tuple)
    assert (why.outcome, container.name, container.state) == ("scheduled", "coredns", "running")
    assert health.to_json() == {"node": "node01", "kubeletRunning": True, "powered": True, "networkOK": True}


def test_reads_leave_the_world_exactly_as_it_was(cluster: Cluster) -> None:
    before = snapshot_text(cluster)
    inspect = cluster.inspect
    for _ in range(2):
        inspect.trace("kube-system", COREDNS, "kube-dns.kube-system:53", "udp")
        inspect.trace("kube-system", COREDNS, "http://10.96.0.1:443")
        inspect.iptables("node02")
        inspect.routing()
        inspect.explain_pod("kube-system", COREDNS)
        inspect.containers("kube-system", COREDNS)
        inspect.next_event()
    assert snapshot_text(cluster) == before


def test_unknown_names(cluster: Cluster) -> None:
    inspect = cluster.inspect
    assert inspect.node_routing("node09") is None and inspect.iptables("node09") is None
    assert inspect.node_health("node09") is None
    assert inspect.containers("default", "nope") == ()
    assert inspect.explain_pod("default", "nope").to_json() == {
        "pod": "default/nope",
        "outcome": "not-attempted",
        "queue": None,
        "nodes": [],
    }
    t = inspect.trace("default", "nope", "web:80")
    assert (t.ok, t.failure, t.reason) == (False, "no-source", 'pods "nope" not found')


def test_routes_derived_from_the_api_match_what_kube_proxy_programmed() -> None:
    c = Cluster.default(seed=1)
    c.advance(30)
    programmed = c.inspect.routing()
    del c.world.network  # a world without the network model: the routes come from Services and EndpointSlices
    derived = c.inspect.routing()
    assert [r.programmed for r in programmed] == [True] * 3 and [r.programmed for r in derived] == [False] * 3
    assert [(r.node, r.node_ip, r.routes) for r in derived] == [(r.node, r.node_ip, r.routes) for r in programmed]
    assert c.inspect.trace("kube-system", "x", "web") is None


def test_step_report_names_what_ran_and_the_events_it_recorded() -> None:
    c = Cluster.default(seed=0)
    c.api.create(
        "pods",
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "nginx"},
            "spec": {"containers": [{"name": "nginx", "image": "nginx"}]},
        },
    )
    seen = []
    for _ in range(50):
        pending = c.inspect.next_event()
        report = c.step_report()
        assert report is not None and report.what.startswith(pending.what) and c.now == report.time == pending.time
        seen.append(report)
        if any(e.startswith("Scheduled:") for e in report.events):
            break
    node = c.api.get("pods", "nginx", "default")["spec"]["nodeName"]
    assert seen[-1].what == (
        "kube-scheduler: a scheduling cycle (takes the next pod from its queue) -> bound "
        f"default/nginx to {node} (a Binding: the pod's spec.nodeName)"
    )
    assert seen[-1].events == (f"Scheduled: Successfully assigned default/nginx to {node}",)
    assert seen[-1].lines()[1] == f"  Event Scheduled: Successfully assigned default/nginx to {node}"


def test_node_health_and_containers_follow_faults() -> None:
    c = Cluster.default(seed=0)
    c.advance(30)
    c.fault("kubelet-stop", node="node01")
    c.fault("power-off", node="node02")
    assert c.inspect.node_health("node01").to_json() == {
        "node": "node01",
        "kubeletRunning": False,
        "powered": True,
        "networkOK": True,
    }
    assert (c.inspect.node_health("node02").powered, c.inspect.node_health("node02").kubelet_running) == (False, False)
    c2 = Cluster.default(seed=0)
    c2.advance(30)
    c2.fault("container-crash", namespace="kube-system", pod=COREDNS, container="coredns")
    c2.advance(30)
    attempts = [(x.attempt, x.state) for x in c2.inspect.containers("kube-system", COREDNS)]
    assert attempts[0] == (0, "exited") and attempts[-1] == (1, "running")
