"""Reading what the UI shows."""

from __future__ import annotations

from ktui.tui.app import KtuiApp
from ktui.tui.screens.text_view import TextView
from ktui.tui.widgets.header import ClusterHeader


def header(app: KtuiApp) -> str:
    return app.screen.query_one(ClusterHeader).render().plain


def row(app: KtuiApp, plural: str, key: str) -> list[str]:
    return [str(c) for c in app.main.panel(plural).table.get_row(key)]


def rows(app: KtuiApp, plural: str) -> list[str]:
    return app.main.panel(plural).table.row_keys()


def view_text(app: KtuiApp) -> str:
    assert isinstance(app.screen, TextView), app.screen
    return app.screen.text


def select(app: KtuiApp, plural: str, key: str) -> None:
    app.main.show_panel(plural)
    assert app.main.panel(plural).select_key(key), key


def screen_text(app: KtuiApp) -> str:
    """The whole terminal as plain text, as a person sees it (every layer composed)."""
    strips = app.screen._compositor.render_strips(app.size)
    return "\n".join("".join(seg.text for seg in strip).rstrip() for strip in strips)
