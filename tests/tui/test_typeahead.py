"""Keys typed or pasted right after ``:`` or ``/`` land in the input, whole: none is lost or taken as a hotkey.

Pilot's ``press`` waits for each key to be handled; a terminal does not. These tests post a burst of key events
at once, as the terminal driver does for fast typing or a paste.
"""

from __future__ import annotations

from textual import events

from ktui.tui.screens.dialogs import PickScreen
from ktui.tui.widgets.command_line import CommandLine

from .helpers import rows

SIZE = (140, 42)

_NAMES = {":": "colon", "/": "slash", " ": "space", "-": "minus", "=": "equals_sign", ".": "full_stop", "\r": "enter"}


async def burst(pilot, text: str) -> None:
    """Post every key of ``text`` to the app at once, then let it settle."""
    for ch in text:
        key = _NAMES.get(ch, ch)
        pilot.app.post_message(events.Key(key, None if ch == "\r" else ch))
    await pilot.pause()
    await pilot.pause()


async def test_a_fast_colon_line_arrives_whole(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await burst(pilot, ":get events -n kube-system")
        line = app.main.query_one(CommandLine)
        assert line.value == "get events -n kube-system"
        assert app.focused is line and app.screen is app.main  # `t` did not open the theme picker
        assert not isinstance(app.screen, PickScreen)
        await burst(pilot, "\r")
        out = str(app.main.query_one("#output-text").render())
        assert "$ kubectl get events -n kube-system" in out


async def test_a_fast_filter_arrives_whole(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = app.main.panel("pods").selected_key
        await burst(pilot, "/kube-proxy\r")
        assert app.main.panel("pods").filter_text == "kube-proxy"
        assert rows(app, "pods") == [
            "kube-system/kube-proxy-gxrm2",
            "kube-system/kube-proxy-nvkk7",
            "kube-system/kube-proxy-zbqd5",
        ]
        assert app.faults == [] and app.cluster.now == 120
        assert before is not None


async def test_a_colon_inside_the_line_is_a_character(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await burst(pilot, ":get pods -o custom-columns=N:.metadata.name/x")
        assert app.main.query_one(CommandLine).value == "get pods -o custom-columns=N:.metadata.name/x"


async def test_quit_and_fault_keys_typed_into_the_line_stay_there(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await burst(pilot, ":qf")
        assert app.main.query_one(CommandLine).value == "qf"
        assert app.screen is app.main and app.return_code is None
