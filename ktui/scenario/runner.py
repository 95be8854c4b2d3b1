"""Run a scenario headless from start to end (or to a given step): a transcript, JSON lines, a verdict."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ktui.scenario.actions import StepResult
from ktui.scenario.model import Scenario
from ktui.scenario.session import ScenarioSession

__all__ = ["RunReport", "run_scenario", "next_step"]


def next_step(session: ScenarioSession) -> StepResult:
    """Run the session's next step, then let the cluster settle (:meth:`ktui.cluster.Cluster.settle`).

    The one stepping semantics: ``ktui scenario run`` and the terminal UI's ``]`` both step through this, so
    after every step both see the same cluster, and a step never sees an instant a real cluster skips (a new
    namespace without its ``default`` ServiceAccount).
    """
    result = session.next()
    session.cluster.settle()
    return result


@dataclass
class RunReport:
    """The outcome of a headless run."""

    scenario: Scenario
    lang: str
    seed: int
    results: list[StepResult] = field(default_factory=list)
    stopped: bool = False
    """True when a failed step ended the run before the last step it was asked for."""

    @property
    def ok(self) -> bool:
        """True when every step that ran succeeded."""
        return all(r.ok for r in self.results)

    @property
    def failures(self) -> list[StepResult]:
        return [r for r in self.results if not r.ok]

    def header(self) -> str:
        s = self.scenario
        lines = [f"# {s.name}: {s.title(self.lang)}", f"# seed {self.seed}, {len(s.steps)} steps"]
        return "\n".join(lines) + "\n"

    def summary(self) -> str:
        """The last line: how many steps ran and passed, or which one failed and why."""
        total = len(self.scenario.steps)
        ran = len(self.results)
        if self.ok:
            return f"✓ {self.scenario.name}: {ran}/{total} steps passed\n"
        first = self.failures[0]
        text = f"✗ {self.scenario.name}: step {first.number} failed: {first.error}"
        if len(self.failures) > 1:
            text += f" ({len(self.failures)} steps failed)"
        return text + "\n"

    def transcript(self) -> str:
        """The whole transcript: a header, one block per step, the summary."""
        total = len(self.scenario.steps)
        blocks = [self.header()] + [r.render(total) for r in self.results] + [self.summary()]
        return "\n".join(blocks)

    def json_lines(self) -> str:
        """One JSON object per step, one per line."""
        return "".join(
            json.dumps({"scenario": self.scenario.name, **r.to_json()}, ensure_ascii=False) + "\n" for r in self.results
        )


def run_scenario(
    scenario: Scenario | str | Path,
    *,
    seed: int | None = None,
    lang: str = "en",
    until: str | int | None = None,
    keep_going: bool = False,
    on_step: Callable[[StepResult], None] | None = None,
) -> RunReport:
    """Run ``scenario`` on a fresh cluster.

    Args:
        scenario: a loaded scenario, a built-in name or a file path.
        seed: the cluster seed (the scenario's own by default).
        lang: the language of titles and narration.
        until: stop after this step (its number, or its title in any language).
        keep_going: run the remaining steps after one fails (by default the run stops there).
        on_step: called with each step's result as soon as it is known.

    Raises:
        ScenarioError: the scenario cannot be loaded, the language or the ``until`` step is unknown.
    """
    session = ScenarioSession(scenario, seed=seed, lang=lang, checkpoints=False)
    last = session.scenario.find_step(until).number if until is not None else len(session.steps)
    report = RunReport(session.scenario, lang, session.seed)
    while session.position < last:
        result = next_step(session)
        report.results.append(result)
        if on_step:
            on_step(result)
        if not result.ok and not keep_going:
            report.stopped = session.position < last
            break
    return report
