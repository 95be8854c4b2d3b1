"""What one frame updates: node rows follow their usage only, old frames stay as taken, changed rows show at once."""

from __future__ import annotations

from ktui.cluster import Cluster
from ktui.sim.timefmt import rfc3339
from ktui.tui.feed import ClusterFeed
from ktui.tui.widgets.resource_panel import ResourcePanel

from .helpers import row, rows, screen_text, select

SIZE = (160, 50)


def _node(name: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
        "status": {
            "allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"},
            "capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"},
            "conditions": [{"type": "Ready", "status": "True"}],
            "nodeInfo": {"kubeletVersion": "v1.37.1"},
        },
    }


def _pod(name: str, node: str, cpu: str = "100m", memory: str = "64Mi") -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": {"app": "web"}},
        "spec": {
            "nodeName": node,
            "containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": cpu, "memory": memory}}}],
        },
    }


def _cluster(nodes: int, pods: dict[str, str] | None = None) -> Cluster:
    """An API-only cluster (no kubelets: objects stay as the test writes them) with ``nodes`` Node objects."""
    c = Cluster({"nodes": []})
    for i in range(nodes):
        c.api.create("nodes", _node(f"node{i:02}"))
    for name, node in (pods or {}).items():
        c.api.create("pods", _pod(name, node))
    c.run_until(c.now)
    return c


def _set_running(c: Cluster, name: str) -> None:
    pod = c.api.get("pods", name, "default")
    pod["status"] = {
        "phase": "Running",
        "podIP": "10.244.0.9",
        "podIPs": [{"ip": "10.244.0.9"}],
        "startTime": rfc3339(c.now),
    }
    c.api.update("pods", pod, "default", subresource="status")


# ---------------------------------------------------------------- the feed


def test_a_node_changes_only_when_its_usage_does():
    c = _cluster(2, {"web": "node00"})
    feed = ClusterFeed(c)
    feed.drain()
    # A label and a status change of a pod leave its node's usage, so the node's row, as they were.
    c.api.patch("pods", "web", {"metadata": {"labels": {"gen": "2"}}}, "default")
    _set_running(c, "web")
    c.run_until(c.now)
    ch = feed.drain()
    assert "default/web" in ch["pods"].changed and "nodes" not in ch
    # Deleted and created again on the same node within one frame: the node is where it was.
    c.api.delete("pods", "web", "default", grace_period_seconds=0)
    c.api.create("pods", _pod("web", "node00"))
    c.run_until(c.now)
    ch = feed.drain()
    assert "default/web" in ch["pods"].changed and "nodes" not in ch
    assert feed.node_usage["node00"] == (1, 0.1, 64 * 2**20)
    # Created again on another node: both nodes' rows change.
    c.api.delete("pods", "web", "default", grace_period_seconds=0)
    c.api.create("pods", _pod("web", "node01"))
    c.run_until(c.now)
    assert feed.drain()["nodes"].changed == {"node00", "node01"}
    assert feed.node_usage["node00"] == (0, 0.0, 0.0) and feed.node_usage["node01"] == (1, 0.1, 64 * 2**20)
    # A terminated pod no longer counts.
    pod = c.api.get("pods", "web", "default")
    pod["status"] = {"phase": "Succeeded"}
    c.api.update("pods", pod, "default", subresource="status")
    c.run_until(c.now)
    assert feed.drain()["nodes"].changed == {"node01"} and feed.node_usage["node01"] == (0, 0.0, 0.0)


def test_node_usage_is_exact_whatever_the_order_of_changes():
    c = _cluster(1)
    feed = ClusterFeed(c)
    for i in range(10):
        c.api.create("pods", _pod(f"p{i}", "node00", cpu="100m"))
    c.run_until(c.now)
    assert feed.node_usage["node00"][:2] == (10, 1.0)  # ten tenths, not 0.9999999999999999
    for i in range(0, 10, 3):
        c.api.delete("pods", f"p{i}", "default", grace_period_seconds=0)
    c.run_until(c.now)
    assert feed.node_usage["node00"][:2] == (6, 0.6)
    for i in range(10):
        if i % 3:
            c.api.delete("pods", f"p{i}", "default", grace_period_seconds=0)
    c.run_until(c.now)
    assert feed.node_usage["node00"] == (0, 0.0, 0.0)


