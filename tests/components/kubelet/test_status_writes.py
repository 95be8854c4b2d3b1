"""The kubelet sends a pod's status only when it changed as its status manager compares them (Go structs,
where ``null`` and a field left out are both the zero value): a pod that starts is written once, not again
because the API server dropped a ``lastProbeTime: null`` from what it stored."""

from __future__ import annotations

import ktui.api.server as server_module
from ktui.clusterspec import normalize_spec
from ktui.components.kubelet.pod_status import same_status
from ktui.world import build_world

SPEC = {
    "nodes": [
        {"name": "controlplane", "role": "control-plane", "cpu": "4", "memory": "8Gi"},
        {"name": "node01", "cpu": "4", "memory": "8Gi"},
    ]
}


def _pod(name: str, command: list[str] | None = None, image: str = "busybox") -> dict:
    container = {"name": "c", "image": image, "command": command or ["sleep", "3600"]}
    return {"metadata": {"name": name}, "spec": {"containers": [container], "restartPolicy": "Always"}}


def _run(monkeypatch, *pods: dict, seconds: float = 30) -> tuple[dict, list[tuple[str, str, bool]]]:
    """Create ``pods`` through the scheduler and kubelets; the stored pods and every pods/status write: the
    pod's name, the phase sent, and whether the write changed the stored pod."""
    world = build_world(normalize_spec(SPEC))
    writes: list[tuple[str, str, bool]] = []
    update = server_module.APIServer.update

    def counted(self, user, r, namespace, obj, **kwargs):
        if r.plural != "pods" or kwargs.get("subresource") != "status":
            return update(self, user, r, namespace, obj, **kwargs)
        before = world.store.revision
        out = update(self, user, r, namespace, obj, **kwargs)
        writes.append((obj["metadata"]["name"], obj["status"].get("phase", ""), world.store.revision != before))
        return out

    monkeypatch.setattr(server_module.APIServer, "update", counted)
    admin = world.client()
    for p in pods:
        admin.create("pods", p, namespace="default")
    world.kernel.advance(seconds)
    return {p["metadata"]["name"]: admin.get("pods", p["metadata"]["name"], namespace="default") for p in pods}, writes


def test_a_started_pod_s_status_is_written_once(monkeypatch):
    stored, writes = _run(monkeypatch, _pod("web", image="registry.k8s.io/pause:3.10"))  # present: no pull
    status = stored["web"]["status"]
    assert status["phase"] == "Running"
    assert [c["type"] for c in status["conditions"]] == [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
    ]
    assert all("lastProbeTime" not in c for c in status["conditions"])  # null is not stored
    assert writes == [("web", "Running", True)]  # not again with PodScheduled's lastProbeTime: null left out


def test_a_pulled_image_gives_a_status_while_it_is_pulled_then_running(monkeypatch):
    stored, writes = _run(monkeypatch, _pod("web"))
    assert stored["web"]["status"]["phase"] == "Running"
    assert writes == [("web", "Pending", True), ("web", "Running", True)]


def test_a_status_that_changes_is_written_each_time_and_only_then(monkeypatch):
    stored, writes = _run(monkeypatch, _pod("crash", ["sh", "-c", "exit 1"]), seconds=60)
    restarts = stored["crash"]["status"]["containerStatuses"][0]["restartCount"]
    assert restarts >= 3
    assert len(writes) > restarts  # each restart is a new status
    assert all(changed for _, _, changed in writes)


def test_null_and_left_out_are_the_same_status_other_differences_are_not():
    a = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True", "lastProbeTime": None}]}
    b = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
    assert same_status(a, b) and same_status(b, a)
    assert not same_status(a, {**b, "phase": "Pending"})
    assert not same_status(a, {"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}]})
    assert not same_status(a, {"phase": "Running", "conditions": []})
    assert not same_status(a, None) and same_status(None, None)
    assert not same_status({"startTime": ""}, {})  # an empty string is a value the kubelet sets, not null


def test_null_fields_are_left_out_at_any_depth_and_in_either_status():
    a = {"containerStatuses": [{"state": {"running": {"startedAt": "t"}}, "lastState": {}, "x": None}], "y": None}
    b = {"containerStatuses": [{"state": {"running": {"startedAt": "t"}}, "lastState": {}}]}
    assert same_status(a, b) and same_status(b, a)
    c = {"containerStatuses": [{"state": {"running": {"startedAt": "u"}}, "lastState": {}}]}
    assert not same_status(a, c) and not same_status(c, a)
    assert not same_status({"a": None, "b": 1}, {"a": None, "c": 1})
    assert not same_status({"a": [1, 2]}, {"a": [1]}) and not same_status({"a": [None]}, {"a": []})
