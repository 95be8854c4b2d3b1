"""Keypress-to-screen latency of the terminal UI on a 10,000- to 150,000-pod cluster with steady churn.

Run by hand: ``.venv/bin/python benchmarks/bench_tui.py [--pods 150000] [--nodes 100] [--changes-per-second 1000]``.

The cluster is API-only (no scheduler or kubelets, which would dominate the time at this size): Node objects
and pods with ``spec.nodeName`` preset are created through the API. Before every measured ``.`` (which advances
the clock one second), ``--changes-per-second`` pods are changed through the API (label patches, status changes,
one delete and re-create in ten), so each ``.`` delivers a second's worth of watch events to the UI. Two figures
per key: the Pilot round trip (the key press until the app is idle again with the new screen composed, ``press``
+ ``pause``, which includes Pilot's own fixed waits), and the app's own work (the action, the batched apply of the
watch events, and rendering the whole visible screen as a frame for the terminal, :func:`frame`).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import math
import os
import statistics
import tempfile
import time

from ktui.cluster import Cluster
from ktui.sim.timefmt import rfc3339


def build(pods: int, nodes: int) -> Cluster:
    c = Cluster({"nodes": []})
    for i in range(nodes):
        c.api.create(
            "nodes",
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": f"node{i:04}", "labels": {"kubernetes.io/hostname": f"node{i:04}"}},
                "status": {
                    "allocatable": {"cpu": "32", "memory": "128Gi", "pods": "110"},
                    "capacity": {"cpu": "32", "memory": "128Gi", "pods": "110"},
                    "conditions": [{"type": "Ready", "status": "True"}],
                    "nodeInfo": {"kubeletVersion": "v1.37.1"},
                },
            },
        )
    for i in range(pods):
        c.api.create("pods", _pod(i, nodes))
    c.run_until(c.now)
    return c


def _pod(i: int, nodes: int, gen: int = 0, node: int | None = None) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": f"web-{i:05}", "namespace": "default", "labels": {"app": "web", "gen": str(gen)}},
        "spec": {
            "nodeName": f"node{(i if node is None else node) % nodes:04}",
            "containers": [
                {"name": "web", "image": "nginx", "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}
            ],
        },
    }


_GC = [0, 0.0, 0.0]
"""Full (generation 2) garbage collections: count, total seconds, start of the one running."""
_GC_IN_WORK: list[tuple[str, float]] = []
"""The full collections that landed inside a measured key's work: (key, seconds)."""


_NOTES: list[str] = []
"""Counts printed after the run (the table holds times)."""
_ALL_GC: list[float] = []
"""While a filter or a column sort runs: how long each collection (any generation) took."""
_FRAMES: list[int] = []
"""One entry per frame of changes sent while a filter or a sort ran (each frame's changes differ)."""


def _on_gc(phase: str, info: dict) -> None:
    if phase == "start":
        _ALL_GC.append(-time.perf_counter())
    elif _ALL_GC and _ALL_GC[-1] < 0:
        _ALL_GC[-1] += time.perf_counter()
    if info.get("generation") != 2:
        return
    if phase == "start":
        _GC[2] = time.perf_counter()
    else:
        _GC[0] += 1
        _GC[1] += time.perf_counter() - _GC[2]


