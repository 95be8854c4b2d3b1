"""A full-screen text view (describe, YAML, logs, events, why, routing), optionally refreshed as time moves.

| Key(s) | Description |
| :- | :- |
| escape / q | Back to the main screen. |
| up / down / j / k, pageup / pagedown, home / end | Scroll. |
"""

from __future__ import annotations

from typing import Callable, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from ktui.tui.widgets.header import ClusterHeader

__all__ = ["TextView"]


class _Body(VerticalScroll):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
    ]


class TextView(Screen):
    """Shows one text, titled; ``refresher`` recomputes it whenever the cluster changes (logs follow).

    Args:
        title: what the view shows (``describe pod/web-1``).
        text: the text now.
        refresher: called after each simulation change to get the new text; None for a still view.
        kind: ``describe``, ``yaml``, ``logs``, ``events``, ``why``, ``routing`` (used as a CSS class and id).
        follow: keep the view scrolled to the end when the text grows (logs).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("q", "app.pop_screen", "Back", show=False),
    ]

    DEFAULT_CSS = """
    TextView { background: $background; }
    TextView > #view-title { height: 1; background: $primary-muted; color: $foreground; padding: 0 1;
                             text-style: bold; }
    TextView > _Body { height: 1fr; padding: 0 1; background: $surface; }
    TextView > _Body > Static { width: auto; }
    """

    def __init__(self, title: str, text: str, *, refresher: Callable[[], str] | None = None, kind: str = "text",
                 follow: bool = False) -> None:
        super().__init__(id=f"view-{kind}", classes=kind)
        self.view_title = title
        self.text = text
        self.refresher = refresher
        self.kind = kind
        self.follow = follow

    def compose(self) -> ComposeResult:
        yield ClusterHeader(id="view-header")
        yield Static(Text(self.view_title, no_wrap=True, overflow="ellipsis"), id="view-title")
        with _Body(id="view-body"):
            yield Static(Text(self.text), id="view-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(_Body).focus()
        self.app.sync_header(self.query_one(ClusterHeader))  # type: ignore[attr-defined]
        if self.follow:
            self.call_after_refresh(self.query_one(_Body).scroll_end, animate=False)

    def set_text(self, text: str) -> None:
        if text == self.text:
            return
        body = self.query_one(_Body)
        at_end = body.scroll_y >= body.max_scroll_y - 1
        self.text = text
        self.query_one("#view-text", Static).update(Text(text))
        if self.follow and at_end:
            self.call_after_refresh(body.scroll_end, animate=False)

    def refresh_from_cluster(self) -> None:
        """Called by the app after the simulation moved."""
        self.app.sync_header(self.query_one(ClusterHeader))  # type: ignore[attr-defined]
        if self.refresher is not None:
            self.set_text(self.refresher())