def test_an_old_frame_reads_as_taken_through_later_changes():
    c = _cluster(2, {f"p{i}": f"node0{i % 2}" for i in range(20)})
    feed = ClusterFeed(c)
    first = feed.snapshot(c.now)
    taken = dict(first.objects["pods"])
    assert len(taken) == 20
    # Changed, deleted, created, deleted and created again, changed twice.
    _set_running(c, "p1")
    c.api.delete("pods", "p2", "default", grace_period_seconds=0)
    c.api.create("pods", _pod("new", "node00"))
    c.api.delete("pods", "p3", "default", grace_period_seconds=0)
    c.api.create("pods", _pod("p3", "node01", cpu="1"))
    c.run_until(c.now)
    second = feed.snapshot(c.now)
    taken2 = dict(second.objects["pods"])
    c.api.patch("pods", "p1", {"metadata": {"labels": {"again": "yes"}}}, "default")
    c.api.delete("pods", "new", "default", grace_period_seconds=0)
    c.api.create("pods", _pod("newer", "node00"))
    c.run_until(c.now)
    third = feed.snapshot(c.now)
    for snap, want in ((first, taken), (second, taken2)):
        view = snap.objects["pods"]
        assert dict(view) == want and len(view) == len(want) and set(view) == set(want)
        for key in ("default/p1", "default/p2", "default/p3", "default/new", "default/newer"):
            assert (key in view) == (key in want) and view.get(key) == want.get(key)
    assert "default/p2" in first.objects["pods"] and "default/p2" not in second.objects["pods"]
    assert first.objects["pods"]["default/p1"].get("status", {}).get("phase") != "Running"
    assert second.objects["pods"]["default/p1"]["status"]["phase"] == "Running"
    assert "again" not in second.objects["pods"]["default/p1"]["metadata"]["labels"]
    assert "again" in third.objects["pods"]["default/p1"]["metadata"]["labels"]
    assert set(third.objects["pods"]) == set(feed.objects["pods"]) and "default/newer" in third.objects["pods"]
    c.api.delete("pods", "p5", "default", grace_period_seconds=0)
    c.run_until(c.now)
    assert dict(second.objects["pods"]) == taken2  # a frame taken before still shows what it showed


# ---------------------------------------------------------------- what the panels show


def _line(app, text: str) -> str:
    return next(ln for ln in screen_text(app).splitlines() if text in ln)


def _node_line(app, name: str) -> str:
    return _line(app, f"{name}  Ready")


async def test_a_node_row_shows_its_new_usage_after_a_second(make_app):
    c = _cluster(3, {"web": "node01"})
    app = make_app(c)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        select(app, "nodes", "node01")
        await pilot.pause()
        assert "1/110" in _node_line(app, "node01") and "100m (2%)" in _node_line(app, "node01")
        for i in range(3):
            c.api.create("pods", _pod(f"more{i}", "node01", cpu="500m"))
        c.api.patch("pods", "web", {"metadata": {"labels": {"gen": "2"}}}, "default")
        await pilot.press("full_stop")
        await pilot.pause()
        line = _node_line(app, "node01")
        assert "4/110" in line and "1600m (40%)" in line and "256Mi (3%)" in line
        assert "0/110" in _node_line(app, "node00")


async def test_an_eager_panels_columns_fit_a_changed_row_that_does_not_show(make_app):
    c = _cluster(60)
    app = make_app(c)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.main.show_panel("nodes")
        await pilot.pause()
        panel = app.main.panel("nodes")
        table = panel.table
        assert len(panel.rows) <= ResourcePanel.EAGER_ROWS
        assert "node59  Ready" not in screen_text(app)  # below the panel's last line
        memory = panel.columns.index("MEMORY")
        narrow = table.widths[memory]
        # The last node gets a request with a long label: its MEMORY cell is wider than every other.
        c.api.create("pods", _pod("big", "node59", memory="1234567891"))
        await pilot.press("full_stop")
        await pilot.pause()
        assert "node59  Ready" not in screen_text(app)
        fitted = table.widths[memory]
        cell = row(app, "nodes", "node59")[memory]
        assert cell.endswith(" 1234567891 (14%)") and fitted == len(cell) > narrow  # fits before it shows
        header = _line(app, "MEMORY")
        await pilot.press("G")
        await pilot.pause()
        assert "1234567891 (14%)" in _node_line(app, "node59")
        assert _line(app, "MEMORY") == header  # showing it widened nothing more


