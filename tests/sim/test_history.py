"""Recorded inputs as plain data, a cluster saved as its input log and replayed, bounded clock advances."""

import io
import json
import math

import pytest

from ktui import Cluster
from ktui.sim.history import plain_data
from ktui.state import StateError


def _busy_cluster() -> Cluster:
    c = Cluster.default(seed=5)
    c.kubectl("create deployment web --image=nginx --replicas=3")
    c.advance(20)
    c.kubectl("expose deployment web --port=80")
    c.kubectl("run bb --image=busybox -- sleep 3600")
    c.advance(15)
    assert c.kubectl(["exec", "bb", "--", "sh", "-c", "echo hello > /tmp/greeting"])[2] == 0
    assert "Welcome to nginx!" in c.kubectl("exec bb -- wget -qO- web")[0]
    c.kubectl("create configmap settings --from-literal=mode=debug")
    c.kubectl('patch configmap settings -p {"data":{"mode":"info"}}')
    c.fault("kubelet-stop", node="node01")
    c.advance(60)
    return c


def _view(c: Cluster) -> tuple:
    return (
        c.now,
        c.world.kernel.steps,
        c.kubectl("get all,cm,ep,events -A -o yaml")[0],
        c.kubectl("logs deploy/web")[0],
        c.kubectl("exec bb -- cat /tmp/greeting")[0],
    )


def test_a_cluster_saved_as_its_inputs_loads_identical_and_runs_on_identically():
    c = _busy_cluster()
    buf = io.BytesIO()
    c.dump(buf)
    doc = json.loads(buf.getvalue())
    assert (doc["kind"], doc["format"], doc["seed"], doc["now"]) == ("ktui-cluster-state", 1, 5, c.now)
    assert [i[2] for i in doc["inputs"]].count("exec") == 2 and [i[2] for i in doc["inputs"]].count("fault") == 1
    buf.seek(0)
    c2 = Cluster.load(buf)
    assert _view(c2) == _view(c)
    assert c2.kubectl("exec bb -- cat /tmp/greeting")[0] == "hello\n"
    for cluster in (c, c2):
        cluster.kubectl("scale deployment web --replicas=5")
        cluster.advance(400)  # node01's pods are evicted and replaced
    assert _view(c2) == _view(c)


def test_a_loaded_cluster_can_rewind_into_its_loaded_past():
    c = Cluster({"nodes": [], "seed": 1})
    c.api.create("configmaps", {"metadata": {"name": "a"}})
    c.advance(10)
    c.api.create("configmaps", {"metadata": {"name": "b"}})
    c.advance(10)
    c2 = Cluster.load(io.StringIO(_dumps(c)))
    c2.rewind(to=c2.now - 15)
    assert [m["metadata"]["name"] for m in c2.api.list("configmaps", "default")["items"]] == ["a"]


def _dumps(c: Cluster) -> str:
    buf = io.StringIO()
    c.dump(buf)
    return buf.getvalue()


def test_outside_watches_do_not_change_what_is_recorded():
    """A watch of the UI or of `kubectl get -w` delivers through the kernel; those deliveries do not count as
    steps, so the inputs recorded beside them replay the same on a world without watchers."""
    plain, watched = Cluster.default(seed=2), Cluster.default(seed=2)
    seen = []
    watched.api.watch("pods", lambda t, o: seen.append(t))
    for c in (plain, watched):
        c.kubectl("run a --image=nginx")
        c.advance(3)
        c.kubectl("run b --image=nginx")
        c.advance(30)
    a, b = json.loads(_dumps(plain)), json.loads(_dumps(watched))
    assert seen and (a["steps"], a["now"]) == (b["steps"], b["now"])
    assert a["inputs"] == b["inputs"]
    loaded = Cluster.load(io.StringIO(_dumps(watched)))
    assert loaded.kubectl("get pods -o yaml") == watched.kubectl("get pods -o yaml")
    watched.kubectl("run c --image=nginx")  # a delivery to the watcher (a lambda) is queued, not yet made
    n = len(seen)
    loaded = Cluster.load(io.StringIO(_dumps(watched)))  # saved without the watcher and its queued delivery
    watched.advance(1)
    assert seen[n : n + 1] == ["ADDED"]
    loaded.advance(1)
    assert loaded.kubectl("get pods -o yaml") == watched.kubectl("get pods -o yaml")


def test_recorded_inputs_are_plain_data():
    assert plain_data({"a": (1, [2.5, None, True]), "b": "x"}) == {"a": [1, [2.5, None, True]], "b": "x"}
    for bad in ({1: "x"}, {"s": {1, 2}}, [b"bytes"], [object()], {"f": math.nan}, [math.inf]):
        with pytest.raises(TypeError, match="not plain data"):
            plain_data(bad)
    c = Cluster({"nodes": []})
    before = len(c._history.inputs)
    with pytest.raises(TypeError, match="not plain data: set"):
        c.api.create("configmaps", {"metadata": {"name": "x"}, "data": {"k": {"not", "json"}}})
    assert len(c._history.inputs) == before
    with pytest.raises(Exception):
        c.api.get("configmaps", "x")


def test_a_state_names_no_code():
    c = Cluster({"nodes": []})
    c.api.create("configmaps", {"metadata": {"name": "x"}})
    doc = json.loads(_dumps(c))
    doc["snapshot"] = None  # replay every input from the spec
    doc["inputs"][0][3]["verb"] = "__init__"
    with pytest.raises(StateError, match="its inputs do not replay: not a recorded API verb: '__init__'"):
        Cluster.load(io.StringIO(json.dumps(doc)))


@pytest.mark.parametrize(
    "seconds, message",
    [
        (math.nan, "cannot advance by nan: not a finite duration"),
        (math.inf, "cannot advance by inf: not a finite duration"),
        (-1, "cannot advance by a negative duration; use rewind()"),
        (1e12, "cannot advance by 277777777h46m40s: at most 168h0m0s (one week) per call"),
        (7 * 24 * 3600 + 1, "cannot advance by 168h0m1s: at most 168h0m0s (one week) per call"),
        ("5m", "cannot advance by '5m': not a number of seconds"),
    ],
)
def test_advance_refuses_what_it_cannot_cover(seconds, message):
    c = Cluster({"nodes": []})
    with pytest.raises(ValueError) as e:
        c.advance(seconds)
    assert str(e.value) == message
    if not isinstance(seconds, (int, float)) or seconds > 0 or math.isnan(seconds):
        with pytest.raises(ValueError):
            c.run_until(c.now + seconds if isinstance(seconds, (int, float)) else seconds)
    assert c.now == 0 and c._history.inputs == []


def test_advance_of_a_week_is_allowed_and_run_until_now_runs_what_is_due():
    c = Cluster({"nodes": []})
    c.advance(7 * 24 * 3600)
    assert c.now == 7 * 24 * 3600
    seen = []
    c.world.kernel.call_soon(seen.append, "due now")
    c.run_until(c.now)
    assert seen == ["due now"] and c.now == 7 * 24 * 3600
