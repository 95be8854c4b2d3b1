"""A column sort of a large panel, done in slices between frames, ends in exactly the order of the synchronous sort."""

from __future__ import annotations

import asyncio
from functools import cmp_to_key
from types import MappingProxyType

from hypothesis import given, settings, strategies as st
from textual.app import App, ComposeResult

from ktui.sim.timefmt import rfc3339
from ktui.tui.feed import Changes, FeedSnapshot
from ktui.tui.rows import PANELS
from ktui.tui.rowset import _age_seconds, kubectl_order, row_order
from ktui.tui.widgets.resource_panel import ResourcePanel

SPEC = PANELS[0]
NOW = 40 * 86400.0

# ---------------------------------------------------------------- the sort value against the tuple it stands for

_TRICKY = st.sampled_from(["", "\0", "\1", "a", "b", "-", "0", "9", "é", "\uffff", "\U0010fffe", "\U0010ffff"])
_TEXT = st.lists(_TRICKY, max_size=4).map("".join)
_NAME = st.lists(_TRICKY, min_size=1, max_size=4).map("".join).filter(bool)
"""A namespace or a name: never empty (no "/" either: a key is ``namespace/name``, or ``name`` alone)."""
_AGE = st.lists(st.sampled_from(["0", "1", "5", "10", "s", "m", "h", "d", "y", "<", "x"]), max_size=4).map("".join)


def _reference(keys: list[str], cells: dict[str, str], *, by_name: bool, by_age: bool, reverse: bool) -> list[str]:
    """The order the tuples ``(cell value, kubectl's order)`` give, the cell value reversed with ``reverse``."""

    def cmp(a: str, b: str) -> int:
        va, vb = (_age_seconds(cells[a]), _age_seconds(cells[b])) if by_age else (cells[a], cells[b])
        if va != vb:
            return (1 if va < vb else -1) if reverse else (-1 if va < vb else 1)
        ta, tb = kubectl_order(a, by_name=by_name), kubectl_order(b, by_name=by_name)
        return (ta > tb) - (ta < tb)

    return sorted(keys, key=cmp_to_key(cmp))


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.tuples(_TEXT, _NAME, _NAME, st.booleans()), min_size=1, max_size=12),
    ages=st.lists(_AGE, min_size=12, max_size=12),
    by_name=st.booleans(),
    by_age=st.booleans(),
    reverse=st.booleans(),
)
def test_a_sort_value_orders_exactly_as_the_cell_then_kubectls_order(rows, ages, by_name, by_age, reverse):
    cells: dict[str, str] = {}
    for i, (text, ns, name, namespaced) in enumerate(rows):
        key = f"{ns}/{name}" if namespaced else name
        cells[key] = ages[i] if by_age else text
    keys = list(cells)
    order = row_order(by_name, cells.__getitem__, by_age=by_age, reverse=reverse)
    want = _reference(keys, cells, by_name=by_name, by_age=by_age, reverse=reverse)
    assert sorted(keys, key=order) == want
    assert len({order(k) for k in keys}) == len(keys)  # no two rows tie


# ---------------------------------------------------------------- the panel: slices between frames, then that order

_STATUSES = (
    {},
    {"phase": "Running"},
    {"phase": "Failed", "reason": "Evicted"},
    {"phase": "Succeeded"},
    {
        "phase": "Running",
        "containerStatuses": [
            {"name": "c", "ready": False, "restartCount": 10, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}
        ],
    },
    {"phase": "Running", "podIP": "10.244.1.9"},
    {
        "phase": "Running",
        "podIP": "10.244.1.10",
        "containerStatuses": [{"name": "c", "ready": True, "restartCount": 2, "state": {"running": {}}}],
    },
    {"phase": "Pending", "containerStatuses": [{"name": "c", "state": {"waiting": {"reason": "ContainerCreating"}}}]},
)
_AGES = (0.0, 5.0, 125.0, 3600.0 * 5, 86400.0 * 5, 86400.0 * 5 + 7, 86400.0 * 30 + 1)


def _varied(n: int) -> dict[str, dict]:
    """``n`` pods whose every column has ties, prefixes and numbers that sort differently as text."""
    out = {}
    for i in range(n):
        ns = ("a", "a-b", "ab", "default", "kube-system")[i % 5]
        name = ("web", "web-1", "web1", "db")[i % 4] + f"-{i // 20}"
        key = f"{ns}/{name}"
        if key in out:
            name += "x"
            key += "x"
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "creationTimestamp": rfc3339(NOW - _AGES[i % len(_AGES)])},
            "spec": {"nodeName": f"node{i % 11}", "containers": [{"name": "c", "image": "nginx"}]},
            "status": _STATUSES[(i * 3) % len(_STATUSES)],
        }
        out[key] = pod
    return out


def _frame(pods: dict[str, dict], version: int = 1, now: float = NOW) -> FeedSnapshot:
    return FeedSnapshot(version, now, MappingProxyType({"pods": MappingProxyType(dict(pods))}), {}, {})


class PanelApp(App):
    """The Pods panel alone, fed a frame of pods."""

    def __init__(self, snapshot: FeedSnapshot) -> None:
        super().__init__()
        self.snapshot = snapshot

    def compose(self) -> ComposeResult:
        yield ResourcePanel(SPEC, snapshot=self.snapshot, styles={}, now=self.snapshot.now)


