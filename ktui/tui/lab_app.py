"""``LabApp``: the terminal UI on a lab's cluster, with the task pane beside it and a kubectl prompt that stays open.

The app knows nothing of labs: a :class:`LabDriver` (built by :mod:`ktui.lab.tui` from a lab session) runs each
line typed at the prompt exactly as the headless ``ktui lab run`` runs it, and says what the task pane shows.
The lab keys are lab commands too: ``c`` runs ``check``, ``h`` ``hint``, ``o`` ``solution``, ``]`` / ``[``
``next`` / ``prev`` and ``q`` ``quit``, each written to the transcript as if it had been typed.

| Key(s) | Description |
| :- | :- |
| c | Check the current task (each failing expectation's message shows in the pane). |
| h | Show the task's next hint. |
| o | Show the task's solution (after a first check; counted as shown). |
| ] / [ | The next / previous task. |
| : | Back to the prompt (esc leaves it, for the keys above and the panels). |
| up / down | At the prompt: the lines typed before. |
| q | End the lab: the summary (tasks passed, hints used, solutions shown, time taken). |
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar, Protocol

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ktui.tui.app import ClusterChanged, KtuiApp
from ktui.tui.lab_pane import LabPane, TaskView, lab_word
from ktui.tui.screens.main import MainScreen
from ktui.tui.widgets.command_line import CommandLine

__all__ = ["LabApp", "LabDriver", "LabEnd", "LabScreen", "SummaryScreen"]

MAX_TRANSCRIPT = 400
"""The transcript under the panels keeps this many lines (a terminal's scrollback)."""


class LabEnd(Protocol):
    """How a lab ended: the summary to show, and whether the learner may go back to the lab."""

    @property
    def text(self) -> str: ...

    @property
    def can_return(self) -> bool: ...


class LabDriver(Protocol):
    """What the app needs of a lab (see :class:`ktui.lab.tui.SessionDriver`)."""

    lang: str
    speed: float
    cluster: Any

    def intro(self) -> str:
        """The lab's title and description, as the transcript starts."""

    def prompt(self) -> str:
        """The prompt for the next line (``[1/6 ✓] controlplane:~$ ``, ``> `` inside a here-document)."""

    def feed(self, text: str) -> Any:
        """Run one typed line; a reply with ``out``, ``err``, ``code``, or None while a here-document is open."""

    def view(self) -> TaskView:
        """What the task pane shows now."""

    def clock(self) -> str:
        """Time taken so far."""

    def ended(self, reply: Any = None) -> LabEnd | None:
        """The end of the lab after ``reply`` (or as the clock moved, for None), or None when it goes on."""

    def resume(self) -> None:
        """The learner went back to the lab from its summary."""

    def commit(self) -> None:
        """A line ran and its answer is on the screen: keep the session (a server saves it here)."""


class SummaryScreen(ModalScreen[bool]):
    """The lab's summary; ``enter`` or ``q`` quits, ``esc`` goes back to the lab when it may."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "done(True)", "quit"),
        Binding("q", "done(True)", "quit", show=False),
        Binding("escape", "done(False)", "back", show=False),
    ]

    DEFAULT_CSS = """
    SummaryScreen { align: center middle; }
    SummaryScreen > Vertical { width: auto; max-width: 95%; height: auto; max-height: 90%; border: thick $accent;
                               background: $panel; padding: 1 2; }
    SummaryScreen .title { text-style: bold; margin-bottom: 1; }
    SummaryScreen #summary-text { width: auto; }
    SummaryScreen .hint { color: $foreground-muted; margin-top: 1; }
    """

    def __init__(self, title: str, text: str, can_return: bool) -> None:
        super().__init__(id="lab-summary")
        self.title_text = title
        self.text = text
        self.can_return = can_return

    def compose(self) -> ComposeResult:
        lang = getattr(self.app, "lang", "en")
        with Vertical():
            yield Label(Text(self.title_text), classes="title")
            yield Static(Text(self.text.rstrip("\n")), id="summary-text")
            keys = "enter: quit   esc: back to the lab" if self.can_return else "enter: quit"
            yield Label(lab_word(keys, lang), classes="hint")

    def action_done(self, quit_: bool) -> None:
        if quit_ or self.can_return:
            self.dismiss(quit_)


class LabScreen(MainScreen):
    """The main screen with the task pane and the lab's prompt."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "lab('check')", "check"),
        Binding("h", "lab('hint')", "hint"),
        Binding("o", "lab('solution')", "solution"),
    ]
    AUTO_FOCUS = "#lab-cmdline"

    DEFAULT_CSS = """
    LabScreen #lab-pane { dock: right; width: 42%; min-width: 36; }
    LabScreen.-narrow #lab-pane { dock: top; width: 100%; height: 35%; min-width: 0; }
    LabScreen.-narrow #bottom { display: none; }
    LabScreen #output { max-height: 45%; }
    #lab-prompt { height: 1; background: $panel; }
    #lab-ps1 { width: auto; padding: 0 0 0 1; background: $panel; color: $accent; text-style: bold; }
    #lab-cmdline { width: 1fr; padding: 0 1 0 0; }
    """

    app: "LabApp"

    def compose(self) -> ComposeResult:
        yield LabPane(id="lab-pane")
        yield from super().compose()
        with Horizontal(id="lab-prompt"):
            yield Static("", id="lab-ps1")
            yield CommandLine(self.app.complete_line, id="lab-cmdline", lang=self.app.lang)

    def on_mount(self) -> None:
        self.add_class("-lab")
        line = self.prompt_line
        line.placeholder = lab_word("kubectl ..., or check / hint / solution / next / prev / help", self.app.lang)
        lang, table = self.app.lang, self._bindings.key_to_bindings
        for key, found in table.items():  # `]` steps through tasks here, not scenario steps
            table[key] = [
                replace(b, description=lab_word("next task", lang))
                if b.action == "app.step_next"
                else replace(b, description=lab_word(b.description, lang))
                if b.action.startswith("lab(")
                else b
                for b in found
            ]
        self.app.lab_ready()

    @property
    def prompt_line(self) -> CommandLine:
        return self.query_one("#lab-cmdline", CommandLine)

    def set_prompt(self, text: str) -> None:
        self.query_one("#lab-ps1", Static).update(Text(text))

    def action_command(self) -> None:
        """``:``: back to the prompt (it stays open in a lab)."""
        if self.focused is self.prompt_line:
            from textual.actions import SkipAction

            raise SkipAction()
        self.set_focus(self.prompt_line)

    def on_tabs_tab_activated(self, event) -> None:
        """The tab row announcing the panel that is already active (as it does when it mounts) leaves the
        prompt its focus; choosing another panel moves there, as on the main screen."""
        plural = (event.tab.id or "").removeprefix("tab-") if event.tab is not None else ""
        if self.focused is self.prompt_line and plural and self.panel(plural).has_class("-active"):
            event.prevent_default()

    def action_lab(self, word: str) -> None:
        self.app.run_lab_line(word)

    def on_input_submitted(self, event) -> None:
        if event.input.id != "lab-cmdline":
            return
        event.prevent_default()
        line = self.prompt_line
        text = event.value
        line.remember(text.strip())
        line.value = ""
        self.app.run_lab_line(text)


