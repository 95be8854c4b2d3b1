"""``ScenarioSession``: a scenario stepped one step at a time, forwards and back — what the terminal UI drives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ktui.scenario.actions import StepResult, execute_step
from ktui.scenario.model import LANGS, Scenario, ScenarioError, Step

__all__ = ["ScenarioSession"]


class ScenarioSession:
    """One run of a scenario on its own fresh cluster, stepped by the caller.

    A checkpoint of the cluster is taken before every step, so :meth:`back` can undo the last one exactly.

    >>> s = ScenarioSession("pod-lifecycle", lang="ko")
    >>> while not s.done:
    ...     print(s.next().transcript)

    Args:
        scenario: a loaded :class:`~ktui.scenario.model.Scenario`, a built-in name or a file path.
        seed: the cluster seed; None uses the scenario's own.
        lang: the language of titles and narration (``en`` or ``ko``).
        checkpoints: take a checkpoint before each step (turn off for one-way headless runs).

    Raises:
        ScenarioError: the scenario cannot be loaded, or the language is unknown.
    """

    def __init__(
        self, scenario: Scenario | str | Path, *, seed: int | None = None, lang: str = "en", checkpoints: bool = True
    ) -> None:
        if not isinstance(scenario, Scenario):
            from ktui.scenario.loader import load_scenario

            scenario = load_scenario(scenario)
        if lang not in LANGS:
            raise ScenarioError(f"unknown language {lang!r} (expected one of: {', '.join(LANGS)})")
        self.scenario = scenario
        """The scenario being run."""
        self.lang = lang
        """The language of transcripts; may be changed between steps."""
        self.seed = scenario.seed if seed is None else seed
        """The cluster's seed."""
        self.cluster: Any = scenario.make_cluster(self.seed)
        """The :class:`ktui.cluster.Cluster` the steps act on (the same object after :meth:`back`)."""
        self.t0: float = self.cluster.now
        """The cluster's time when it was handed over; transcript times count from here."""
        self.results: list[StepResult] = []
        """What each step done so far did, in order."""
        self._checkpoints = checkpoints
        self._saved: list[Any] = []

    # ------------------------------------------------------------------ what it is

    @property
    def name(self) -> str:
        return self.scenario.name

    def title(self, lang: str | None = None) -> str:
        """The scenario's title (in the session's language by default)."""
        return self.scenario.title(lang or self.lang)

    def description(self, lang: str | None = None) -> str:
        return self.scenario.description(lang or self.lang)

    @property
    def steps(self) -> tuple[Step, ...]:
        """Every step; each has ``.title(lang)``, ``.narration(lang)``, ``.pause``, ``.kind``, ``.number``."""
        return self.scenario.steps

    # ------------------------------------------------------------------ where it is

    @property
    def position(self) -> int:
        """How many steps are done (the index of the next step in :attr:`steps`)."""
        return len(self.results)

    @property
    def done(self) -> bool:
        """True when every step has run."""
        return self.position >= len(self.steps)

    @property
    def current(self) -> Step | None:
        """The step :meth:`next` will run, or None when done."""
        return None if self.done else self.steps[self.position]

    @property
    def ok(self) -> bool:
        """True while every step done so far succeeded."""
        return all(r.ok for r in self.results)

    @property
    def elapsed(self) -> float:
        """Simulated seconds since the scenario started."""
        return self.cluster.now - self.t0

    # ------------------------------------------------------------------ moving

    def next(self) -> StepResult:
        """Run the next step (after checkpointing the cluster) and return what it did.

        Raises:
            ScenarioError: every step has already run.
        """
        step = self.current
        if step is None:
            raise ScenarioError(f"{self.name}: the scenario is done")
        if self._checkpoints:
            self._saved.append(self.cluster.checkpoint(f"{self.name}: before step {step.number}"))
        result = execute_step(self.cluster, step, t0=self.t0, lang=self.lang)
        self.results.append(result)
        return result

    def back(self) -> Step | None:
        """Undo the last step: restore the checkpoint taken before it. Returns that step, or None at the start.

        Raises:
            ScenarioError: the session was made without checkpoints.
        """
        if not self.results:
            return None
        if not self._checkpoints:
            raise ScenarioError(f"{self.name}: this session keeps no checkpoints; it cannot go back")
        self.cluster.restore(self._saved.pop())
        return self.results.pop().step

    def transcript(self) -> str:
        """The transcript of every step done so far, one block per step."""
        return "\n".join(r.render(len(self.steps)) for r in self.results)
