"""A Node's status update measures only the parts that changed, and still refuses exactly what a whole
measurement refuses (etcd's ``request is too large``)."""

from __future__ import annotations

import random

import pytest

from ktui.api import limits
from ktui.api.errors import ApiError
from ktui.clusterspec import normalize_spec
from ktui.components.kubelet.node_status import node_object
from ktui.world import build_world

IDS = {"machineID": "m" * 32, "systemUUID": "u-1", "bootID": "b-1"}
SPEC = {"name": "n1", "ip": "10.0.0.9", "cpu": "4", "memory": "8Gi", "pods": 110}


@pytest.mark.parametrize("seed", range(3))
def test_a_size_measured_by_parts_is_the_size_of_the_object(seed) -> None:
    rng = random.Random(seed)

    def value(depth: int = 0):
        c = rng.random()
        if depth > 3 or c < 0.3:
            return rng.choice(["a", "ü€", "", 1, 2.5, None, True, '\n"x' * rng.randint(0, 90)])
        if c < 0.6:
            return [value(depth + 1) for _ in range(rng.randint(0, 5))]
        return {f"k{i}é\t": value(depth + 1) for i in range(rng.randint(0, 5))}

    parts: dict = {}
    obj: dict = {}
    for _ in range(300):
        # a new version keeps some members (the very values) of the last one, as a status update does
        new: dict = {}
        for top in rng.sample(["apiVersion", "kind", "metadata", "spec", "status", "x"], rng.randint(0, 6)):
            before = obj.get(top)
            if type(before) is dict and rng.random() < 0.7:
                new[top] = {k: (v if rng.random() < 0.7 else value(1)) for k, v in before.items()}
            else:
                new[top] = value()
        obj = new
        assert limits.stored_size(obj, parts) == limits.encoded_size(obj)


def test_a_node_status_too_large_to_store_is_refused_each_time_and_one_that_fits_is_stored() -> None:
    world = build_world(normalize_spec({"nodes": []}))
    server, api = world.server, world.client()
    api.create("nodes", node_object(SPEC, IDS, 0.0, [{"names": ["nginx@sha256:1"], "sizeBytes": 5}]))
    for _ in range(3):  # the stored parts' sizes remembered after the first update
        stored = api.get("nodes", "n1", shared=True)
        room = limits.MAX_STORED_BYTES - limits.encoded_size(stored)
        revision = server.store.revision
        images = [{"names": ["big@sha256:" + "f" * (room + 50)], "sizeBytes": 1}]
        status = {**stored["status"], "images": stored["status"]["images"] + images}
        with pytest.raises(ApiError) as e:
            api.update("nodes", {**stored, "status": status}, subresource="status", shared=True)
        assert (e.value.code, e.value.reason, e.value.message) == (500, "", "etcdserver: request is too large")
        assert server.store.revision == revision
        images = [{"names": ["big@sha256:" + "f" * (room // 3)], "sizeBytes": 1}]
        status = {**stored["status"], "images": images}
        out = api.update("nodes", {**stored, "status": status}, subresource="status", shared=True)
        assert out["status"]["images"] == images and server.store.revision == revision + 1
    # the last stored images stay; a condition grown past the room left is refused, though the images were
    # measured before and are not measured again
    stored = api.get("nodes", "n1", shared=True)
    room = limits.MAX_STORED_BYTES - limits.encoded_size(stored)
    for extra, refused in ((room + 1, True), (room, False)):
        cond = {**stored["status"]["conditions"][0]}
        cond["message"] = cond.get("message", "") + "m" * extra
        status = {**stored["status"], "conditions": [cond] + stored["status"]["conditions"][1:]}
        try:
            api.update("nodes", {**stored, "status": status}, subresource="status", shared=True)
        except ApiError as e:
            assert refused and (e.code, e.message) == (500, "etcdserver: request is too large")
        else:
            assert not refused
            assert limits.encoded_size(server.store.get("/registry/minions/n1").value) == limits.MAX_STORED_BYTES
