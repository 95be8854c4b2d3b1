"""A status update whose status holds the stored status's own parts (the kubelet's node status report) gets
the answer, stored bytes, errors and warnings that a body copied part by part gets."""

from __future__ import annotations

import json

import pytest

from ktui.api.errors import ApiError
from ktui.api.objects import copy_json
from ktui.clusterspec import normalize_spec
from ktui.components.kubelet.node_status import node_object
from ktui.world import build_world

IDS = {"machineID": "m" * 32, "systemUUID": "u-1", "bootID": "b-1"}
SPEC = {"name": "n1", "ip": "10.0.0.9", "cpu": "4", "memory": "8Gi", "pods": 110}


def _world():
    world = build_world(normalize_spec({"nodes": []}))
    api = world.client()
    warnings: list[str] = []
    api.warning_handler = warnings.append
    api.create("nodes", node_object(SPEC, IDS, 0.0, [{"names": ["nginx@sha256:1"], "sizeBytes": 5}]))
    return world, api, warnings


def _heartbeat(status: dict) -> dict:
    return {**status, "conditions": [{**c, "lastHeartbeatTime": "2026-01-01T00:05:00Z"} for c in status["conditions"]]}


CHANGES = [
    lambda s: s,  # the usual report: only heartbeat times moved
    lambda s: {**s, "capacity": {**s["capacity"], "cpu": "8"}},
    lambda s: {**s, "capacity": {**s["capacity"], "cpu": 8}},  # a type error in a changed part
    lambda s: {**s, "nodeInfo": {**s["nodeInfo"], "bogus": 1}},  # an unknown field: a warning, or 400 when Strict
    lambda s: {**s, "addresses": None},  # a null part
    lambda s: dict(reversed(list(s.items()))),  # another key order
    lambda s: {k: v for k, v in s.items() if k != "images"},  # a part left out
    lambda s: {**s, "daemonEndpoints": {"kubeletEndpoint": {"Port": "x"}}},
    lambda s: {**s, "conditions": [{**s["conditions"][0], "lastTransitionTime": "yesterday"}]},
]


@pytest.mark.parametrize("change", range(len(CHANGES)))
@pytest.mark.parametrize("field_validation", [None, "Strict"])
def test_a_status_sharing_stored_parts_answers_as_a_copied_one(change, field_validation):
    results = []
    for shared_parts in (True, False):
        world, api, warnings = _world()
        stored = api.get("nodes", "n1", shared=True)
        status = CHANGES[change](_heartbeat(stored["status"]))
        body = {**stored, "status": status}
        if shared_parts:
            assert any(v is stored["status"].get(k) for k, v in status.items())  # parts sent as stored
        else:
            body = copy_json(body)
        warnings.clear()
        try:
            answer = api.update("nodes", body, subresource="status", field_validation=field_validation)
            outcome = ("ok", json.dumps(answer), json.dumps(api.get("nodes", "n1")), list(warnings))
        except ApiError as e:
            outcome = ("error", e.code, str(e), list(warnings))
        results.append((outcome, world.store.revision))
    assert results[0] == results[1]


def test_the_stored_status_keeps_the_parts_it_was_sent_by_identity():
    world, api, _ = _world()
    stored = api.get("nodes", "n1", shared=True)
    api.update("nodes", {**stored, "status": _heartbeat(stored["status"])}, subresource="status", shared=True)
    after = world.store.get("/registry/minions/n1").value
    assert after["status"]["nodeInfo"] is stored["status"]["nodeInfo"]
    assert after["status"]["conditions"][0]["lastHeartbeatTime"] == "2026-01-01T00:05:00Z"
