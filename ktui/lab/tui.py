"""A lab in the terminal UI: the driver the UI's lab pane and prompt call, and :func:`run_tui` that opens it.

Every line typed at the UI's prompt, and every lab key (``c`` is ``check``, ``h`` ``hint``...), runs through the
same :class:`~ktui.lab.shell.LabShell` as the headless ``ktui lab run``, then :meth:`Cluster.settle`: the cluster
reacts before the next line, as in every shell. The UI moves the clock with the wall time (× the lab's speed)
between lines, as the headless shell does in a terminal, so the same lines give the same results.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ktui.lab.lines import heredoc_end, parse_lines
from ktui.lab.session import LabSession, LabSummary
from ktui.lab.shell import LabShell, Reply
from ktui.lab.texts import say
from ktui.scenario.actions import clock
from ktui.tui.lab_pane import TaskView

__all__ = ["Ending", "SessionDriver", "run_tui"]


@dataclass(frozen=True)
class Ending:
    """How the lab ended: the summary to show, and whether the learner may go back to the lab from it."""

    text: str
    can_return: bool


class SessionDriver:
    """A :class:`LabSession` as the UI drives it (:class:`ktui.tui.lab_app.LabDriver`).

    Args:
        session: the learner's session.
        workdir: the learner's working directory (``> FILE``, ``cat``, ``kubectl -f``).
        on_change: called with the session after every line and key, once its answer is on the screen (the SSH
            server saves the lab there).
        confine: keep kubectl's file arguments inside ``workdir`` (an SSH session: :mod:`ktui.lab.confine`).
    """

    def __init__(
        self,
        session: LabSession,
        workdir: Path,
        on_change: Callable[[LabSession], Any] | None = None,
        *,
        confine: bool = False,
    ) -> None:
        self.session = session
        self.shell = LabShell(session, workdir, confine=confine)
        self.on_change = on_change
        self.lang = session.lang
        self.speed = session.lab.speed
        self.cluster = session.cluster
        self.final: LabSummary | None = None
        """The summary the lab ended with (None while it goes on)."""
        self._heredoc: list[str] = []
        self._end_word: str | None = None
        """The line that closes the here-document being typed, or None."""
        self._all_passed_shown = session.passed == len(session.lab.tasks)

    # ------------------------------------------------------------------ what the UI shows

    def intro(self) -> str:
        lab, lang = self.session.lab, self.lang
        text = f"# {lab.name}: {lab.title(lang)}\n"
        if lab.description(lang):
            text += lab.description(lang).rstrip("\n") + "\n"
        return text + say("help_hint", lang) + "\n"

    def prompt(self) -> str:
        return "> " if self._end_word is not None else self.shell.prompt()

    def clock(self) -> str:
        s = self.session
        limit = f" / {s.lab.time_limit_text}" if s.lab.time_limit is not None else ""
        return clock(s.elapsed) + limit

    def view(self) -> TaskView:
        s, lang = self.session, self.lang
        task, state = s.task, s.state
        total = len(task.hints)
        hints = tuple(
            say("hint", lang, n=i + 1, total=total, text=task.hint(i, lang)) for i in range(state.hints_shown)
        )
        last = state.last
        return TaskView(
            heading=say("task_of", lang, n=task.number, total=len(s.lab.tasks), title=task.title(lang)),
            text=task.text(lang),
            progress=s.progress(),
            time=self.clock(),
            passed=state.passed,
            hints=hints,
            hints_left=total - state.hints_shown,
            solution=task.solution(lang) if state.solution_shown else "",
            check=last.render(lang) if last is not None else "",
            check_ok=None if last is None else last.ok,
            lang=lang,
        )

    # ------------------------------------------------------------------ what the learner does

    def feed(self, text: str) -> Reply | None:
        """Run one line as typed; None while a here-document is being typed (its lines come next)."""
        if self._end_word is not None:
            self._heredoc.append(text)
            if text.lstrip("\t") != self._end_word:
                return None
            lines, self._heredoc, self._end_word = self._heredoc, [], None
            return self._run(lines)
        end = heredoc_end(text + "\n")
        if end is not None:
            self._heredoc, self._end_word = [text], end
            return None
        return self._run([text])

    def _run(self, lines: list[str]) -> Reply:
        reply = Reply("comment")
        for item in parse_lines(line + "\n" for line in lines):
            reply = self.shell.run(item)
        self.cluster.settle()  # the cluster reacts before the next line (Cluster.settle)
        return reply

    def commit(self) -> None:
        """The line's answer is on the screen: keep the session (``on_change``; the SSH server saves the lab)."""
        if self.on_change is not None:
            self.on_change(self.session)

    def ended(self, reply: Any = None) -> Ending | None:
        """The end of the lab after ``reply``: ``quit``, the time limit, or the check that passed the last task."""
        assert reply is None or isinstance(reply, Reply)
        s, lang = self.session, self.lang
        if reply is None:
            if not s.time_up:
                return None
            self.final = s.finish()
            limit = say("time_up", lang, limit=s.lab.time_limit_text)
            return Ending(f"{limit}\n\n{self.final.render()}", False)
        if reply.kind == "time_up":
            self.final = s.finish()
            return Ending(f"{reply.out}\n{self.final.render()}", False)
        if reply.quit:  # `quit`: the shell checked the tasks not passed yet
            self.final = s.summary()
            return Ending(self.final.render(), True)
        if reply.kind == "check" and not self._all_passed_shown and s.passed == len(s.lab.tasks):
            self._all_passed_shown = True
            self.final = s.summary()
            return Ending(self.final.render(), True)
        return None

    def resume(self) -> None:
        self.final = None

    def summary(self) -> LabSummary:
        """The lab's summary as it ended (tasks not passed yet are checked once more when it did not)."""
        return self.final if self.final is not None else self.session.finish()


def run_tui(
    session: LabSession,
    workdir: Path,
    *,
    on_change: Callable[[LabSession], Any] | None = None,
    theme: str | None = None,
    welcome: str = "",
    confine: bool = False,
) -> tuple[LabSummary, int]:
    """Open the lab in the terminal UI until the learner leaves; returns the summary and the app's return code
    (1 after a crash of the UI). ``confine``: kubectl's file arguments stay inside ``workdir`` (SSH sessions)."""
    from ktui.tui.lab_app import LabApp

    driver = SessionDriver(session, workdir, on_change, confine=confine)
    app = LabApp(driver, theme=theme, welcome=welcome)
    app.run()
    return driver.summary(), app.return_code or 0
