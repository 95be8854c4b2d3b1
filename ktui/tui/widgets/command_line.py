"""The ``:`` command line: an input with history (up/down) and completion (tab) of kubectl words.

| Key(s) | Description |
| :- | :- |
| enter | Run the line (``Submitted``). |
| up / down | Previous / next line from history. |
| tab | Complete the word under the cursor (the common prefix; candidates are listed when several). |
| escape | Close the command line (``Cancelled``). |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable, ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Input

from ktui.tui.i18n import tr

__all__ = ["CommandLine", "common_prefix"]

Completer = Callable[[str], list[str]]
"""``line -> candidate lines`` (each candidate is the whole line with the last word completed)."""


def common_prefix(words: list[str]) -> str:
    return os.path.commonprefix(words) if words else ""


class _CompleterSuggester(Suggester):
    def __init__(self, completer: Completer) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.completer = completer

    async def get_suggestion(self, value: str) -> str | None:
        if not value or value.endswith(" "):
            return None
        cands = self.completer(value)
        return cands[0] if cands else None


class CommandLine(Input):
    """A kubectl line with history and completion."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "history(-1)", "Previous", show=False),
        Binding("down", "history(1)", "Next", show=False),
        Binding("tab", "complete", "Complete", show=False, priority=True),
        Binding("escape", "cancel", "Close", show=False),
    ]

    DEFAULT_CSS = """
    CommandLine { height: 1; border: none; padding: 0 1; background: $panel; }
    CommandLine:focus { border: none; }
    """

    @dataclass
    class Cancelled(Message):
        """Escape was pressed."""

        line: "CommandLine"

        @property
        def control(self) -> "CommandLine":
            return self.line

    @dataclass
    class Candidates(Message):
        """Tab found several completions; the app lists them."""

        line: "CommandLine"
        candidates: list[str]

        @property
        def control(self) -> "CommandLine":
            return self.line

    def __init__(self, completer: Completer, **kwargs) -> None:
        lang = kwargs.pop("lang", "en")
        super().__init__(placeholder=tr("kubectl command, or pods / nodes / svc / ns", lang), suggester=None, **kwargs)
        self.completer = completer
        self.suggester = _CompleterSuggester(completer)
        self.history: list[str] = []
        """Lines run, oldest first."""
        self._pos = 0
        self.cursor_blink = False

    def remember(self, line: str) -> None:
        if line and (not self.history or self.history[-1] != line):
            self.history.append(line)
        self._pos = len(self.history)

    def action_history(self, delta: int) -> None:
        if not self.history:
            return
        self._pos = max(0, min(len(self.history), self._pos + delta))
        self.value = self.history[self._pos] if self._pos < len(self.history) else ""
        self.cursor_position = len(self.value)

    def action_complete(self) -> None:
        cands = self.completer(self.value)
        if not cands:
            return
        prefix = common_prefix(cands)
        if len(cands) == 1:
            self.value = cands[0] + " "
        elif len(prefix) > len(self.value):
            self.value = prefix
        else:
            self.post_message(self.Candidates(self, cands))
        self.cursor_position = len(self.value)

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled(self))
