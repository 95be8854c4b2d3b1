"""Small modal dialogs: a yes/no confirmation and a pick-one list (faults, themes, trace source)."""

from __future__ import annotations

from typing import Callable, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from ktui.tui.i18n import tr

__all__ = ["ConfirmScreen", "PickScreen"]


class ConfirmScreen(ModalScreen[bool]):
    """Asks before something destructive. ``y``/``enter`` confirms, ``n``/``escape`` cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("enter", "answer(True)", "Yes", show=False),
        Binding("n", "answer(False)", "No"),
        Binding("escape", "answer(False)", "Cancel", show=False),
    ]

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical { width: auto; max-width: 90%; height: auto; border: thick $error;
                               background: $panel; padding: 1 2; }
    ConfirmScreen .question { text-style: bold; }
    ConfirmScreen .hint { color: $foreground-muted; margin-top: 1; }
    """

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__(id="confirm")
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.question), classes="question")
            if self.detail:
                yield Label(Text(self.detail))
            yield Label(tr("y / enter: yes    n / esc: no", getattr(self.app, "lang", "en")), classes="hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class PickScreen(ModalScreen[str | None]):
    """Pick one of several choices; returns its id, or None on escape.

    Args:
        title: what is being picked.
        choices: ``(id, label)`` pairs; a None id makes a separator-like disabled line.
        on_highlight: called with the id under the cursor (the theme picker previews with it).
        initial: the id to start on.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    DEFAULT_CSS = """
    PickScreen { align: center middle; }
    PickScreen > Vertical { width: auto; min-width: 40; max-width: 90%; height: auto; max-height: 80%;
                            border: thick $primary; background: $panel; padding: 0 1; }
    PickScreen .title { text-style: bold; padding: 0 1; }
    PickScreen OptionList { height: auto; max-height: 20; border: none; }
    """

    def __init__(
        self,
        title: str,
        choices: list[tuple[str | None, str]],
        *,
        on_highlight: Callable[[str], None] | None = None,
        initial: str | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.pick_title = title
        self.choices = choices
        self.on_highlight = on_highlight
        self.initial = initial

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.pick_title), classes="title")
            yield OptionList(*[Option(Text(label), id=cid, disabled=cid is None) for cid, label in self.choices])

    def on_mount(self) -> None:
        ol = self.query_one(OptionList)
        ol.focus()
        ids = [c for c, _ in self.choices]
        if self.initial in ids:
            ol.highlighted = ids.index(self.initial)
        else:
            ol.highlighted = next((i for i, c in enumerate(ids) if c is not None), None)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if self.on_highlight is not None and event.option.id is not None:
            self.on_highlight(event.option.id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
