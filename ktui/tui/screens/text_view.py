"""A full-screen text view (describe, YAML, logs, events, why, routing), optionally refreshed as time moves.

| Key(s) | Description |
| :- | :- |
| escape / q | Back to the main screen. |
| up / down / j / k, pageup / pagedown | Scroll up and down. |
| left / right / h / l | Scroll sideways (long lines are never cut). |
| home / g, end / G | Top, bottom. |
"""

from __future__ import annotations

from typing import Callable, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer
from textual.screen import Screen
from textual.widgets import Footer, Static

from ktui.tui.keys import localize
from ktui.tui.widgets.header import ClusterHeader

__all__ = ["TextView"]


class _Body(ScrollableContainer):
    """The text, scrollable both ways: a long line scrolls sideways instead of being cut."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
        Binding("h", "scroll_left", "Left", show=False),
        Binding("l", "scroll_right", "Right", show=False),
        Binding("g", "scroll_home", "Top", show=False),
        Binding("G", "scroll_end", "Bottom", show=False),
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
    TextView > _Body { height: 1fr; padding: 0 1; background: $surface; overflow: auto auto; }
    TextView > _Body > Static { width: auto; height: auto; }
    """

    def __init__(
        self,
        title: str,
        text: str,
        *,
        refresher: Callable[[], str] | None = None,
        kind: str = "text",
        follow: bool = False,
    ) -> None:
        super().__init__(id=f"view-{kind}", classes=kind)
        self.view_title = title
        self.text = text
        self.refresher = refresher
        self.kind = kind
        self.follow = follow

    def compose(self) -> ComposeResult:
        localize(self, getattr(self.app, "lang", "en"))
        yield ClusterHeader(id="view-header")
        yield Static(Text(self.view_title, no_wrap=True, overflow="ellipsis"), id="view-title")
        with _Body(id="view-body"):
            yield Static(Text(self.text, no_wrap=True), id="view-text")
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
        self.query_one("#view-text", Static).update(Text(text, no_wrap=True))
        if self.follow and at_end:
            self.call_after_refresh(body.scroll_end, animate=False)

    def refresh_from_cluster(self) -> None:
        """Called by the app after the simulation moved."""
        self.app.sync_header(self.query_one(ClusterHeader))  # type: ignore[attr-defined]
        if self.refresher is not None:
            self.set_text(self.refresher())
