"""The narration pane: the current scenario step's story, and what comes next."""

from __future__ import annotations

import re

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from ktui.tui.i18n import tr

__all__ = ["NarrationPane"]


class NarrationPane(VerticalScroll, can_focus=False):
    """Shows the narration of the step just run (or the scenario's introduction before the first)."""

    DEFAULT_CSS = """
    NarrationPane { border: round $accent; border-title-color: $accent; padding: 0 1; background: $surface; }
    NarrationPane > Static { color: $narration; }
    """

    def compose(self):
        yield Static("", id="narration-text")

    def show(self, title: str, body: str, upcoming: str = "") -> None:
        self.border_title = title
        text = Text(re.sub(r"(?<!\n)\n(?!\n)", " ", body.strip()))  # unwrap the file's line breaks
        if upcoming:
            text.append("\n\n")
            lang = getattr(self.app, "lang", "en") if self.is_attached else "en"
            text.append(tr("next: ", lang), style="dim")
            text.append(upcoming, style="bold")
            text.append(tr("  (press ])", lang), style="dim")
        self.query_one("#narration-text", Static).update(text)
        self.scroll_home(animate=False)
