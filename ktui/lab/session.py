"""``LabSession``: one learner working through a lab — tasks, checks, hints, solutions, time — with no UI in it.

The terminal UI, the headless ``ktui lab run`` and (later) the SSH server drive the same session. Time is the
cluster's simulated clock since setup ended; a shell that runs the cluster in real time moves that clock by
the wall time that passed (× the lab's speed), so at 1x it is the wall time.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ktui.lab.checks import CheckOutcome, evaluate, remember
from ktui.lab.model import Lab, LabError, ObjectCheck, ScriptCheck, Task
from ktui.lab.texts import say
from ktui.scenario.actions import clock, execute_step
from ktui.scenario.model import LANGS

__all__ = ["TaskCheck", "TaskState", "LabSummary", "LabSession"]


@dataclass(frozen=True)
class TaskCheck:
    """The outcome of checking one task at one moment."""

    task: Task
    time: float
    """Simulated seconds since the lab started."""
    outcomes: tuple[CheckOutcome, ...]

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)

    @property
    def failures(self) -> list[CheckOutcome]:
        return [o for o in self.outcomes if not o.ok]

    def render(self, lang: str = "en") -> str:
        """``✓ Task 2: ... passed``, or the task's failing checks, each with its message and what was seen."""
        head = say("task", lang, n=self.task.number, title=self.task.title(lang))
        if self.ok:
            return f"✓ {head}: {say('passed', lang)}\n"
        failed = self.failures
        lines = [f"✗ {head}: {say('failed', lang, failed=len(failed), total=len(self.outcomes))}"]
        missing = set()
        for o in failed:
            if o.detail.endswith(" not found") and o.detail in missing:
                continue  # the object's absence was said once: its other checks add nothing
            missing.add(o.detail)
            lines.append(f"  ✗ {o.message(lang)}")
            if o.detail:
                lines.append(f"    ({o.detail})")
        return "\n".join(lines) + "\n"

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        return {
            "task": self.task.number,
            "title": self.task.title(lang),
            "ok": self.ok,
            "time": clock(self.time),
            "seconds": self.time,
            "checks": [o.to_json(lang) for o in self.outcomes],
        }


@dataclass
class TaskState:
    """What the learner did with one task."""

    checks: int = 0
    """How many times it was checked."""
    last: TaskCheck | None = None
    passed_at: float | None = None
    """When a check of it first passed (simulated seconds since the start), or None."""
    hints_shown: int = 0
    solution_shown: bool = False

    @property
    def passed(self) -> bool:
        """True once a check of it passed (a later task may change what it made, as a lab's steps do)."""
        return self.passed_at is not None


@dataclass(frozen=True)
class LabSummary:
    """The end of a lab: tasks passed, hints used, solutions shown, time taken."""

    lab: Lab
    lang: str
    seed: int
    seconds: float
    states: tuple[TaskState, ...]
    time_up: bool = False

    @property
    def passed(self) -> int:
        return sum(s.passed for s in self.states)

    @property
    def hints_used(self) -> int:
        return sum(s.hints_shown for s in self.states)

    @property
    def solutions_shown(self) -> int:
        return sum(s.solution_shown for s in self.states)

    def render(self) -> str:
        """The summary as text: a line per task and the totals."""
        lab, lang = self.lab, self.lang
        lines = [f"# {lab.name}: {lab.title(lang)}"]
        for task, s in zip(lab.tasks, self.states):
            mark = "✓" if s.passed else "✗"
            extra = [say("hint_1" if s.hints_shown == 1 else "hints_n", lang, n=s.hints_shown)] if s.hints_shown else []
            if s.solution_shown:
                extra.append(say("solution_shown", lang))
            lines.append(f"{mark} {task.number}. {task.title(lang)}" + (f" ({', '.join(extra)})" if extra else ""))
        total = len(lab.tasks)
        limit = say("of_limit", lang, limit=lab.time_limit_text) if lab.time_limit is not None else ""
        lines.append(
            say(
                "totals",
                lang,
                passed=self.passed,
                total=total,
                hints=self.hints_used,
                solutions=self.solutions_shown,
                time=clock(self.seconds),
            )
            + limit
            + (say("is_up", lang) if self.time_up else "")
        )
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        lab, lang = self.lab, self.lang
        return {
            "lab": lab.name,
            "title": lab.title(lang),
            "lang": lang,
            "seed": self.seed,
            "passed": self.passed,
            "total": len(lab.tasks),
            "hints_used": self.hints_used,
            "solutions_shown": self.solutions_shown,
            "time": clock(self.seconds),
            "seconds": self.seconds,
            "time_limit": lab.time_limit,
            "time_up": self.time_up,
            "tasks": [
                {
                    "task": t.number,
                    "title": t.title(lang),
                    "passed": s.passed,
                    "checks": s.checks,
                    "passed_at": None if s.passed_at is None else clock(s.passed_at),
                    "hints_used": s.hints_shown,
                    "solution_shown": s.solution_shown,
                }
                for t, s in zip(lab.tasks, self.states)
            ],
        }


