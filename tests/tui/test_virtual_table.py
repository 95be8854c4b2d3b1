"""The virtual Pods table: only the rows on screen are rendered, yet every row is there to scroll, filter and update."""

from __future__ import annotations

import threading
import time
from types import MappingProxyType

from textual.app import App, ComposeResult

from ktui.cluster import Cluster
from ktui.sim.timefmt import rfc3339
from ktui.tui.feed import Changes, FeedSnapshot
from ktui.tui.rows import PANELS
from ktui.tui.widgets import panel_passes
from ktui.tui.widgets.resource_panel import ResourcePanel

from .helpers import row, rows, screen_text, select

SIZE = (160, 50)


def _pod(name: str, ns: str = "default", node: str = "node01") -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"nodeName": node, "containers": [{"name": "c", "image": "nginx"}]},
    }


def _cluster_with(n: int) -> Cluster:
    """An API-only cluster (no nodes, no kubelets: pods stay as the test writes them) with ``n`` pods."""
    c = Cluster({"nodes": []})
    for i in range(n):
        c.api.create("pods", _pod(f"many-{i:04}"))
    c.run_until(c.now)
    return c


def _lines(app) -> list[str]:
    return screen_text(app).splitlines()


async def test_the_pods_table_scrolls_to_the_last_of_many_rows_and_back(make_app):
    app = make_app(_cluster_with(150))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = app.main.panel("pods")
        keys = rows(app, "pods")
        assert len(keys) == len(panel.snapshot.objects["pods"]) >= 150
        assert keys[0].startswith("default/many-0000") and keys == sorted(keys, key=lambda k: tuple(k.split("/")))
        assert "many-0000" in screen_text(app) and "many-0149" not in screen_text(app)
        await pilot.press("G")
        await pilot.pause()
        assert panel.selected_key == keys[-1]
        text = screen_text(app)
        assert keys[-1].split("/")[1] in text and "many-0000 " not in text
        # The cursor's row is the one drawn in the cursor's colours, on screen.
        assert panel.table.cursor_row == len(keys) - 1
        assert panel.table.scroll_y == panel.table.max_scroll_y > 0
        await pilot.press("g")
        await pilot.pause()
        assert panel.selected_key == keys[0] and panel.table.scroll_y == 0


async def test_the_cursor_moves_by_row_and_by_page(make_app):
    app = make_app(_cluster_with(120))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = app.main.panel("pods")
        keys = rows(app, "pods")
        await pilot.press("j", "j", "j")
        assert panel.selected_key == keys[3]
        await pilot.press("k")
        assert panel.selected_key == keys[2]
        page = panel.table.scrollable_content_region.height - 1
        await pilot.press("pagedown")
        await pilot.pause()
        assert panel.selected_key == keys[2 + page]
        assert keys[2 + page].split("/")[1] in screen_text(app)
        await pilot.press("pageup")
        await pilot.pause()
        assert panel.selected_key == keys[2]


async def test_a_filter_narrows_the_rows_and_clearing_it_brings_them_back(make_app):
    app = make_app(_cluster_with(120))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = app.main.panel("pods")
        total = len(rows(app, "pods"))
        await pilot.press("slash", *"many-011", "enter")
        await pilot.pause()
        assert rows(app, "pods") == [f"default/many-011{i}" for i in range(10)]
        assert panel.border_title == f"Pods (10/{total})"
        text = screen_text(app)
        assert "many-0119" in text and "many-0120" not in text and "many-0000" not in text
        await pilot.press("escape")
        await pilot.pause()
        assert len(rows(app, "pods")) == total


async def test_a_changed_pod_updates_its_row_and_a_deleted_pod_disappears(make_app):
    c = _cluster_with(60)
    app = make_app(c)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        select(app, "pods", "default/many-0050")
        await pilot.pause()
        assert row(app, "pods", "default/many-0050")[3] == "Pending"
        pod = c.api.get("pods", "many-0050", "default")
        pod["status"] = {
            "phase": "Running",
            "podIP": "10.244.9.9",
            "podIPs": [{"ip": "10.244.9.9"}],
            "startTime": rfc3339(c.now),
        }
        c.api.update("pods", pod, "default", subresource="status")
        c.api.delete("pods", "many-0051", "default", grace_period_seconds=0)
        c.run_until(c.now)
        app.changed()
        await pilot.pause()
        assert row(app, "pods", "default/many-0050")[3] == "Running"
        line = next(ln for ln in _lines(app) if "many-0050" in ln)
        assert "Running" in line and "10.244.9.9" in line
        assert "default/many-0051" not in rows(app, "pods")
        assert "many-0051" not in screen_text(app)
        assert app.main.panel("pods").selected_key == "default/many-0050"  # the cursor stays on its pod