async def test_changed_and_aging_rows_show_their_new_cells_and_lose_the_highlight(make_app, monkeypatch):
    monkeypatch.setattr(ResourcePanel, "FLASH_SECONDS", 30.0)
    c = _cluster(1, {f"web-{i}": "node00" for i in range(5)})
    app = make_app(c)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = app.main.panel("pods")
        lit = panel._styles["row-changed"].bgcolor

        def row_colours(name: str) -> set:
            strips = app.screen._compositor.render_strips(app.size)
            line = next(s for s in strips if name in "".join(seg.text for seg in s))
            return {seg.style.bgcolor for seg in line if seg.style is not None and seg.text.strip()}

        before = _line(app, "web-3")
        assert lit not in row_colours("web-3")
        _set_running(c, "web-3")
        for _ in range(7):  # seven seconds: every row's AGE moves, web-3's STATUS and IP change
            await pilot.press("full_stop")
        await pilot.pause()
        after = _line(app, "web-3")
        assert "Pending" in before and "Running" in after and "10.244.0.9" in after
        assert before.split()[6] == "0s" and after.split()[6] == "7s"  # AGE
        assert _line(app, "web-1").split()[6] == "7s"  # an unchanged row's AGE moved too
        assert lit in row_colours("web-3") and lit not in row_colours("web-1")
        for key in panel._flash:
            panel._flash[key] = 0.0  # the highlight's time is up
        panel._expire_flashes()
        await pilot.pause()
        assert lit not in row_colours("web-3") and _line(app, "web-3") == after


async def test_clearing_a_filter_brings_back_every_row_with_the_changes_made_meanwhile(make_app, monkeypatch):
    monkeypatch.setattr(ResourcePanel, "BACKGROUND_ROWS", 20)  # the substring filter runs in slices
    c = _cluster(1, {f"web-{i:02}": "node00" for i in range(30)})
    c.api.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}})
    c.api.create(
        "serviceaccounts", {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}}, "other"
    )
    other = _pod("elsewhere", "node00")
    other["metadata"]["namespace"] = "other"
    c.api.create("pods", other, "other")
    app = make_app(c)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = app.main.panel("pods")
        everything = rows(app, "pods")
        for n, text in enumerate(("-l app=none", "web-1")):  # a label selector (at once), a substring (in slices)
            panel.filter_text = text
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert len(rows(app, "pods")) == (0 if text.startswith("-l") else 10)
            # Meanwhile: a pod goes, two come (one sorts first, one last), one changes.
            c.api.delete("pods", f"web-2{n}", "default", grace_period_seconds=0)
            c.api.create("pods", _pod(f"aa-{n}", "node00"))
            c.api.create("pods", _pod(f"zz-{n}", "node00"))
            _set_running(c, f"web-0{n}")
            await pilot.press("full_stop")
            await pilot.pause()
            panel.filter_text = ""
            await pilot.pause()
            want = sorted(app.snapshot.objects["pods"], key=lambda k: tuple(k.split("/")))
            assert rows(app, "pods") == want != everything and panel.border_title == f"Pods ({len(want)})"
            assert f"default/web-2{n}" not in want and {f"default/aa-{n}", f"default/zz-{n}"} <= set(want)
            assert want[0] == "default/aa-0" and "Running" in _line(app, f"web-0{n}")
            everything = want
        # A scope chosen while filtered: clearing the filter shows that namespace's rows only.
        panel.filter_text = "web-1"
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.main.set_scope("other")
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel.filter_text = ""
        await pilot.pause()
        assert rows(app, "pods") == ["other/elsewhere"]
