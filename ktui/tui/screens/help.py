"""The ``?`` help screen: every key, grouped, from the same table the bindings are built from."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ktui.tui.i18n import tr
from ktui.tui.keys import KEYS

__all__ = ["HelpScreen"]


class HelpScreen(ModalScreen[None]):
    """Lists :data:`ktui.tui.keys.KEYS`; any of escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_help", "Close"),
        Binding("q", "dismiss_help", "Close", show=False),
        Binding("question_mark", "dismiss_help", "Close", show=False),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 96; max-width: 100%; height: auto; max-height: 100%;
                                  border: thick $primary; border-title-color: $primary; background: $panel;
                                  padding: 0 1; }
    HelpScreen #help-table { width: 100%; height: auto; }
    """

    def compose(self) -> ComposeResult:
        table = Table(box=None, padding=(0, 2), show_header=False)
        table.add_column(style="bold")
        table.add_column()
        group = None
        lang = getattr(self.app, "lang", "en")
        for k in KEYS:
            if k.group != group:
                if group is not None:
                    table.add_row("", "")
                table.add_row(f"[u]{tr(k.group, lang)}[/u]", "")
                group = k.group
            table.add_row(k.label, tr(k.help, lang))
        self.table = table
        """The key table shown (kept for tests and for printing)."""
        scroll = VerticalScroll(Static(table, id="help-table"))
        scroll.border_title = tr("ktui keys", lang)
        yield scroll

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