class LabApp(KtuiApp):
    """The UI on a lab's cluster: panels, the task pane, and a prompt whose lines the lab's driver runs.

    Args:
        driver: the lab (see :class:`LabDriver`).
        theme: a theme name; None uses the remembered one.
        welcome: said once the app is up (e.g. that a lab was resumed).
    """

    MAIN_SCREEN = LabScreen
    TICK_SECONDS: ClassVar[float] = 0.2
    """A lab runs at 1x: five clock ticks a second keep the panels current at a third of the UI's CPU (a server
    runs a lab per learner)."""

    def __init__(self, driver: LabDriver, *, theme: str | None = None, welcome: str = "") -> None:
        super().__init__(
            driver.cluster, theme=theme, lang=driver.lang, speed=driver.speed or 1.0, playing=driver.speed > 0
        )
        self.driver = driver
        self.welcome = welcome
        self.transcript = Text()
        """What the prompt showed so far: lines typed and their output, as a terminal would."""
        self.end: LabEnd | None = None
        """How the lab ended, once it has (shown as the summary)."""
        self.quit_with_summary = False
        """True when the learner left from the summary (the shell prints it again)."""
        self._time = ""

    # ------------------------------------------------------------------ the pane and the prompt

    def lab_ready(self) -> None:
        """The lab screen mounted: show the task, the prompt and the lab's introduction."""
        self.transcript.append(self.driver.intro().rstrip("\n") + "\n")
        self._show_transcript()
        self.refresh_lab()
        if self.welcome:
            self.notify(self.welcome)

    @property
    def lab_screen(self) -> LabScreen:
        return self.main  # type: ignore[return-value]

    def refresh_lab(self) -> None:
        """Show the session as it is now: the pane, the prompt."""
        screen = self.lab_screen
        screen.query_one(LabPane).show(self.driver.view())
        screen.set_prompt(self.driver.prompt())

    def _show_transcript(self) -> None:
        lines = self.transcript.split("\n")
        if len(lines) > MAX_TRANSCRIPT:
            self.transcript = Text("\n").join(lines[-MAX_TRANSCRIPT:])
        self.lab_screen.show_output(self.transcript, "terminal")

    def run_lab_line(self, text: str) -> None:
        """Run one line as typed at the prompt (a lab key runs its lab command this way too)."""
        if self.end is not None:
            return
        prompt = self.driver.prompt()
        self.transcript.append(prompt, style="bold")
        self.transcript.append(text + "\n")
        reply = self.driver.feed(text)
        if reply is not None:
            if reply.out:
                self.transcript.append(reply.out if reply.out.endswith("\n") else reply.out + "\n")
            if reply.err:
                err = reply.err if reply.err.endswith("\n") else reply.err + "\n"
                self.transcript.append(err, style=self.style("error") or "red")
                if getattr(reply, "kind", "") == "error":
                    self.notify(reply.err.strip(), severity="warning")
        self._show_transcript()
        self.refresh_lab()
        self.changed()
        if reply is not None:
            self.call_after_refresh(self.driver.commit)  # the answer first, then the (slower) save
            self._maybe_end(self.driver.ended(reply))

    def on_cluster_changed(self, _: ClusterChanged) -> None:
        """The clock moved: the time in the pane's border, and the time limit."""
        if not self._syncable() or self.end is not None:
            return
        now = self.driver.clock()
        if now != self._time:
            self._time = now
            self.lab_screen.query_one(LabPane).show_time(now)
        self._maybe_end(self.driver.ended(None))

    def _maybe_end(self, end: LabEnd | None) -> None:
        if end is None or self.end is not None:
            return
        self.end = end
        playing, self.playing = self.playing, False  # the lab's time stops with it

        def closed(quit_: bool | None) -> None:
            if quit_:
                self.quit_with_summary = True
                self.exit()
                return
            self.end = None
            self.playing = playing
            self.driver.resume()
            self.refresh_lab()

        self.push_screen(SummaryScreen(lab_word("Lab finished", self.lang), end.text, end.can_return), closed)

    # ------------------------------------------------------------------ keys of the main UI, in a lab

    def action_step_next(self) -> None:
        self.run_lab_line("next")

    def action_step_back(self) -> None:
        self.run_lab_line("prev")

    def action_quit(self) -> None:  # type: ignore[override]
        if self.end is not None:
            self.exit()
            return
        self.run_lab_line("quit")

    def action_faults(self) -> None:
        self.notify(
            "In a lab, change the cluster the way you would on a real one: kubectl, or ssh NODE.", severity="warning"
        )

    def action_undo_fault(self) -> None:
        self.action_faults()

    def _run_kubectl(self, argv: str) -> None:
        """kubectl from the main UI's keys (delete the selection) runs at the prompt, as if typed."""
        self.set_focus(self.lab_screen.prompt_line)
        self.run_lab_line(f"kubectl {argv}")
