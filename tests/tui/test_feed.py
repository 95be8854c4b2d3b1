"""The watch feed the panels read: list-then-watch, per-key changes, indexes, rewinds. No Textual here."""

from __future__ import annotations

from ktui.cluster import Cluster
from ktui.tui.feed import ClusterFeed, pod_requests
from ktui.tui.rows import PANELS, matches_filter


def _pod(name: str, cpu: str = "250m", node: str | None = None) -> dict:
    spec = {"containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": cpu, "memory": "64Mi"}}}]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": name}}, "spec": spec}


def test_list_then_watch_reports_only_changed_keys():
    c = Cluster.default(seed=0)
    feed = ClusterFeed(c)
    first = feed.drain()
    assert first["pods"].reset and len(feed.objects["pods"]) == 9
    c.api.create("pods", _pod("web"))
    c.run_until(c.now)
    ch = feed.drain()
    assert "default/web" in ch["pods"].changed and not ch["pods"].reset
    c.api.delete("pods", "web", "default", grace_period_seconds=0)
    c.advance(5)
    ch = feed.drain()
    assert "default/web" in ch["pods"].removed and "default/web" not in feed.objects["pods"]


def test_node_usage_index_follows_pods():
    c = Cluster.default(seed=0)
    feed = ClusterFeed(c)
    before = list(feed.node_usage["node01"])
    c.api.create("pods", _pod("pinned", cpu="500m", node="node01"))
    c.run_until(c.now)
    after = feed.node_usage["node01"]
    assert after[0] == before[0] + 1 and abs(after[1] - before[1] - 0.5) < 1e-9
    assert "node01" in feed.drain()["nodes"].changed
    assert pod_requests(_pod("x", cpu="1")) == (1.0, 64 * 2**20)


def test_rewind_resubscribes():
    c = Cluster.default(seed=0)
    feed = ClusterFeed(c)
    c.api.create("pods", _pod("web"))
    c.advance(10)
    feed.drain()
    c.rewind(125)
    assert c.now == 125
    assert all(ch.reset for ch in feed.drain().values())
    assert "default/web" in feed.objects["pods"]  # created at t=120, replayed
    c.restore(c.checkpoints[0])
    feed.drain()
    assert "default/web" not in feed.objects["pods"]
    c.api.create("pods", _pod("again"))
    c.run_until(c.now)
    assert "default/again" in feed.drain()["pods"].changed


def test_panel_rows_read_as_kubectl_prints():
    c = Cluster.default(seed=0)
    feed = ClusterFeed(c)
    pods = next(p for p in PANELS if p.plural == "pods")
    cells = pods.build(feed, feed.objects["pods"]["kube-system/etcd-controlplane"], c.now)
    assert cells == ["kube-system", "etcd-controlplane", "1/1", "Running", "0", "2m", "172.18.0.2", "controlplane"]
    svc = next(p for p in PANELS if p.plural == "services")
    cells = svc.build(feed, feed.objects["services"]["kube-system/kube-dns"], c.now)
    assert cells[-1].startswith("10.244.") and "+ 3 more..." in cells[-1]


def test_namespace_quota_column():
    c = Cluster.default(seed=0)
    feed = ClusterFeed(c)
    c.api.create(
        "resourcequotas",
        {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q"}, "spec": {"hard": {"pods": "4"}}},
        "default",
    )
    c.advance(2)
    ns = next(p for p in PANELS if p.plural == "namespaces")
    assert ns.build(feed, feed.objects["namespaces"]["default"], c.now)[-1] == "pods 0/4"


def test_filter_matches_substrings_and_labels():
    obj = {"metadata": {"labels": {"app": "web", "tier": "front"}}}
    assert matches_filter("", obj, ["x"])
    assert matches_filter("WEB", obj, ["web-1", "Running"])
    assert not matches_filter("db", obj, ["web-1", "Running"])
    assert matches_filter("-l app=web", obj, [])
    assert matches_filter("-l app in (web,db),tier!=back", obj, [])
    assert not matches_filter("-l app=db", obj, [])
    assert not matches_filter("-l app=(", obj, [])