def _want(pods: dict[str, dict], header: str, *, by_name: bool, reverse: bool) -> list[str]:
    """The rows of ``pods`` as the column's cells, then kubectl's order, order them (tuples, sorted here)."""
    i = SPEC.headers.index(header)
    frame = _frame(pods)
    cells = {k: str(SPEC.build(frame, obj, NOW)[i]) for k, obj in pods.items()}
    return _reference(list(pods), cells, by_name=by_name, by_age=header == "AGE", reverse=reverse)


async def _done(panel: ResourcePanel, pilot) -> None:
    """Wait (bounded) until no sort is running and what it posted is handled."""
    for _ in range(500):
        if panel._sorting is None and all(w.is_finished for w in pilot.app.workers):
            break
        await pilot.pause(0.01)
    await pilot.pause()


async def test_every_column_sorted_in_slices_ends_as_the_synchronous_sort_in_both_directions(monkeypatch):
    monkeypatch.setattr(ResourcePanel, "SORT_SLICE_SECONDS", 0.0)  # one slice of 64 rows per turn of the loop
    pods = _varied(700)
    app = PanelApp(_frame(pods))
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        panel = app.query_one(ResourcePanel)
        for compact in (False, True):  # compact: no NAMESPACE column, ties in (name, namespace) order
            panel.compact = compact
            await pilot.pause()
            for header in panel.columns:
                asc, desc = (_want(pods, header, by_name=compact, reverse=r) for r in (False, True))
                for rows, want in ((100, asc), (100, desc), (10**9, asc), (10**9, desc)):
                    # Another column before: ascending; the same again: descending. In slices from 100 rows.
                    panel.BACKGROUND_ROWS = rows
                    assert panel.sort_by(header) and (panel._sorting is not None) == (rows == 100)
                    await _done(panel, pilot)
                    assert panel.table.row_keys() == want, (compact, header, want is desc, rows)
                    assert "sorting" not in panel.border_title


async def test_changes_between_slices_are_placed_and_the_cursor_keeps_its_pod(monkeypatch):
    monkeypatch.setattr(ResourcePanel, "BACKGROUND_ROWS", 100)
    monkeypatch.setattr(ResourcePanel, "SORT_SLICE_SECONDS", 0.0)
    monkeypatch.setattr(ResourcePanel, "SORT_SETTLE_ROWS", 1)  # the changed rows placed in slices too
    pods = _varied(2000)
    app = PanelApp(_frame(pods))
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        panel = app.query_one(ResourcePanel)
        keys = panel.table.row_keys()
        assert panel.select_key(keys[5])
        assert panel.sort_by("STATUS")
        for _ in range(5 * ResourcePanel.SORT_TURNS):  # a few slices of the 2,000 rows, not all of them
            await asyncio.sleep(0)
        assert panel._sorting is not None and panel.border_title.endswith("sorting...")
        assert panel.table.row_keys() == keys  # the rows keep their order until it is done
        # A frame arrives between two slices: a pod turns Evicted, one goes, one comes (Running), one is relabelled.
        pods2 = dict(pods)
        changed, gone = keys[100], keys[1500]
        pods2[changed] = {**pods[changed], "status": {"phase": "Failed", "reason": "Evicted"}}
        del pods2[gone]
        pods2["a/zz-new"] = {**pods[keys[0]], "metadata": {**pods[keys[0]]["metadata"], "name": "zz-new"}}
        pods2["a/zz-new"]["status"] = {"phase": "Running"}
        relabelled = keys[1999]
        pods2[relabelled] = {**pods[relabelled], "metadata": {**pods[relabelled]["metadata"], "labels": {"x": "1"}}}
        panel.show(_frame(pods2, 2))
        panel.apply(Changes(changed={changed, "a/zz-new", relabelled}, removed={gone}))
        await _done(panel, pilot)
        assert panel.table.row_keys() == _want(pods2, "STATUS", by_name=False, reverse=False)
        assert panel.selected_key == keys[5] and panel.border_title == "Pods (2000)"
        # Superseded between two slices: the order chosen last wins.
        assert panel.sort_by("AGE")
        for _ in range(3 * ResourcePanel.SORT_TURNS):
            await asyncio.sleep(0)
        assert panel._sorting is not None
        assert panel.sort_by("NAME")
        await _done(panel, pilot)
        assert panel.table.row_keys() == _want(pods2, "NAME", by_name=False, reverse=False)
        assert panel.selected_key == keys[5] and "sorting" not in panel.border_title


async def test_a_sort_that_fails_leaves_the_rows_as_they_were_and_stops_saying_sorting(monkeypatch):
    from ktui.tui.widgets import panel_passes

    def broken(*args, **kwargs):
        yield
        raise RuntimeError("boom")

    monkeypatch.setattr(ResourcePanel, "BACKGROUND_ROWS", 100)
    monkeypatch.setattr(panel_passes, "sort_steps", broken)
    pods = _varied(300)
    app = PanelApp(_frame(pods))
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        panel = app.query_one(ResourcePanel)
        keys = panel.table.row_keys()
        assert panel.sort_by("STATUS") and panel.border_title.endswith("sorting...")
        await _done(panel, pilot)
        assert panel.table.row_keys() == keys and panel.border_title == "Pods (300)"