class LabSession:
    """One learner's run of a lab on its own fresh cluster, set up as the lab says.

    >>> s = LabSession("expose-clusterip", lang="ko")
    >>> s.cluster.kubectl("expose pod web --port=80")
    >>> print(s.check().render("ko"))

    Args:
        lab: a loaded :class:`~ktui.lab.model.Lab`, a built-in name or a file path.
        seed: the cluster seed; None uses the lab's own.
        lang: the language of texts and messages (``en`` or ``ko``); may be changed later.

    Raises:
        LabError: the lab cannot be loaded, the language is unknown, or its setup fails (a bug in the lab).
    """

    scripts: Any = None
    """The :class:`~ktui.lab.script_check.ScriptRunner` of ``script:`` checks, made on the first one (a class
    default, so that a session restored from its saved state has none until it needs one)."""

    def __init__(self, lab: Lab | str | Path, *, seed: int | None = None, lang: str = "en") -> None:
        if not isinstance(lab, Lab):
            from ktui.lab.loader import load_lab

            lab = load_lab(lab)
        if lang not in LANGS:
            raise LabError(f"unknown language {lang!r} (expected one of: {', '.join(LANGS)})")
        self.lab = lab
        self.lang = lang
        self.seed = lab.seed if seed is None else seed
        self.cluster: Any = lab.make_cluster(self.seed)
        """The :class:`ktui.cluster.Cluster` the learner works on."""
        start = self.cluster.now
        for step in lab.setup:
            r = execute_step(self.cluster, step, t0=start, lang=lang)
            if not r.ok:
                raise LabError(f"{lab.source}:{step.line}: setup step {step.number} failed: {r.error}")
        self.t0: float = self.cluster.now
        """The cluster's time when setup ended; the learner's time counts from here."""
        self.baseline: dict[int, dict[str, Any]] = {}
        """What ``not_recreated`` and ``unchanged`` checks compare with (uid, values), by the check's line."""
        for task in lab.tasks:
            for check in task.checks:
                if isinstance(check, ObjectCheck) and check.remembers:
                    seen = remember(self.cluster, check)
                    if seen is None:
                        what = "not_recreated" if check.not_recreated else "unchanged"
                        raise LabError(f"{lab.source}:{check.line}: {what}: setup did not create {check.target()}")
                    self.baseline[check.line] = seen
        self.states = [TaskState() for _ in lab.tasks]
        self.index = 0
        """The current task (0-based)."""

    # ------------------------------------------------------------------ where the learner is

    @property
    def task(self) -> Task:
        """The current task."""
        return self.lab.tasks[self.index]

    @property
    def state(self) -> TaskState:
        return self.states[self.index]

    @property
    def passed(self) -> int:
        return sum(s.passed for s in self.states)

    def progress(self) -> str:
        """``2/6 ✓``: tasks passed of all tasks."""
        return f"{self.passed}/{len(self.lab.tasks)} ✓"

    @property
    def elapsed(self) -> float:
        """Simulated seconds since the learner arrived (since setup ended)."""
        return self.cluster.now - self.t0

    @property
    def time_left(self) -> float | None:
        """Simulated seconds left before the time limit, or None without one."""
        if self.lab.time_limit is None:
            return None
        return max(0.0, self.lab.time_limit - self.elapsed)

    @property
    def time_up(self) -> bool:
        return self.time_left == 0.0

    def goto(self, number: int) -> Task:
        """Make task ``number`` (1-based) the current one.

        Raises:
            LabError: no such task.
        """
        self.index = self.lab.tasks.index(self.lab.find_task(number))
        return self.task

    def next(self) -> Task | None:
        """Move to the next task; None (and no move) at the last one."""
        if self.index + 1 >= len(self.lab.tasks):
            return None
        self.index += 1
        return self.task

    def prev(self) -> Task | None:
        """Move to the previous task; None (and no move) at the first one."""
        if self.index == 0:
            return None
        self.index -= 1
        return self.task

    # ------------------------------------------------------------------ what the learner asks for

    def check(self, number: int | None = None) -> TaskCheck:
        """Check a task (the current one by default) now: every check runs, as pure reads of the cluster."""
        index = self.index if number is None else self.lab.tasks.index(self.lab.find_task(number))
        task = self.lab.tasks[index]
        if self.scripts is None and any(isinstance(c, ScriptCheck) for c in task.checks):
            from ktui.lab.script_check import ScriptRunner

            self.scripts = ScriptRunner(self.cluster)
        outcomes = tuple(evaluate(self.cluster, c, self.baseline, self.scripts) for c in task.checks)
        result = TaskCheck(task, self.elapsed, outcomes)
        state = self.states[index]
        state.checks += 1
        state.last = result
        if result.ok and state.passed_at is None:
            state.passed_at = result.time
        return result

    def hint(self) -> tuple[int, str] | None:
        """The current task's next hint as ``(its number, text)``, counted as used; None when none are left."""
        task, state = self.task, self.state
        if state.hints_shown >= len(task.hints):
            return None
        state.hints_shown += 1
        return state.hints_shown, task.hint(state.hints_shown - 1, self.lang)

    def solution(self) -> str:
        """The current task's solution, marked as shown.

        Raises:
            LabError: the task was not checked yet (the solution comes after a first try), or has no solution.
        """
        task, state = self.task, self.state
        if not task.solutions:
            raise LabError(say("no_solution", self.lang, n=task.number))
        if state.checks == 0:
            raise LabError(say("check_first", self.lang, n=task.number))
        state.solution_shown = True
        return task.solution(self.lang)

    def close(self) -> None:
        """Stop what the session started for its checks (the HTTPS server of ``script:`` checks)."""
        if self.scripts is not None:
            self.scripts.close()

    def __enter__(self) -> "LabSession":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def summary(self) -> LabSummary:
        """Tasks passed, hints used, solutions shown, time taken — as things are now."""
        return LabSummary(
            self.lab, self.lang, self.seed, self.elapsed, tuple(replace(s) for s in self.states), self.time_up
        )

    def finish(self) -> LabSummary:
        """Check every task that has not passed yet (it may be done without a check) and sum up."""
        for task, state in zip(self.lab.tasks, self.states):
            if not state.passed:
                self.check(task.number)
        return self.summary()
