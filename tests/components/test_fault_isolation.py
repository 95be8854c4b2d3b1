"""Fault isolation: garbage written straight into the store (bypassing the API) never stops the cluster.

Every registered resource gets objects the API would never accept; the cluster then runs for ten simulated
minutes, and still serves reads and schedules, starts and replaces pods.
"""

from __future__ import annotations

from ktui import Cluster

_GARBAGE = [
    lambda ns: {"metadata": {"name": "bad-spec", "namespace": ns}, "spec": "garbage", "status": 5},
    lambda ns: {
        "metadata": {"name": "bad-types", "namespace": ns, "labels": "app=x"},
        "spec": {"containers": "x", "replicas": [1], "hard": "pods=1", "selector": 7, "ports": "80"},
        "data": 5,
    },
    lambda ns: {"metadata": "not-an-object"},
    lambda ns: ["not", "an", "object"],
    lambda ns: 42,
]


def _store_garbage(cluster: Cluster) -> int:
    server = cluster.world.server
    n = 0
    for r in server.registry:
        ns = "default" if r.namespaced else None
        for i, make in enumerate(_GARBAGE):
            key = r.key(ns, f"garbage-{i}")
            if server.store.get(key) is None:
                server.store.create(key, make("default"))
                n += 1
    return n


def test_garbage_in_the_store_does_not_stop_the_cluster() -> None:
    cluster = Cluster.default(seed=3)
    cluster.advance(5)
    revision = cluster.world.server.store.revision
    assert _store_garbage(cluster) > 100
    cluster.advance(600)  # ten simulated minutes with every controller reading the garbage
    assert cluster.now >= 605
    assert cluster.world.server.store.revision > revision

    # Reads still answer: what cannot be decoded is left out of lists, and a get names it as corrupt.
    out, err, code = cluster.kubectl("get pods")
    assert (out, err, code) == ("", "No resources found in default namespace.\n", 0)
    assert all(isinstance(p["metadata"], dict) for p in cluster.api.list("pods", None)["items"])
    out, err, code = cluster.kubectl("get pod garbage-0")
    assert (out, code) == ("", 1)
    assert err == (
        "Error from server (InternalError): Internal error occurred: corrupt object has been found: the "
        "value stored at /registry/pods/default/garbage-0 cannot be decoded as a Pod\n"
    )

    # ... and an Event says why it is missing, beside the server's log line.
    out, err, code = cluster.kubectl("get events --field-selector involvedObject.name=garbage-0")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert any(
        line.split()[1:4] == ["Warning", "CorruptObject", "pod/garbage-0"]
        and "the value stored at /registry/pods/default/garbage-0 cannot be decoded as a Pod" in line
        for line in lines[1:]
    ), out
    assert cluster.kubectl("delete pod garbage-0") == ('pod "garbage-0" deleted from default namespace\n', "", 0)

    # The control plane still works end to end: a Deployment gets running pods, a deleted one is replaced.
    out, err, code = cluster.kubectl("create deployment web --image=nginx --replicas=2")
    assert (out, err, code) == ("deployment.apps/web created\n", "", 0)
    cluster.advance(60)
    web = [p for p in cluster.api.list("pods", "default", label_selector="app=web")["items"]]
    assert len(web) == 2
    assert all(p["status"]["phase"] == "Running" for p in web)
    victim = web[0]["metadata"]["name"]
    cluster.api.delete("pods", victim, "default")
    cluster.advance(60)
    web = cluster.api.list("pods", "default", label_selector="app=web")["items"]
    names = {p["metadata"]["name"] for p in web if not p["metadata"].get("deletionTimestamp")}
    assert len(names) == 2 and victim not in names
    assert all(p["status"]["phase"] == "Running" for p in web if p["metadata"]["name"] in names)


def test_a_failing_reconcile_is_a_log_line_and_a_retry(caplog) -> None:
    from ktui.components.workqueue import WorkQueue
    from ktui.sim.kernel import Kernel

    kernel = Kernel()
    calls: list[str] = []

    def reconcile(key: str) -> None:
        calls.append(key)
        if len(calls) < 3:
            raise TypeError("'str' object has no attribute 'get'")

    q = WorkQueue(kernel, reconcile)
    q.add("default/rq")
    with caplog.at_level("WARNING", logger="ktui.components"):
        kernel.advance(1)
    assert calls == ["default/rq"] * 3
    assert q.errors == 2
    assert "error syncing 'default/rq': TypeError" in caplog.text