# ---------------------------------------------------------------- a panel alone, 20,000 pods


class PanelApp(App):
    """The Pods panel alone, fed a frame of pods (no cluster: a 20,000-pod frame costs milliseconds)."""

    def __init__(self, snapshot: FeedSnapshot) -> None:
        super().__init__()
        self.snapshot = snapshot

    def compose(self) -> ComposeResult:
        yield ResourcePanel(PANELS[0], snapshot=self.snapshot, styles={}, now=self.snapshot.now)


def _frame(pods: dict[str, dict], now: float, version: int = 1) -> FeedSnapshot:
    return FeedSnapshot(version, now, MappingProxyType({"pods": MappingProxyType(dict(pods))}), {}, {})


def _many(n: int) -> dict[str, dict]:
    out = {}
    for i in range(n):
        ns = f"team-{i % 7}"
        pod = _pod(f"p-{i:05}", ns, f"node{i % 50:02}")
        pod["metadata"]["creationTimestamp"] = rfc3339(0.0)  # the simulated clock's start
        out[f"{ns}/p-{i:05}"] = pod
    return out


async def test_a_20000_pod_table_shows_the_right_rows():
    pods = _many(20_000)
    app = PanelApp(_frame(pods, 90.0))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        panel = app.query_one(ResourcePanel)
        table = panel.table
        ordered = sorted(pods, key=lambda k: tuple(k.split("/")))
        assert table.row_count == 20_000 and panel.border_title == "Pods (20000)"
        first = _lines(app)[2]  # border, header, first row
        assert first.split()[1:3] == ["team-0", "p-00000"] and "90s" in first
        # Only what shows was computed: a few dozen rows' cells, not 20,000.
        assert len(panel._cells) < 100
        # The middle and the end, by key and by key press.
        assert panel.select_key(ordered[12_345])
        await pilot.pause()
        text = screen_text(app)
        assert ordered[12_345].split("/")[1] in text and panel.selected_key == ordered[12_345]
        await pilot.press("G")
        await pilot.pause()
        last = _lines(app)[-2]  # above the bottom border
        assert last.split()[1:3] == ordered[-1].split("/")
        # A change, a delete and a new pod in one frame: the rows on screen follow, in order.
        gone, changed = ordered[-2], ordered[-3]
        pods2 = dict(pods)
        del pods2[gone]
        pods2[changed] = {**pods[changed], "status": {"phase": "Running"}}
        pods2["team-6/zz-new"] = _pod("zz-new", "team-6")
        panel.show(_frame(pods2, 150.0, 2))
        panel.apply(Changes(changed={changed, "team-6/zz-new"}, removed={gone}))
        await pilot.press("G")
        await pilot.pause()
        text = screen_text(app)
        assert table.row_count == 20_000 and panel.selected_key == "team-6/zz-new"
        assert gone.split("/")[1] + " " not in text
        changed_line = next(ln for ln in _lines(app) if changed.split("/")[1] in ln)
        assert "Running" in changed_line and "2m30s" in changed_line  # AGE moved with the frame's clock


async def test_a_filter_over_many_rows_runs_between_frames_and_keeps_later_changes(monkeypatch):
    monkeypatch.setattr(ResourcePanel, "BACKGROUND_ROWS", 1000)
    pods = _many(5000)
    app = PanelApp(_frame(pods, 90.0))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        panel = app.query_one(ResourcePanel)
        panel.filter_text = "p-0001"  # p-00010 .. p-00019
        assert panel._filtering is not None and panel.border_title.endswith("filtering...")
        # A pod changes before the pass is done: it is checked again against the filter with the newer frame.
        pods2 = dict(pods)
        pods2["team-3/p-00010"] = {**pods["team-3/p-00010"], "spec": {"nodeName": "p-0001-node", "containers": []}}
        pods2["team-0/late-p-0001x"] = _pod("late-p-0001x", "team-0")
        panel.show(_frame(pods2, 91.0, 2))
        panel.apply(Changes(changed={"team-3/p-00010", "team-0/late-p-0001x"}))
        await app.workers.wait_for_complete()
        await pilot.pause()
        want = {k for k in pods if k.split("/")[1].startswith("p-0001")} | {"team-0/late-p-0001x"}
        assert set(panel.table.row_keys()) == want and len(want) == 11
        assert panel.border_title == "Pods (11/5001)"
        assert "late-p-0001x" in screen_text(app)


