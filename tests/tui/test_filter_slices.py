"""A substring filter of a large panel, done in slices between frames, ends with exactly the synchronous filter's rows."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult

from ktui.tui.feed import Changes, FeedSnapshot
from ktui.tui.rows import PANELS
from ktui.tui.widgets.resource_panel import ResourcePanel

from .test_sort_order import NOW, _frame, _varied

SPEC = PANELS[0]

NEEDLES = (
    "web-1",  # names: web-1-3, web-10-0 ... (and web1-...: not a match)
    "a-b",  # a namespace, and names are never a-b...
    "EVICTED",  # a STATUS, in another case
    "running",
    "1/1",  # READY
    "10",  # RESTARTS, AGE, IP, names
    "5d",  # AGE
    "10.244.1.1",  # an IP and a prefix of another (10.244.1.10)
    "node1",  # NODE: node1, node10
    "<none>",
    "zzz",  # nothing
)


class TwoPanels(App):
    """Two Pods panels fed the same frames: ``sliced`` filters from 100 objects in slices, ``sync`` at once."""

    def __init__(self, snapshot: FeedSnapshot) -> None:
        super().__init__()
        self.snapshot = snapshot

    def compose(self) -> ComposeResult:
        yield ResourcePanel(SPEC, id="panel-sliced", snapshot=self.snapshot, styles={}, now=self.snapshot.now)
        yield ResourcePanel(SPEC, id="panel-sync", snapshot=self.snapshot, styles={}, now=self.snapshot.now)


def _panels(app: App) -> tuple[ResourcePanel, ResourcePanel]:
    sliced, sync = app.query_one("#panel-sliced", ResourcePanel), app.query_one("#panel-sync", ResourcePanel)
    sliced.BACKGROUND_ROWS = 100  # in slices of 64 rows (SORT_SLICE_SECONDS 0): 11 slices for 700 pods
    sync.BACKGROUND_ROWS = 10**9
    return sliced, sync


async def _done(panel: ResourcePanel, pilot) -> None:
    """Wait (bounded) until no filter or sort is running and what it posted is handled."""
    for _ in range(500):
        if panel._filtering is None and panel._sorting is None and all(w.is_finished for w in pilot.app.workers):
            break
        await pilot.pause(0.01)
    await pilot.pause()


def _want(pods: dict[str, dict], needle: str, now: float = NOW) -> set[str]:
    """The pods whose cells (as ``kubectl get pods -A -o wide`` writes them at ``now``) contain ``needle``, in any
    case."""
    frame = _frame(pods, now=now)
    return {k for k, obj in pods.items() if any(needle.lower() in str(c).lower() for c in SPEC.build(frame, obj, now))}


async def _turns(n: int) -> None:
    for _ in range(n * ResourcePanel.SORT_TURNS):
        await asyncio.sleep(0)


async def test_every_filter_in_slices_ends_with_the_synchronous_filters_rows_in_every_order_and_scope(monkeypatch):
    monkeypatch.setattr(ResourcePanel, "SORT_SLICE_SECONDS", 0.0)
    pods = _varied(700)
    app = TwoPanels(_frame(pods))
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        sliced, sync = _panels(app)
        for scope, column in (("", None), ("a-b", None), ("", "STATUS"), ("default", "AGE")):
            for panel in (sliced, sync):
                panel.set_scope(scope)
                if column is not None:
                    assert panel.sort_by(column)
            await _done(sliced, pilot)
            for needle in NEEDLES:
                sync.filter_text = sliced.filter_text = needle
                assert sliced._filtering is not None and sliced.border_title.endswith("filtering...")
                assert sync._filtering is None
                await _done(sliced, pilot)
                want = _want({k: v for k, v in pods.items() if not scope or k.startswith(f"{scope}/")}, needle)
                assert set(sync.table.row_keys()) == want, (scope, needle)
                assert sliced.table.row_keys() == sync.table.row_keys(), (scope, column, needle)
                assert sliced.border_title == sync.border_title and "filtering" not in sliced.border_title
            sync.filter_text = sliced.filter_text = ""
            await _done(sliced, pilot)
            assert sliced.table.row_keys() == sync.table.row_keys()


async def test_changes_between_slices_are_checked_again_and_clearing_the_filter_keeps_them(monkeypatch):
    monkeypatch.setattr(ResourcePanel, "SORT_SLICE_SECONDS", 0.0)
    monkeypatch.setattr(ResourcePanel, "SORT_SETTLE_ROWS", 1)  # the changed rows checked again in slices too
    pods = _varied(2000)
    app = TwoPanels(_frame(pods))
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        sliced, sync = _panels(app)
        everything = sliced.table.row_keys()
        assert sliced.select_key(everything[7]) and sync.select_key(everything[7])
        sync.filter_text = sliced.filter_text = "node1"  # NODE node1 and node10
        await _turns(5)  # a few slices of the 2,000 rows, not all of them
        assert sliced._filtering is not None and sliced.border_title == "Pods (2000/2000) filtering..."
        # A frame arrives between two slices: a match stops matching, a pod starts matching, a match and another
        # pod go, a matching and a not matching pod come, a pod is relabelled (its cells stay). The shown rows (every
        # row still) follow it.
        keys = sorted(pods)
        on = {k for k in keys if pods[k]["spec"]["nodeName"] in ("node1", "node10")}
        hit, gone_hit = sorted(on)[0], sorted(on)[-1]
        miss, gone_miss, relabelled = [k for k in keys if k not in on and k != keys[0]][:3]
        pods2 = dict(pods)
        pods2[hit] = {**pods[hit], "spec": {**pods[hit]["spec"], "nodeName": "node2"}}
        pods2[miss] = {**pods[miss], "spec": {**pods[miss]["spec"], "nodeName": "node10"}}
        for key in (gone_hit, gone_miss):
            del pods2[key]
        new_hit, new_miss = "a/zz-new-1", "a/zz-new-2"
        for key, node in ((new_hit, "node1"), (new_miss, "node3")):
            ns, name = key.split("/")
            meta = {**pods[keys[0]]["metadata"], "name": name, "namespace": ns}
            pods2[key] = {**pods[keys[0]], "metadata": meta, "spec": {"nodeName": node, "containers": []}}
        pods2[relabelled] = {**pods[relabelled], "metadata": {**pods[relabelled]["metadata"], "labels": {"x": "1"}}}
        changes = Changes(changed={hit, miss, new_hit, new_miss, relabelled}, removed={gone_hit, gone_miss})
        for panel in (sliced, sync):
            panel.show(_frame(pods2, 2, NOW + 1))
            panel.apply(changes)
        assert sliced._filtering is not None and len(sliced.table.row_keys()) == len(pods2)
        await _done(sliced, pilot)
        want = (on - {hit, gone_hit}) | {miss, new_hit}
        assert want == _want(pods2, "node1", NOW + 1)
        assert set(sync.table.row_keys()) == want
        assert sliced.table.row_keys() == sync.table.row_keys()
        assert sliced.border_title == sync.border_title == f"Pods ({len(want)}/{len(pods2)})"
        # Cleared: every row of the frame shown, in kubectl's order (none of those changed meanwhile lost).
        sync.filter_text = sliced.filter_text = ""
        await _done(sliced, pilot)
        every = sorted(pods2, key=lambda k: tuple(k.split("/")))
        assert sliced.table.row_keys() == sync.table.row_keys() == every
        assert sliced.selected_key == sync.selected_key and sliced.border_title == "Pods (2000)"


async def test_a_filter_superseded_between_slices_leaves_what_was_asked_last(monkeypatch):
    monkeypatch.setattr(ResourcePanel, "SORT_SLICE_SECONDS", 0.0)
    pods = _varied(1500)
    app = TwoPanels(_frame(pods))
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        sliced, sync = _panels(app)
        every = sliced.table.row_keys()
        # Another filter before the first is done; then the filter cleared before it is done.
        sliced.filter_text = "web-1"
        await _turns(3)
        sliced.filter_text = "db-2"
        await _done(sliced, pilot)
        assert set(sliced.table.row_keys()) == _want(pods, "db-2") and sliced.border_title.startswith("Pods (")
        sliced.filter_text = ""
        sliced.filter_text = "web"
        await _turns(3)
        assert sliced._filtering is not None
        sliced.filter_text = ""
        await _done(sliced, pilot)
        assert sliced.table.row_keys() == every and sliced.border_title == "Pods (1500)"
        # A namespace chosen while a filter runs: its rows through the filter; a column sort asked meanwhile
        # orders them.
        sliced.filter_text = "running"
        await _turns(3)
        sliced.set_scope("ab")
        assert sliced.sort_by("NAME")
        await _done(sliced, pilot)
        sync.set_scope("ab")
        assert sync.sort_by("NAME")
        sync.filter_text = "running"
        assert sliced.table.row_keys() == sync.table.row_keys() != []
        assert all(k.startswith("ab/") for k in sliced.table.row_keys())
        assert "filtering" not in sliced.border_title and "sorting" not in sliced.border_title


async def test_a_filter_that_fails_leaves_the_rows_as_they_were_and_stops_saying_filtering(monkeypatch):
    from ktui.tui.widgets import panel_passes

    def broken(*args, **kwargs):
        yield
        raise RuntimeError("boom")

    monkeypatch.setattr(panel_passes, "filter_steps", broken)
    pods = _varied(300)
    app = TwoPanels(_frame(pods))
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        sliced, _ = _panels(app)
        keys = sliced.table.row_keys()
        sliced.filter_text = "web"
        assert sliced.border_title.endswith("filtering...")
        await _done(sliced, pilot)
        assert sliced.table.row_keys() == keys and sliced.border_title == "Pods (300/300)"


async def test_rows_kept_for_clearing_the_filter_are_not_used_after_a_scope_changed_while_it_was_on(monkeypatch):
    monkeypatch.setattr(ResourcePanel, "SORT_SLICE_SECONDS", 0.0)
    pods = _varied(500)
    app = TwoPanels(_frame(pods))
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        sliced, sync = _panels(app)
        for panel in (sliced, sync):
            panel.set_scope("ab")
            panel.filter_text = "web"
            await _done(panel, pilot)
            panel.set_scope("default")  # the filter again, in another namespace
            await _done(panel, pilot)
        # Meanwhile a pod of "ab" changes and one comes; then back to "ab", and the filter cleared.
        changed = next(k for k in sorted(pods) if k.startswith("ab/db-"))
        pods2 = dict(pods)
        pods2[changed] = {**pods[changed], "status": {"phase": "Running"}}
        pods2["ab/zz-new"] = {**pods[changed], "metadata": {**pods[changed]["metadata"], "name": "zz-new"}}
        for panel in (sliced, sync):
            panel.show(_frame(pods2, 2, NOW + 1))
            panel.apply(Changes(changed={changed, "ab/zz-new"}))
            panel.set_scope("ab")
            await _done(panel, pilot)
            panel.filter_text = ""
            await _done(panel, pilot)
        every = sorted((k for k in pods2 if k.startswith("ab/")), key=lambda k: tuple(k.split("/")))
        assert sliced.table.row_keys() == sync.table.row_keys() == every
        assert sliced.border_title == sync.border_title == f"Pods ({len(every)}/{len(pods2)}) in ab"
