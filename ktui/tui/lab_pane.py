"""The lab's task pane: the current task's text (Markdown), the hints shown so far, the solution once shown,
the last check of the task, progress and time, and the keys that drive it.

The pane knows nothing of labs: it shows a :class:`TaskView`, which the lab layer (:mod:`ktui.lab.tui`) builds
from its session. ``attributes down``: the app calls :meth:`LabPane.show` whenever the session changed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

__all__ = ["TaskView", "LabPane", "lab_word"]

_KO = {
    "Hints": "힌트",
    "Solution (shown, counted)": "풀이 (봄, 기록됨)",
    "Last check": "마지막 검사",
    "no hints left": "남은 힌트 없음",
    "hint": "힌트",
    "hints left": "남은 힌트",
    "check": "검사",
    "solution": "풀이",
    "next task": "다음 과제",
    "previous task": "이전 과제",
    "prompt": "프롬프트",
    "panels": "패널",
    "quit": "종료",
    "keys": "키",
    "time": "시간",
    "Lab finished": "랩 종료",
    "enter: quit   esc: back to the lab": "enter: 종료   esc: 랩으로 돌아가기",
    "enter: quit": "enter: 종료",
    "check first: the solution comes after a first check": "먼저 검사하세요: 풀이는 한 번 검사한 뒤에 볼 수 있습니다",
    "Welcome back: your lab is as you left it": "다시 오신 것을 환영합니다: 랩이 떠날 때 그대로입니다",
    "kubectl ..., or check / hint / solution / next / prev / help": "kubectl ..., 또는 check / hint / solution / next / prev / help",
    "Every task passed": "모든 과제 통과",
    "task": "과제",
}
"""The pane's own words in Korean (the lab's texts come translated in its file)."""


def lab_word(text: str, lang: str) -> str:
    """``text`` in ``lang`` (the English text when there is no translation)."""
    return _KO.get(text, text) if lang == "ko" else text


@dataclass(frozen=True)
class TaskView:
    """What the task pane shows, as plain data."""

    heading: str
    """``Task 2/6: A ClusterIP Service for web``."""
    text: str
    """The task's text (Markdown)."""
    progress: str
    """``2/6 ✓``."""
    time: str = ""
    """Time taken so far (``00:03:12``, with ``of 30m`` under a time limit)."""
    passed: bool = False
    """This task passed a check."""
    hints: tuple[str, ...] = ()
    """The hints shown so far, each as ``Hint 1/2: ...``."""
    hints_left: int = 0
    solution: str = ""
    """The solution once shown (then counted in the summary), else empty."""
    check: str = ""
    """The last check of this task, rendered (each failing expectation's message), else empty."""
    check_ok: bool | None = None
    lang: str = "en"


def _keys(view: TaskView) -> Text:
    w = lambda s: lab_word(s, view.lang)  # noqa: E731
    hint = f"{w('hint')} ({view.hints_left})" if view.hints_left else w("no hints left")
    keys = [
        ("c", w("check")),
        ("h", hint),
        ("o", w("solution")),
        ("]", w("next task")),
        ("[", w("previous task")),
        (":", w("prompt")),
        ("esc", w("panels")),
        ("q", w("quit")),
    ]
    t = Text()
    for i, (key, what) in enumerate(keys):
        if i:
            t.append("\n" if i in (3, 5) else "  ")
        t.append(key, style="bold")
        t.append(f" {what}", style="dim")
    return t


class LabPane(VerticalScroll, can_focus=False):
    """The current task, its hints, solution and last check; the border shows progress and time."""

    DEFAULT_CSS = """
    LabPane { border: round $accent; border-title-color: $accent; border-subtitle-color: $accent;
              padding: 0 1; background: $surface; }
    LabPane > Static { width: 1fr; }
    """

    view: TaskView | None = None
    """What is shown now."""

    def compose(self):
        yield Static("", id="lab-text")

    def show(self, view: TaskView) -> None:
        """Show ``view`` (scrolled to the top when the task changed)."""
        unchanged = self.view is not None and replace(self.view, time="") == replace(view, time="")
        moved = self.view is None or self.view.heading != view.heading
        self.view = view
        if unchanged:  # most lines change nothing here: the Markdown is not laid out again
            self.show_time(view.time)
            return
        mark = " ✓" if view.passed else ""
        self.border_title = f"{view.heading}{mark}"
        self.show_time(view.time)
        parts: list[RenderableType] = [Text(view.heading + mark, style="bold"), Markdown(view.text.strip())]
        if view.hints:
            parts.append(Text(""))
            parts.append(Text(lab_word("Hints", view.lang), style="bold underline"))
            parts += [Markdown(h) for h in view.hints]
        if view.solution:
            parts.append(Text(""))
            parts.append(Text(lab_word("Solution (shown, counted)", view.lang), style="bold underline"))
            parts.append(Text(view.solution.rstrip("\n")))
        if view.check:
            parts.append(Text(""))
            parts.append(Text(lab_word("Last check", view.lang), style="bold underline"))
            parts.append(Text(view.check.rstrip("\n"), style="green" if view.check_ok else "red"))
        parts += [Text(""), _keys(view)]
        self.query_one("#lab-text", Static).update(Group(*parts))
        if moved:
            self.scroll_home(animate=False)

    def show_time(self, time: str) -> None:
        """Progress and time in the bottom border (refreshed as the clock moves)."""
        if self.view is not None:
            self.border_subtitle = f"{self.view.progress}   {time}" if time else self.view.progress

    @property
    def text(self) -> str:
        """The pane's text as plain lines (what a person reads; for tests and the terminal test)."""
        v = self.view
        if v is None:
            return ""
        lines = [v.heading + (" ✓" if v.passed else ""), v.text.strip(), *v.hints]
        if v.solution:
            lines.append(v.solution.rstrip("\n"))
        if v.check:
            lines.append(v.check.rstrip("\n"))
        return "\n".join(lines)