def frame(app) -> None:
    """Render the whole visible screen as one frame goes to the terminal: every widget's lines composed and
    encoded as escape sequences (what the driver writes; a full frame, an upper bound on a partial one)."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    update.render_segments(app.console)


def churn(c: Cluster, n: int, round_: int, pods: int, nodes: int, move: bool = False) -> None:
    """``n`` changes: label patches, status updates, and a delete + re-create (on another node with ``move``: then
    two nodes' usage, so two rows of the Nodes panel, change per re-create)."""
    for k in range(n):
        i = (round_ * n + k * 97) % pods
        name = f"web-{i:05}"
        if k % 10 == 0:
            c.api.delete("pods", name, "default", grace_period_seconds=0)
            c.api.create("pods", _pod(i, nodes, round_, i + round_ + 1 if move else None))
        elif k % 2:
            c.api.patch("pods", name, {"metadata": {"labels": {"gen": str(round_)}}}, "default")
        else:
            pod = c.api.get("pods", name, "default")
            pod["status"] = {
                "phase": "Running",
                "podIP": f"10.244.{i // 250}.{i % 250 + 1}",
                "startTime": rfc3339(c.now),
                "conditions": [{"type": "Ready", "status": "True"}],
                "containerStatuses": [
                    {
                        "name": "web",
                        "ready": True,
                        "restartCount": round_ % 3,
                        "image": "nginx",
                        "imageID": "",
                        "started": True,
                        "state": {"running": {"startedAt": rfc3339(c.now)}},
                    }
                ],
            }
            c.api.update("pods", pod, "default", subresource="status")


async def measure(args: argparse.Namespace) -> dict[str, list[float]]:
    from ktui.tui.app import KtuiApp
    from ktui.tui.widgets.resource_panel import ResourcePanel

    t0 = time.perf_counter()
    cluster = build(args.pods, args.nodes)
    t_build = time.perf_counter() - t0
    ResourcePanel.FLASH_SECONDS = 1.5
    app = KtuiApp(cluster, playing=False)
    results: dict[str, list[float]] = {
        "startup": [],
        "j (move)": [],
        ". (1s + churn)": [],
        "tab": [],
        "enter+esc (describe)": [],
    }
    t0 = time.perf_counter()
    gc.callbacks.append(_on_gc)
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        results["startup"].append(time.perf_counter() - t0)
        assert app.main.panel("pods").table.row_count == args.pods
        for r in range(args.rounds):
            t = time.perf_counter()
            await pilot.press("j")
            await pilot.pause()
            results["j (move)"].append(time.perf_counter() - t)
            churn(cluster, args.churn, r, args.pods, args.nodes, args.move)
            t = time.perf_counter()
            await pilot.press("full_stop")
            await pilot.pause()
            results[". (1s + churn)"].append(time.perf_counter() - t)
            t = time.perf_counter()
            await pilot.press("tab")
            await pilot.pause()
            results["tab"].append(time.perf_counter() - t)
            await pilot.press("shift+tab")
            if r % 5 == 0:
                t = time.perf_counter()
                await pilot.press("enter")
                await pilot.pause()
                await pilot.press("escape")
                await pilot.pause()
                results["enter+esc (describe)"].append(time.perf_counter() - t)
        # The app's own work per key, without Pilot's idle waits: the action, the batched apply of the
        # watch events, and rendering the visible screen (see frame()). Wall time, and this process's CPU time
        # (on a shared machine the wall time includes waiting for a core; the CPU time does not).
        table = app.main.panel("pods").table

        def timed(name: str, *steps) -> None:
            w, c, g = time.perf_counter(), time.process_time(), _GC[1]
            for step in steps:
                step()
            results.setdefault(f"work: {name}", []).append(time.perf_counter() - w)
            results.setdefault(f"cpu: {name}", []).append(time.process_time() - c)
            if _GC[1] > g:
                _GC_IN_WORK.append((name, _GC[1] - g))

        for r in range(args.rounds):
            churn(cluster, args.churn, 1000 + r, args.pods, args.nodes, args.move)
            timed(". (1s + churn)", lambda: app.action_advance(1), app.sync, lambda: frame(app))
            timed("j (move)", table.action_cursor_down, lambda: frame(app))
            timed("tab", lambda: app.main.action_focus_panel(1), lambda: frame(app))
            app.main.action_focus_panel(-1)
            timed("G / g (last, first)", table.action_scroll_bottom if r % 2 == 0 else table.action_scroll_top,
                  lambda: frame(app))  # fmt: skip
        timed("render only", lambda: frame(app))
        panel = app.main.panel("pods")

        async def watch(label: str, busy, arriving: bool) -> None:
            """Until ``busy()`` is false (a filter's or a sort's rows shown): how long the UI's event loop went
            without a turn (an ``asyncio.sleep(0.001)`` loop on it), how often it came round, the collections that
            ran; with ``arriving``, a simulated second's changes every 0.2 s (the API writes left out of the gap,
            the frame's own work, advancing the clock and applying them, in it)."""
            w, c = time.perf_counter(), time.process_time()
            gap, last, turns, frames, due = 0.0, w, 0, 0, w + 0.2
            gap_cpu, last_cpu = 0.0, c  # this process's CPU time in the longest gap (less: it waited for a core)
            gap_at = 0.0  # when the longest gap began, from the key
            _ALL_GC.clear()
            net, last_gc = 0.0, 0.0  # the longest gap less the collections in it; collections' time until the last

            def gc_time() -> float:
                return sum(t for t in _ALL_GC if t >= 0)

            while busy():  # applied by the panel's message loop
                await asyncio.sleep(0.001)
                now, cpu = time.perf_counter(), time.process_time()
                if now - last > gap:
                    gap, gap_cpu, gap_at = now - last, cpu - last_cpu, last - w
                net = max(net, now - last - (gc_time() - last_gc))
                last, last_cpu, turns, last_gc = now, cpu, turns + 1, gc_time()
                if arriving and now >= due:
                    churn(cluster, args.churn, 3000 + len(_FRAMES), args.pods, args.nodes, args.move)
                    _FRAMES.append(1)
                    last, last_cpu, last_gc = time.perf_counter(), time.process_time(), gc_time()
                    app.action_advance(1)
                    app.sync()
                    frames, due = frames + 1, time.perf_counter() + 0.2
            frame(app)
            collections = [t for t in _ALL_GC if t >= 0]
            # The longest the UI thread's event loop did not come round meanwhile (a 1 ms sleep asked for).
            results.setdefault(f"{label}: longest UI stall", []).append(gap)
            results.setdefault(f"{label}: longest UI stall, less GC", []).append(net)
            _NOTES.append(
                f"{label}: the UI's event loop came round {turns} times meanwhile (longest gap {gap * 1000:.0f} "
                f"ms, {gap_cpu * 1000:.0f} ms of CPU, {gap_at * 1000:.0f} ms after the key, of "
                f"{(time.perf_counter() - w) * 1000:.0f}); {len(collections)} garbage collections ran (longest "
                f"{max(collections, default=0.0) * 1000:.0f} ms)"
                + (f"; {frames} frames of {args.churn} changes arrived" if arriving else "")
            )
            results.setdefault(f"{label}: until the rows show", []).append(time.perf_counter() - w)
            if not arriving:  # (with frames arriving, the CPU includes the cluster's work on the changes)
                results.setdefault(f"cpu: {label} until the rows show", []).append(time.process_time() - c)

        if args.filter:
            from ktui.tui.rows import matches_filter

            def set_filter(text: str):
                return lambda: setattr(panel, "filter_text", text)

            def filtering() -> bool:
                return getattr(panel, "_filtering", None) is not None

            def check_filter(needle: str) -> None:
                """The rows are those whose cells, in the frame shown now, contain ``needle`` (every pod changed
                since the filter was typed is among the last frames' changes: the others' cells but AGE did not
                move, and no AGE cell holds the needle)."""
                snap, spec = app.snapshot, panel.spec
                want = {
                    k
                    for k, o in snap.objects["pods"].items()
                    if matches_filter(needle, o, spec.build(snap, o, snap.now))
                }
                got = set(panel.table.row_keys())
                assert got == want, (needle, sorted(got ^ want)[:5], len(got), len(want))

            # "web-00042" is a substring of 1 to 11 pod names: every row's cells are read (from
            # ResourcePanel.BACKGROUND_ROWS objects in the background: the key itself returns at once, the rows follow).
            timed("filter: the key", set_filter("web-00042"), lambda: frame(app))
            await watch("filter", filtering, False)
            check_filter("web-00042")
            timed("clear the filter", set_filter(""), lambda: frame(app))
            # Typed as a user types it: '/', the text, enter, each sent as the terminal driver sends a key and timed
            # until the app has handled it (the filter line shows it; enter: the panel has the filter) and a full
            # frame is rendered; then the rows follow. A second time with frames arriving meanwhile.
            from textual import events
            from textual.widgets import Input

            async def key(name: str, char: str | None, handled) -> None:
                t, c = time.perf_counter(), time.process_time()
                event = events.Key(name, char)
                event.set_sender(app)
                app._driver.send_message(event)
                for _ in range(10_000):  # bounded: ~10 s
                    if handled():
                        break
                    await asyncio.sleep(0)
                assert handled(), name
                frame(app)
                what = "enter" if name == "enter" else "/" if name == "slash" else "a character"
                results.setdefault(f"filter typed: {what}", []).append(time.perf_counter() - t)
                results.setdefault(f"cpu: filter typed: {what}", []).append(time.process_time() - c)
                if name != "enter":  # (the screen settles before the next key, not timed; after enter, the rows follow)
                    await pilot.pause()

            assert app.main.active_panel is panel
            for needle, arriving in (("web-0013", False), ("web-0021", True)):
                typed = "filter typed" + (", frames arriving" if arriving else "")
                line = app.main.query_one("#filter", Input)
                await key("slash", "/", lambda: app.focused is line)
                for n, ch in enumerate(needle):
                    await key("minus" if ch == "-" else ch, ch, lambda n=n: line.value == needle[: n + 1])
                await key("enter", "\r", lambda: panel.filter_text == needle)
                assert panel.filter_text == needle, panel.filter_text
                await watch(typed, filtering, arriving)
                check_filter(needle)
                timed("clear the filter", set_filter(""), lambda: frame(app))
                n = len(app.snapshot.objects["pods"])
                if panel.table.row_count != n:  # (so it was until k-filter: rows changed meanwhile were lost)
                    _NOTES.append(f"WRONG: {typed}, then cleared: {panel.table.row_count} rows of {n} pods")
        if args.sort:
            # A column sort (S: by STATUS, then S again: reversed, then S again with frames arriving) reads every
            # row's STATUS cell (from ResourcePanel.BACKGROUND_ROWS rows in slices between turns of the event loop
            # (a worker thread until j-sort): the key itself returns at once, the rows follow).
            for label in ("sort S", "sort S again (reverse)", "sort S, frames arriving"):
                # What the key does on the Pods panel (called directly, as the filter's is: the S key acts on the
                # active panel; until j-sort, the tab changes above could leave the Nodes panel active).
                timed(f"{label}: the key", lambda: panel.sort_by("STATUS"), lambda: frame(app))
                await watch(label, lambda: getattr(panel, "_sorting", None) is not None, label.endswith("arriving"))
                keys = panel.table.row_keys()
                status = [
                    str(panel._cells_of(k)[panel.spec.headers.index("STATUS")])
                    for k in keys[:: max(1, len(keys) // 500)]
                ]
                want = sorted(status, reverse=label.endswith("(reverse)"))
                bad = next((i for i, (a, b) in enumerate(zip(status, want)) if a != b), None)
                assert bad is None, (
                    f"{label}: not sorted by STATUS at sample {bad}: {status[max(0, bad - 2) : bad + 3]}"
                )
                assert len(keys) == len(app.snapshot.objects["pods"]), (len(keys), len(app.snapshot.objects["pods"]))
    import ktui

    # (A `git archive` snapshot run as `python benchmarks/bench_tui.py` imports the venv's editable ktui, not its own,
    # unless PYTHONPATH names the snapshot: say which one was measured.)
    print(f"ktui measured: {os.path.dirname(os.path.abspath(ktui.__file__))}")
    print(
        f"cluster: {args.pods} pods on {args.nodes} nodes, built in {t_build:.1f}s; {args.churn} "
        f"pod changes per measured '.' (one simulated second)" + (", re-created pods move node" if args.move else "")
    )
    for note in _NOTES:
        print(note)
    print(
        f"full GC passes while the app ran: {_GC[0]} ({_GC[1]:.2f}s); inside measured work: "
        + (", ".join(f"{k} {s * 1000:.0f} ms" for k, s in _GC_IN_WORK) or "none")
    )
    return results


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pods", type=int, default=10_000)
    p.add_argument("--nodes", type=int, default=100)
    p.add_argument(
        "--changes-per-second",
        "--churn",
        dest="churn",
        type=int,
        default=100,
        help="pod changes through the API per simulated second, i.e. before each measured '.'",
    )
    p.add_argument(
        "--move-recreated",
        dest="move",
        action="store_true",
        help="re-create each deleted pod on another node (the Nodes panel then changes too: ~2 rows per re-create)",
    )
    p.add_argument("--no-filter", dest="filter", action="store_false", help="skip the one-shot filter figure")
    p.add_argument("--no-sort", dest="sort", action="store_false", help="skip the one-shot column sort figures")
    p.add_argument("--rounds", type=int, default=20)
    args = p.parse_args()
    import sys

    sys.path.insert(0, os.path.dirname(__file__))
    from common import header

    header(f"bench_tui: {args.pods} pods, {args.churn} changes/s, {args.rounds} rounds")
    os.environ.setdefault("KTUI_CONFIG", tempfile.mkdtemp(prefix="ktui-bench-"))
    results = asyncio.run(measure(args))
    print(f"{'key':<24} {'median ms':>10} {'p95 ms':>10} {'max ms':>10}")
    for key, xs in results.items():
        xs = sorted(xs)
        # Nearest-rank p95, only when there are enough samples for it to differ from the maximum.
        p95 = f"{xs[math.ceil(len(xs) * 0.95) - 1] * 1000:>10.0f}" if len(xs) >= 20 else f"{'n<20':>10}"
        print(f"{key:<24} {statistics.median(xs) * 1000:>10.0f} {p95} {xs[-1] * 1000:>10.0f}")


if __name__ == "__main__":
    main()
