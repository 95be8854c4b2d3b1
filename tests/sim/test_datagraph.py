"""Snapshots of a world as data: a faithful round trip, and loading that builds only what is allowed."""

import enum
import io
import json
import math
import random
from collections import deque
from functools import partial

import pytest

from ktui import Cluster
from ktui.sim.datagraph import GraphError, decode_graph, encode_graph
from ktui.sim.kernel import Kernel
from ktui.state import StateError


def ours(module, qualname):
    return module.startswith("ktui.sim.") or module == __name__


def roundtrip(obj):
    return decode_graph(json.loads(json.dumps(encode_graph(obj), allow_nan=False)), ours)


def test_values_shared_and_cyclic_structure_survive():
    shared = {"a": [1, 2]}
    cyc: list = [
        shared,
        shared,
        (1, "x", None),
        {1: "int key", (2, 3): "tuple key"},
        {"f": math.inf},
        {3, 4},
        frozenset({5}),
        deque([6, 7], maxlen=5),
        b"\x00\xff",
        1.5,
        -math.inf,
        10**30,
    ]
    cyc.append(cyc)
    back = roundtrip(cyc)
    assert back[0] is back[1] and back[0] == shared
    assert back[12] is back
    assert back[2:12] == cyc[2:12] and back[7].maxlen == 5


class Phase(enum.IntEnum):
    PENDING = 1


def test_enum_members_stay_members():
    back = roundtrip([Phase.PENDING, Phase.PENDING])
    assert back[0] is Phase.PENDING and back[1] is Phase.PENDING


def test_a_kernel_with_pending_events_and_a_random_state_continues_identically():
    k, rnd = Kernel(), random.Random(7)
    log: list = []
    k.schedule(5, partial(log.append, "p"))
    k.schedule(3, log.append, "m")
    k.advance(1)
    rnd.random()
    k2, rnd2, log2 = roundtrip((k, rnd, log))
    k.advance(10)
    k2.advance(10)
    assert log == ["m", "p"] and log2 == ["m", "p"] and rnd.random() == rnd2.random()


def test_a_cluster_snapshot_continues_as_the_cluster_does():
    c = Cluster.default(seed=4)
    c.kubectl("create deployment web --image=nginx --replicas=2")
    c.advance(30)
    buf = io.StringIO()
    c.dump(buf)
    c2 = Cluster.load(io.StringIO(buf.getvalue()))
    for x in (c, c2):
        x.fault("power-off", node="node02")
        x.advance(400)
    assert c2.kubectl("get pods,nodes,events -A -o yaml") == c.kubectl("get pods,nodes,events -A -o yaml")


@pytest.mark.parametrize(
    "data, message",
    [
        ({"$id": 0, "$new": [{"$g": "os:system"}, ["true"]]}, "os:system may not be loaded"),
        ({"$id": 0, "$new": [{"$g": "builtins:eval"}, ["1"]]}, "builtins:eval may not be loaded"),
        (
            {"$g": "ktui.sim.kernel:heapq.heappush"},
            "ktui.sim.kernel:heapq.heappush is not a class or function defined in ktui.sim.kernel",
        ),
        ({"$id": 0, "$new": [{"$g": "ktui.sim.rng:SeededRandom.suffix"}, []]}, "is not a constructor"),
        ({"$m": [{"$id": 0, "$l": []}, "__class__"]}, "not a method name: '__class__'"),
        (
            {
                "$m": [
                    {
                        "$id": 0,
                        "$new": [{"$g": "copyreg:__newobj__"}, [{"$g": "ktui.sim.kernel:Kernel"}]],
                        "s": {"$id": 1, "$o": {"now": 0}},
                    },
                    "now",
                ]
            },
            "now is not a method",
        ),
        (
            {
                "$id": 0,
                "$new": [{"$g": "copyreg:__newobj__"}, [{"$g": "ktui.sim.kernel:ScheduledEvent"}]],
                "s": {"$t": [None, {"$id": 1, "$o": {"__class__": 1}}]},
            },
            "ScheduledEvent has no slot '__class__'",
        ),
        ({"$r": 5}, "a reference to nothing: 5"),
        ([1, 2], "an untagged list"),
    ],
)
def test_loading_builds_only_allowed_types(data, message):
    with pytest.raises(GraphError, match=message.replace("(", r"\(").replace(".", r"\.")):
        decode_graph(data, ours)


def test_a_state_whose_snapshot_names_other_code_is_refused():
    c = Cluster({"nodes": []})
    doc = json.loads(_dump(c))
    doc["snapshot"]["world"] = {"$id": 0, "$new": [{"$g": "subprocess:Popen"}, [["touch", "/tmp/pwned"]]]}
    with pytest.raises(StateError, match="its snapshot cannot be loaded: subprocess:Popen may not be loaded"):
        Cluster.load(io.StringIO(json.dumps(doc)))
    doc["snapshot"]["world"] = {"$id": 0, "$l": []}
    with pytest.raises(StateError, match="its snapshot is not a snapshot of a world"):
        Cluster.load(io.StringIO(json.dumps(doc)))


def _dump(c):
    buf = io.StringIO()
    c.dump(buf)
    return buf.getvalue()
