"""The seed's two stories on the built-in cluster, timed on the simulated clock."""

import pytest

from ktui import Cluster
from ktui.sim.timefmt import parse_duration, parse_rfc3339


def _events(c, name):
    evs = [e for e in c.api.list("events", "default")["items"] if e["involvedObject"]["name"] == name]
    return [
        (parse_rfc3339(e["firstTimestamp"]), e["source"]["component"], e["reason"], e["message"])
        for e in sorted(evs, key=lambda e: (e["firstTimestamp"], int(e["metadata"]["resourceVersion"])))
    ]


def test_one_pod_from_kubectl_run_to_a_running_container():
    c = Cluster.default(seed=0)
    t0 = c.now
    out, err, code = c.kubectl("run nginx --image=nginx")
    assert (out, err, code) == ("pod/nginx created\n", "", 0)
    stored = c.api.get("pods", "nginx")
    assert stored["status"]["phase"] == "Pending" and "nodeName" not in stored["spec"]
    c.advance(30)
    pod = c.api.get("pods", "nginx")
    node = c.api.get("nodes", pod["spec"]["nodeName"])
    assert pod["status"]["phase"] == "Running"
    prefix = node["spec"]["podCIDR"].rsplit(".", 1)[0] + "."
    assert (
        pod["status"]["podIP"].startswith(prefix)
        and pod["status"]["hostIP"] == node["status"]["addresses"][0]["address"]
    )
    events = _events(c, "nginx")
    assert [(src, reason) for _, src, reason, _ in events] == [
        ("default-scheduler", "Scheduled"),
        ("kubelet", "Pulling"),
        ("kubelet", "Pulled"),
        ("kubelet", "Created"),
        ("kubelet", "Started"),
    ]
    times = [t - t0 for t, *_ in events]
    assert times[0] == 0 and times[1] == 0 and times == sorted(times) and 0 < times[2] < 10
    assert events[0][3] == f"Successfully assigned default/nginx to {node['metadata']['name']}"
    assert events[1][3] == 'Pulling image "nginx"'


def _stop_right_after_a_heartbeat(c, node):
    """Step the clock to the instant node's kubelet has just renewed its Lease, then stop the kubelet."""
    start = c.api.get("leases", node, "kube-node-lease")["spec"]["renewTime"]
    while c.api.get("leases", node, "kube-node-lease")["spec"]["renewTime"] == start:
        c.step()
    c.run_until(c.now)
    c.fault("kubelet-stop", node=node)
    return c.now


def _ready(c, node):
    return next(x["status"] for x in c.api.get("nodes", node)["status"]["conditions"] if x["type"] == "Ready")


@pytest.mark.parametrize("grace", ["40s", "50s"])
def test_node_failure_timeline(grace):
    spec = {"components": {"kube-controller-manager": {"node-monitor-grace-period": grace}}}
    c = Cluster({**spec, "seed": 0})
    c.kubectl("create deployment web --image=nginx --replicas=4")
    c.advance(20)
    on_node01 = [
        p["metadata"]["name"]
        for p in c.api.list("pods", "default", label_selector="app=web")["items"]
        if p["spec"]["nodeName"] == "node01"
    ]
    assert on_node01
    t0 = _stop_right_after_a_heartbeat(c, "node01")
    g = parse_duration(grace)
    seen_unknown = None
    while c.now < t0 + g + 10:
        c.advance(1)
        if seen_unknown is None and _ready(c, "node01") == "Unknown":
            seen_unknown = c.now - t0
    assert g < seen_unknown <= g + 5
    cond = next(x for x in c.api.get("nodes", "node01")["status"]["conditions"] if x["type"] == "Ready")
    assert cond["reason"] == "NodeStatusUnknown" and cond["message"] == "Kubelet stopped posting node status."
    taints = {(t["key"], t["effect"]) for t in c.api.get("nodes", "node01")["spec"]["taints"]}
    assert ("node.kubernetes.io/unreachable", "NoExecute") in taints
    # Nothing is evicted before the 300s toleration runs out...
    c.run_until(t0 + g + 290)
    assert not any(p["metadata"].get("deletionTimestamp") for p in c.api.list("pods", "default")["items"])
    # ...then the pods are evicted, stay Terminating (no kubelet to confirm) and are replaced on node02.
    c.run_until(t0 + g + 340)
    pods = c.api.list("pods", "default", label_selector="app=web")["items"]
    gone = {p["metadata"]["name"] for p in pods if p["metadata"].get("deletionTimestamp")}
    assert gone == set(on_node01)
    c.advance(30)
    live = [
        p
        for p in c.api.list("pods", "default", label_selector="app=web")["items"]
        if not p["metadata"].get("deletionTimestamp")
    ]
    assert len(live) == 4 and all(p["spec"]["nodeName"] == "node02" and p["status"]["phase"] == "Running" for p in live)
    out, _, _ = c.kubectl("get pods -l app=web")
    assert out.count("Terminating") == len(on_node01)
    # node01 comes back: Ready again, the taints go.
    c.fault("kubelet-start", node="node01")
    c.advance(30)
    assert _ready(c, "node01") == "True"
    assert not c.api.get("nodes", "node01")["spec"].get("taints")
