"""The crashes and hangs a learner met first: ANSI themes, a startup race, exit codes, the empty help screen."""

from __future__ import annotations

import pytest
from textual.app import App

from ktui.cluster import Cluster
from ktui.tui import __main__ as tui_main
from ktui.tui.app import ClusterChanged, KtuiApp
from ktui.tui.keys import KEYS
from ktui.tui.screens.dialogs import PickScreen
from ktui.tui.screens.help import HelpScreen

from .helpers import row, screen_text


async def test_every_listed_theme_previews_without_a_crash(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("t")
        picker = app.screen
        assert isinstance(picker, PickScreen)
        names = [c for c, _ in picker.choices]
        assert {"ansi-dark", "ansi-light", "textual-dark", "ktui-dark"} <= set(names)
        await pilot.press("home")
        await pilot.pause()
        seen = {app.theme}
        for _ in names[1:]:
            await pilot.press("down")
            await pilot.pause()
            seen.add(app.theme)
        assert seen == set(names)
        await pilot.press("escape")
        await pilot.pause()
        assert app.theme == "ktui-dark" and app.screen is app.main
    assert app.return_code in (None, 0)


@pytest.mark.parametrize("theme", ["ansi-dark", "ansi-light"])
async def test_an_ansi_theme_colours_cells_and_quits(make_app, theme):
    app = make_app(theme=theme)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert row(app, "pods", "kube-system/etcd-controlplane")[3] == "Running"
        status = app.main.panel("pods").table.get_row("kube-system/etcd-controlplane")[3]
        assert status.style.color is not None and status.style.color.name == "color(2)"  # the terminal's green
        assert "00:02:10" in screen_text(app)
        await pilot.press("q")
    assert app.return_code == 0


async def test_nothing_syncs_before_the_panels_are_wired(monkeypatch):
    """The clock timer used to start before the main screen wired its panels (AssertionError, NoMatches)."""
    on_mount = KtuiApp.on_mount

    def eager(self) -> None:
        on_mount(self)
        self.post_message(ClusterChanged())
        self.sync()
        self._restyle()

    monkeypatch.setattr(KtuiApp, "on_mount", eager)
    app = KtuiApp(Cluster.default(seed=0), playing=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert all(p.feed is app.feed for p in app.main.panels)
        assert app._clock_timer is not None
        assert "Pods (9)" in screen_text(app)
    assert app.return_code in (None, 0)


async def test_fast_ticks_from_the_first_frame(make_app, monkeypatch):
    monkeypatch.setattr(KtuiApp, "TICK_SECONDS", 0.001)
    for _ in range(3):
        app = KtuiApp(Cluster.default(seed=0), playing=True, speed=64)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.05)
        assert app.return_code in (None, 0)


def test_a_crash_exits_non_zero(monkeypatch, capsys):
    class Broken(App):
        def on_mount(self) -> None:
            raise RuntimeError("boom")

    monkeypatch.setattr(tui_main, "make_app", lambda args: Broken())
    run = App.run
    monkeypatch.setattr(App, "run", lambda self, **kw: run(self, headless=True, **kw))
    assert tui_main.main(["--seed", "1"]) == 1


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (160, 48)])
async def test_help_shows_every_binding(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        seen = screen_text(app)
        for _ in range(6):  # a small terminal scrolls the list
            await pilot.press("pagedown")
            await pilot.pause()
            seen += screen_text(app)
        for k in KEYS:
            assert k.label in seen, k
            assert k.help.split(" ")[0] in seen, k
        await pilot.press("escape")
        assert app.screen is app.main


def test_one_exit_code_convention_and_unknown_commands_list_the_subcommands(capsys, monkeypatch, tmp_path):
    from ktui.cli import main
    from ktui.scenario.cli import scenario_main

    monkeypatch.setenv("KTUI_HOME", str(tmp_path))
    assert main(["--scenario", "nope"]) == 2 == scenario_main(["run", "nope"])
    assert "no built-in scenario 'nope'" in capsys.readouterr().err
    assert main(["bogus"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ktui: unknown command 'bogus'") and "ktui scenario list" in err and "ktui kubectl" in err