async def test_sorting_by_a_column_and_reversing_keeps_kubectls_order_for_ties():
    pods = _many(30)
    for i, key in enumerate(sorted(pods)):
        pods[key]["metadata"]["creationTimestamp"] = rfc3339(float(i % 3) * 10)  # three ages
    app = PanelApp(_frame(pods, 100.0))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        panel = app.query_one(ResourcePanel)
        by_ns_name = sorted(pods, key=lambda k: tuple(k.split("/")))
        assert panel.table.row_keys() == by_ns_name
        assert panel.sort_by("AGE")
        got = panel.table.row_keys()
        ages = [100 - (sorted(pods).index(k) % 3) * 10 for k in got]
        assert ages == sorted(ages) and got == sorted(got, key=lambda k: (ages[got.index(k)], tuple(k.split("/"))))
        assert panel.sort_by("AGE")  # again: reversed, ties still in kubectl's order
        rev = panel.table.row_keys()
        rev_ages = [100 - (sorted(pods).index(k) % 3) * 10 for k in rev]
        assert rev_ages == sorted(rev_ages, reverse=True)
        assert rev == sorted(rev, key=lambda k: (-rev_ages[rev.index(k)], tuple(k.split("/"))))
        assert not panel.sort_by("NO-SUCH-COLUMN")


def _status(i: int) -> dict:
    """Pod ``i``'s status in the sort tests: STATUS Evicted, Running, or blank (no status yet)."""
    if i % 5 == 0:
        return {"phase": "Failed", "reason": "Evicted"}
    return {"phase": "Running"} if i % 3 == 0 else {}


async def test_a_sort_over_many_rows_runs_between_frames_and_places_rows_changed_meanwhile(monkeypatch):
    monkeypatch.setattr(ResourcePanel, "BACKGROUND_ROWS", 1000)
    pods = _many(3000)
    status = {}
    for i, key in enumerate(sorted(pods)):
        pods[key]["status"] = _status(i)
        status[key] = _status(i).get("reason") or _status(i).get("phase", "")
    app = PanelApp(_frame(pods, 90.0))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        panel = app.query_one(ResourcePanel)
        by_ns_name = sorted(pods, key=lambda k: tuple(k.split("/")))
        assert panel.sort_by("STATUS")
        # The key answers at once: the title says so, the rows keep their order until the sort is done.
        assert panel.border_title == "Pods (3000) sorting..."
        assert panel.table.row_keys() == by_ns_name
        # Meanwhile a frame: a blank pod is evicted, a Running pod goes, a Running pod comes, a pod turns Running.
        blank = next(k for k in by_ns_name if status[k] == "")
        running = next(k for k in by_ns_name if status[k] == "Running")
        later = next(k for k in reversed(by_ns_name) if status[k] == "Evicted")
        pods2 = dict(pods)
        pods2[blank] = {**pods[blank], "status": {"phase": "Failed", "reason": "Evicted"}}
        pods2[later] = {**pods[later], "status": {"phase": "Running"}}
        del pods2[running]
        pods2["team-0/aa-new"] = {**_pod("aa-new", "team-0"), "status": {"phase": "Running"}}
        status.update({blank: "Evicted", later: "Running", "team-0/aa-new": "Running"})
        del status[running]
        panel.show(_frame(pods2, 91.0, 2))
        panel.apply(Changes(changed={blank, later, "team-0/aa-new"}, removed={running}))
        await app.workers.wait_for_complete()
        await pilot.pause()
        want = sorted(pods2, key=lambda k: (status[k], tuple(k.split("/"))))
        assert panel.table.row_keys() == want
        assert panel.border_title == "Pods (3000)"
        assert status[want[0]] == "" and status[want[-1]] == "Running"
        # The cursor stays on its pod (the first row before the sort, Evicted), which shows where it went.
        assert panel.selected_key == by_ns_name[0] and panel.table.cursor_row == want.index(by_ns_name[0])
        assert by_ns_name[0].split("/")[1] in screen_text(app)
        # Again on the same column: reversed (ties still in kubectl's order), and the cursor stays on its pod.
        assert panel.select_key(blank)
        assert panel.sort_by("STATUS")
        await app.workers.wait_for_complete()
        await pilot.pause()
        rev = sorted(pods2, key=lambda k: tuple(k.split("/")))
        rev.sort(key=lambda k: status[k], reverse=True)
        assert panel.table.row_keys() == rev and rev[0] != want[0]
        assert panel.selected_key == blank and blank.split("/")[1] in screen_text(app)


