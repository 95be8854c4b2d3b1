"""Every view readable: long lines scroll sideways, scroll keys work, columns get room, small terminals."""

from __future__ import annotations

import pytest

from ktui.tui.screens.dialogs import PickScreen
from ktui.tui.screens.routing_view import RoutingView

from .conftest import nginx_session
from .helpers import row, screen_text, select, view_text


async def test_text_views_scroll_sideways_and_with_every_key_help_names(make_app):
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        select(app, "pods", "kube-system/coredns-797f5c7996-85sqh")
        await pilot.press("enter")
        await pilot.pause()
        body = app.screen.query_one("#view-body")
        assert body.max_scroll_x > 0 and body.max_scroll_y > 0  # nothing is cut: the lines are there to scroll to
        for key, check in [("l", lambda: body.scroll_x > 0), ("h", lambda: body.scroll_x == 0),
                           ("right", lambda: body.scroll_x > 0), ("left", lambda: body.scroll_x == 0),
                           ("G", lambda: body.scroll_y == body.max_scroll_y), ("g", lambda: body.scroll_y == 0),
                           ("end", lambda: body.scroll_y == body.max_scroll_y),
                           ("home", lambda: body.scroll_y == 0), ("pagedown", lambda: body.scroll_y > 0),
                           ("pageup", lambda: body.scroll_y == 0), ("j", lambda: body.scroll_y == 1),
                           ("k", lambda: body.scroll_y == 0)]:
            await pilot.press(key)
            await pilot.pause(0.3)  # scrolling animates
            assert check(), key
        await pilot.press("l", "l", "l")
        await pilot.pause(0.3)
        assert "Successfully assigned" not in screen_text(app) or body.scroll_x > 0


async def test_a_trace_shows_above_the_rules_and_t_in_a_node_view_traces(make_app):
    app = make_app()
    async with app.run_test(size=(140, 42)) as pilot:
        select(app, "services", "kube-system/kube-dns")
        await pilot.press("r")
        await pilot.press("t")
        await pilot.press("enter")
        await pilot.pause()
        assert view_text(app).startswith("trace ")
        assert "trace " in screen_text(app)  # on screen, not below the iptables dump
        await pilot.press("escape")
        select(app, "nodes", "node01")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RoutingView)
        await pilot.press("t")
        assert isinstance(app.screen, PickScreen) and app.screen.id != "themes"
        assert "to which Service" in app.screen.pick_title
        await pilot.press("enter")
        await pilot.pause()
        assert view_text(app).startswith("trace kube-system/coredns")
        assert app.theme == "ktui-dark"


async def test_wide_columns_get_room_at_160_and_z_maximises(make_app):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        screen = screen_text(app)
        assert "10.244.1.2:53,10.244.2.2:53" in screen  # Services ENDPOINTS
        assert "QUOTA" in screen
        select(app, "namespaces", "default")
        await pilot.press("z")
        await pilot.pause()
        assert app.main.maximized is app.main.panel("namespaces")
        await pilot.press("z")
        await pilot.pause()
        assert app.main.maximized is None


async def test_80x24_keeps_the_essentials(make_app):
    app = make_app(session=nginx_session())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = screen_text(app)
        footer = screen.splitlines()[-1]
        assert "? help" in footer and "] step" in footer
        header = next(line for line in screen.splitlines() if "NAME" in line)
        for col in ("NAME", "READY", "STATUS", "AGE"):
            assert col in header
        assert "Running" in screen and "2m" in screen
        await pilot.press("tab")
        await pilot.pause()
        screen = screen_text(app)
        assert "Nodes (3)" in screen and "A fake scenario" in screen  # Nodes and the narration together
        assert "100m (5%)" in screen


@pytest.mark.parametrize("size", [(80, 24), (140, 42)])
async def test_node_resources_read_as_kubectl_describe_prints_them(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        cells = row(app, "nodes", "node01")
        assert cells[-2].endswith("100m (5%)") and cells[-1].endswith("70Mi (1%)")
