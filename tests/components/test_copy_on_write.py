"""What the store holds is never changed in place: components write new objects (which may share the unchanged
parts of the old ones), so every version a reader or a watcher was handed stays as it was."""

from __future__ import annotations

import json

from ktui.clusterspec import normalize_spec
from ktui.world import build_world


def _dump(value: object) -> str:
    return json.dumps(value, sort_keys=True)


def test_every_stored_version_stays_as_it_was_while_the_cluster_runs():
    world = build_world(
        normalize_spec(
            {"nodes": [{"name": "controlplane", "role": "control-plane"}, {"name": "worker-1"}, {"name": "worker-2"}]}
        )
    )
    api = world.client()
    api.create(
        "deployments",
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {
                "replicas": 3,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
                },
            },
        },
    )
    seen: list[tuple[str, object, str]] = []

    def keep_all() -> None:
        for key in world.store.range("/registry/").kvs:
            seen.append((key.key, key.value, _dump(key.value)))

    keep_all()
    for _ in range(4):
        world.kernel.advance(30)  # heartbeats, status ticks, pods starting, node and pod status writes
        keep_all()
    api.patch("deployments", "web", {"spec": {"replicas": 1}}, namespace="default")
    world.kernel.advance(60)
    pods = api.list("pods", "default")["items"]
    assert sum(1 for p in pods if (p.get("status") or {}).get("phase") == "Running") == 1
    changed = [key for key, value, text in seen if _dump(value) != text]
    assert changed == []
    assert len({id(value) for _, value, _ in seen}) > len(world.store.range("/registry/").kvs)  # new versions
