"""``e``: edit an object's YAML in a Textual editor and apply it on save, as ``kubectl edit`` does.

| Key(s) | Description |
| :- | :- |
| ctrl+s | Save: the change goes to the API server as kubectl edit sends it (a patch from the object shown). |
| escape | Cancel: nothing is sent. |

What a save does is decided by :func:`ktui.kubectl.cmd_edit.save_edit` (passed in as ``save``): an invalid or
unparsable object reopens the file with kubectl's reasons at the top and the editor stays open; any other error
is shown under the editor, which stays open with the text kept; success (or no change) closes it.
"""

from __future__ import annotations

from typing import Any, Callable, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Static, TextArea

from ktui.tui.i18n import tr
from ktui.tui.keys import localize

__all__ = ["EditScreen"]


class EditScreen(Screen[Any]):
    """The edit file of one object; dismissed with the save's outcome, or None when cancelled.

    Args:
        title: what is edited (``edit deployment/web -n default``).
        text: the file kubectl edit opens (header comment, then the object's YAML).
        save: sends the edited text; returns an outcome with ``out``, ``err``, ``code`` and ``reopen``.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "save (apply)", priority=True),
        Binding("escape", "cancel", "cancel", priority=True),
    ]

    DEFAULT_CSS = """
    EditScreen { background: $background; }
    EditScreen > #edit-title { height: 1; background: $primary-muted; color: $foreground; padding: 0 1;
                               text-style: bold; }
    EditScreen > TextArea { height: 1fr; }
    EditScreen > #edit-status { height: auto; max-height: 8; padding: 0 1; background: $panel; }
    """

    def __init__(self, title: str, text: str, save: Callable[[str], Any]) -> None:
        super().__init__(id="edit")
        self.edit_title = title
        self.original = text
        self.save = save
        self.status = ""
        """The last save's message shown under the editor (kubectl's stderr), "" before any."""

    def compose(self) -> ComposeResult:
        lang = getattr(self.app, "lang", "en")
        localize(self, lang)
        yield Static(
            Text(f"{self.edit_title}   " + tr("(ctrl+s: apply, esc: cancel)", lang), no_wrap=True, overflow="ellipsis"),
            id="edit-title",
        )
        editor = TextArea.code_editor(self.original, language="yaml", soft_wrap=False, id="edit-text")
        editor.cursor_blink = False
        yield editor
        yield Static("", id="edit-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    def action_save(self) -> None:
        outcome = self.save(self.text)
        message = (outcome.out + outcome.err).rstrip("\n")
        if outcome.reopen is None and outcome.code == 0:
            self.dismiss(outcome)
            return
        if outcome.reopen is not None:  # kubectl reopens the file with the reasons at the top
            area = self.query_one(TextArea)
            row = area.cursor_location[0] + outcome.reopen.count("\n") - self.text.count("\n")
            area.load_text(outcome.reopen)
            area.cursor_location = (max(0, row), 0)
            reasons = [line[2:] for line in outcome.reopen.splitlines()[4:] if line.startswith("# ")]
            message = "\n".join([message, *reasons]).strip("\n")
        self.status = message
        style = getattr(self.app, "style", None)
        self.query_one("#edit-status", Static).update(Text(message, style=style("error") if style else ""))

    def action_cancel(self) -> None:
        self.dismiss(None)