async def _sorted(panel: ResourcePanel, pilot) -> None:
    """Wait (bounded) until no background sort is pending or running (a superseded one included) and what it
    posted is handled."""
    for _ in range(500):
        if panel._sorting is None and all(w.is_finished for w in pilot.app.workers):
            break
        await pilot.pause(0.01)
    await pilot.pause()
    await pilot.pause()


async def test_a_sort_superseded_before_it_is_done_leaves_the_last_order_chosen(monkeypatch):
    monkeypatch.setattr(ResourcePanel, "BACKGROUND_ROWS", 1000)
    pods = _many(2000)
    for i, key in enumerate(sorted(pods)):
        pods[key]["status"] = _status(i)
    app = PanelApp(_frame(pods, 90.0))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        panel = app.query_one(ResourcePanel)
        assert panel.sort_by("STATUS") and panel.sort_by("NAME")  # NAME asked before STATUS's rows came
        await _sorted(panel, pilot)
        assert panel.table.row_keys() == sorted(pods, key=lambda k: (k.split("/")[1], k.split("/")[0]))
        assert panel.border_title == "Pods (2000)"
        # A namespace chosen while a sort runs: the rows of that namespace, in the order chosen last.
        assert panel.sort_by("STATUS")
        panel.set_scope("team-3")
        await _sorted(panel, pilot)
        keys = panel.table.row_keys()
        assert keys and all(k.startswith("team-3/") for k in keys)
        assert keys == sorted(
            keys, key=lambda k: (pods[k]["status"].get("reason") or pods[k]["status"].get("phase", ""), k)
        )
        assert "sorting" not in panel.border_title


async def test_the_S_key_on_a_large_pods_panel_answers_at_once_and_keeps_the_changes_made_while_it_sorts(
    make_app, monkeypatch
):
    monkeypatch.setattr(ResourcePanel, "BACKGROUND_ROWS", 100)
    # The sort's slices wait until the test has changed the cluster: the changes land while it runs, every time.
    gate = threading.Event()
    sort_steps = panel_passes.sort_steps

    def gated(*args, **kwargs):
        for _ in range(30_000):  # bounded: about 30 s of turns of the event loop
            if gate.is_set():
                break
            time.sleep(0.001)
            yield
        assert gate.is_set()
        return (yield from sort_steps(*args, **kwargs))

    monkeypatch.setattr(panel_passes, "sort_steps", gated)
    c = _cluster_with(150)
    app = make_app(c)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = app.main.panel("pods")
        before = rows(app, "pods")
        assert {row(app, "pods", k)[3] for k in before} == {"Pending"}
        await pilot.press("S")
        await pilot.pause()
        assert "Pods (150) sorting..." in screen_text(app) and rows(app, "pods") == before
        # Meanwhile: many-0003 turns Running (sorts last), many-0001 goes, many-0150 comes.
        pod = c.api.get("pods", "many-0003", "default")
        pod["status"] = {"phase": "Running", "podIP": "10.244.0.3", "startTime": rfc3339(c.now)}
        c.api.update("pods", pod, "default", subresource="status")
        c.api.delete("pods", "many-0001", "default", grace_period_seconds=0)
        c.api.create("pods", _pod("many-0150"))
        c.run_until(c.now)
        app.changed()
        await pilot.pause()
        assert "sorting..." in screen_text(app)
        gate.set()
        for _ in range(500):
            if panel._sorting is None:
                break
            await pilot.pause(0.01)
        await pilot.pause()
        pending = [f"default/many-{i:04}" for i in range(151) if i not in (1, 3)]
        assert rows(app, "pods") == [*pending, "default/many-0003"]
        assert row(app, "pods", "default/many-0003")[3] == "Running"
        text = screen_text(app)
        assert "Pods (150)" in text and "sorting..." not in text
        assert "many-0000" in text and "many-0001" not in text  # the cursor's pod, first before and after
