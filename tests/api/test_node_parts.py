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
        tops = list(obj) if obj and rng.random() < 0.7 else ["apiVersion", "kind", "metadata", "spec", "status", "x"]
        for top in rng.sample(tops, rng.randint(0, len(tops)) if rng.random() < 0.3 else len(tops)):
            before = obj.get(top)
            if type(before) is dict and rng.random() < 0.8:
                new[top] = {k: (v if rng.random() < 0.7 else value(1)) for k, v in before.items()}
                if rng.random() < 0.1:
                    new[top]["added"] = value(1)
            else:
                new[top] = value() if rng.random() < 0.5 else before
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


LABEL_ERROR = (
    'Node "n1" is invalid: metadata.labels: Invalid value: "bad key!": name part must consist of alphanumeric '
    "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or "
    "'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)


def test_node_checks_passed_before_are_skipped_only_for_the_very_metadata_and_spec_they_passed() -> None:
    world = build_world(normalize_spec({"nodes": []}))
    api, store = world.client(), world.store
    api.create("nodes", node_object(SPEC, IDS, 0.0, []))
    for _ in range(2):  # checked, then found checked before
        stored = api.get("nodes", "n1", shared=True)
        api.update("nodes", {**stored, "status": {**stored["status"]}}, subresource="status", shared=True)
    # a user's metadata on a */status update is not taken (the stored one is kept), invalid or too large
    stored = api.get("nodes", "n1")
    for md in ({"labels": {"bad key!": "x"}}, {"annotations": {"a": "x" * 300_000}}, {"uid": "other"}):
        out = api.update("nodes", {**stored, "metadata": {**stored["metadata"], **md}}, subresource="status")
        assert out["metadata"]["labels"] == stored["metadata"]["labels"]
        assert out["metadata"]["uid"] == stored["metadata"]["uid"]
        assert out["metadata"]["annotations"] == stored["metadata"]["annotations"]
    # an invalid label stored around the API is found by the next status update, as before
    kv = store.get("/registry/minions/n1")
    store.update(kv.key, {**kv.value, "metadata": {**kv.value["metadata"], "labels": {"bad key!": "x"}}})
    for subresource in ("status", "status", ""):
        revision = store.revision
        with pytest.raises(ApiError) as e:
            api.update("nodes", api.get("nodes", "n1"), subresource=subresource)
        assert (e.value.code, e.value.message) == (422, LABEL_ERROR)
        assert store.revision == revision
    # the stored metadata valid again (other values than those checked before): stored
    kv = store.get("/registry/minions/n1")
    store.update(kv.key, {**kv.value, "metadata": {**kv.value["metadata"], "labels": {"ok": "x"}}})
    assert api.update("nodes", api.get("nodes", "n1"), subresource="status")["metadata"]["labels"] == {"ok": "x"}
    # an invalid taint stored around the API (a spec not checked before) is refused too
    kv = store.get("/registry/minions/n1")
    store.update(kv.key, {**kv.value, "spec": {"taints": [{"key": "k", "effect": "Sometimes"}]}})
    with pytest.raises(ApiError) as e:
        api.update("nodes", api.get("nodes", "n1"), subresource="status")
    assert e.value.code == 422 and 'spec.taints[0].effect: Unsupported value: "Sometimes"' in e.value.message
    # and a plain update with an invalid label is refused whatever was checked before
    stored = api.get("nodes", "n1")
    api.update("nodes", {**stored, "spec": {}})
    stored = api.get("nodes", "n1")
    with pytest.raises(ApiError) as e:
        api.update("nodes", {**stored, "metadata": {**stored["metadata"], "labels": {"bad key!": "x"}}})
    assert (e.value.code, e.value.message) == (422, LABEL_ERROR)


def test_sizes_remembered_stay_exact_when_the_store_shares_equal_parts_between_nodes() -> None:
    world = build_world(normalize_spec({"nodes": []}))
    server, api = world.server, world.client()
    for name in ("n1", "n2"):
        api.create("nodes", node_object({**SPEC, "name": name}, IDS, 0.0, [{"names": ["a@sha256:1"], "sizeBytes": 5}]))
    for i in range(1, 5):  # (a heartbeat at 0 s would change nothing: no write)
        for name in ("n1", "n2"):  # equal conditions: the second node's are shared with the first's
            stored = api.get("nodes", name, shared=True)
            conditions = [{**c, "lastHeartbeatTime": f"2026-01-01T00:0{i}:00Z"} for c in stored["status"]["conditions"]]
            if i == 4:
                conditions[0]["message"] = "m" * (10 * i + len(name))
            api.update(
                "nodes", {**stored, "status": {**stored["status"], "conditions": conditions}}, subresource="status"
            )
            value = world.store.get(f"/registry/minions/{name}").value
            parts = server._stored_parts(f"/registry/minions/{name}")
            assert parts[()] == (value, limits.encoded_size(value))
            assert all(limits.encoded_size(v) == size for v, size in parts.values())
