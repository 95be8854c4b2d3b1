"""The frame snapshot widgets read: frozen once taken, the next frame shows what changed since."""

from __future__ import annotations

import pytest

from ktui.cluster import Cluster
from ktui.tui.feed import ClusterFeed

from .helpers import row, rows, select


def _pod(name: str, node: str = "node01") -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "nodeName": node,
            "containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": "500m"}}}],
        },
    }


def test_a_snapshot_stays_as_taken_and_refuses_changes():
    c = Cluster.default(seed=0)
    feed = ClusterFeed(c)
    snap = feed.snapshot(c.now)
    pods_before = dict(snap.objects["pods"])
    usage_before = snap.node_usage["node01"]
    c.api.create("pods", _pod("late"))
    c.run_until(c.now)
    assert "default/late" in feed.objects["pods"]  # the live cache moved ...
    assert dict(snap.objects["pods"]) == pods_before  # ... the snapshot did not
    assert snap.node_usage["node01"] == usage_before
    with pytest.raises(TypeError):
        snap.objects["pods"]["default/x"] = {}  # type: ignore[index]
    with pytest.raises(TypeError):
        del snap.objects["pods"]["default/late"]  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        snap.objects["secrets"] = {}  # type: ignore[index]
    with pytest.raises(TypeError):
        snap.node_usage["node01"][0] = 0  # type: ignore[index]
    with pytest.raises(AttributeError):
        snap.now = 5.0  # type: ignore[misc]
    nxt = feed.snapshot(c.now)
    assert nxt.version == snap.version + 1
    assert "default/late" in nxt.objects["pods"] and "default/late" not in snap.objects["pods"]
    assert nxt.node_usage["node01"][0] == usage_before[0] + 1
    assert abs(nxt.node_usage["node01"][1] - usage_before[1] - 0.5) < 1e-9
    assert nxt.objects["services"] is snap.objects["services"]  # an unchanged resource is shared, not copied
    assert feed.snapshot(c.now) is nxt  # nothing moved: the same frame
    later = feed.snapshot(c.now + 1)
    assert later.now == c.now + 1 and later.version == nxt.version + 1


def test_a_snapshot_survives_a_rewind_and_the_next_one_shows_it():
    c = Cluster.default(seed=0)
    feed = ClusterFeed(c)
    c.api.create("pods", _pod("gone-after-rewind"))
    c.run_until(c.now)
    snap = feed.snapshot(c.now)
    assert "default/gone-after-rewind" in snap.objects["pods"]
    c.restore(c.checkpoints[0])
    assert "default/gone-after-rewind" in snap.objects["pods"]
    assert "default/gone-after-rewind" not in feed.snapshot(c.now).objects["pods"]


async def test_a_panel_keeps_its_frame_until_the_next_one(make_app):
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        panel = app.main.panel("pods")
        snap = panel.snapshot
        assert snap is app.snapshot and panel.now == snap.now
        select(app, "pods", "kube-system/etcd-controlplane")
        chosen = panel.selected
        assert chosen is not None and chosen["metadata"]["name"] == "etcd-controlplane"
        shown = row(app, "pods", "kube-system/etcd-controlplane")
        # The cluster changes between two frames: the panel's frame and selection do not.
        app.cluster.api.create("pods", _pod("between-frames"))
        app.cluster.api.delete("pods", "etcd-controlplane", "kube-system", grace_period_seconds=0)
        app.cluster.run_until(app.cluster.now)
        assert panel.snapshot is snap
        assert "default/between-frames" not in panel.snapshot.objects["pods"]
        assert panel.selected is chosen
        panel.refresh_visible()  # a redraw inside the frame shows the same rows
        assert "default/between-frames" not in rows(app, "pods")
        assert row(app, "pods", "kube-system/etcd-controlplane") == shown
        with pytest.raises(TypeError):
            panel.snapshot.objects["pods"]["default/x"] = {}  # type: ignore[index]
        # The next frame shows the change.
        app.changed()
        await pilot.pause()
        assert panel.snapshot is app.snapshot and panel.snapshot.version > snap.version
        assert "default/between-frames" in rows(app, "pods")
        assert "default/between-frames" in panel.snapshot.objects["pods"]
        assert all(p.snapshot is app.snapshot for p in app.main.panels)
        assert "default/between-frames" not in snap.objects["pods"]  # the old frame is still as it was


def test_snapshots_share_a_copy_and_each_keeps_its_own_changes():
    import random

    c = Cluster({"nodes": []})
    feed = ClusterFeed(c)
    rng = random.Random(7)
    taken = []  # (snapshot, what its pods were when taken)
    alive: list[str] = []
    for step in range(400):  # more changes than one shared copy takes: at least one fresh copy on the way
        if alive and rng.random() < 0.3:
            name = alive.pop(rng.randrange(len(alive)))
            c.api.delete("pods", name, "default", grace_period_seconds=0)
        else:
            name = f"p{step}"
            c.api.create("pods", _pod(name))
            alive.append(name)
        c.run_until(c.now)
        if step % 7 == 0:
            snap = feed.snapshot(c.now + step)
            taken.append((snap, dict(feed.objects["pods"])))
    for snap, want in taken:  # every frame still shows exactly what it showed, in every way it can be read
        pods = snap.objects["pods"]
        assert dict(pods) == want and len(pods) == len(want) and sorted(pods) == sorted(want)
        assert all(k in pods and pods.get(k) is want[k] for k in want)
        assert "default/never" not in pods and pods.get("default/never") is None
