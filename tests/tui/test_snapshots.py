"""Snapshots (pytest-textual-snapshot) of the main screen and the describe, routing and why views, seed 0.

The app comes from one factory with a fixed seed and a paused clock; ``--snapshot-update`` rewrites the SVGs
under ``__snapshots__/``.
"""

from __future__ import annotations

import pytest

from ktui.cluster import Cluster
from ktui.tui.app import KtuiApp

SIZE = (140, 42)


def snapshot_app() -> KtuiApp:
    cluster = Cluster.default(seed=0)
    return KtuiApp(cluster, playing=False, theme="ktui-dark")


async def _select(pilot, plural: str, key: str) -> None:
    app = pilot.app
    await pilot.pause()
    app.main.show_panel(plural)
    app.main.panel(plural).select_key(key)
    await pilot.pause()


def test_main_screen(snap_compare):
    assert snap_compare(snapshot_app(), terminal_size=SIZE, press=["greater_than_sign"])


def test_main_screen_small_terminal(snap_compare):
    assert snap_compare(snapshot_app(), terminal_size=(80, 24), press=["tab"])


def test_describe_view(snap_compare):
    async def run_before(pilot):
        await _select(pilot, "pods", "kube-system/coredns-797f5c7996-85sqh")
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=run_before)


def test_routing_view(snap_compare):
    async def run_before(pilot):
        await _select(pilot, "services", "kube-system/kube-dns")
        await pilot.press("r")
        await pilot.pause()

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=run_before)


def test_why_view(snap_compare):
    async def run_before(pilot):
        await _select(pilot, "pods", "kube-system/coredns-797f5c7996-85sqh")
        await pilot.press("w")
        await pilot.pause()

    assert snap_compare(snapshot_app(), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("theme", ["ktui-light", "high-contrast", "nord"])
def test_themes(snap_compare, theme):
    app = snapshot_app()
    app.theme = theme
    assert snap_compare(app, terminal_size=(120, 30))
