"""The scenario session the UI steps through: the protocol ``ktui.scenario.session.ScenarioSession`` follows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, Sequence

if TYPE_CHECKING:
    from ktui.cluster import Cluster

__all__ = ["Session", "Step", "StepResult", "step_header", "step_title", "narration"]


class Step(Protocol):
    pause: bool

    def title(self, lang: str) -> str: ...

    def narration(self, lang: str) -> str: ...


class StepResult(Protocol):
    transcript: str
    ok: bool


class Session(Protocol):
    """A scenario being stepped: ``next()`` runs a step, ``back()`` rewinds to the state before the last."""

    name: str
    cluster: "Cluster"
    steps: Sequence[Step]
    position: int
    done: bool

    def title(self, lang: str) -> str: ...

    def next(self) -> StepResult: ...

    def back(self) -> None: ...


def step_title(step: Step, lang: str) -> str:
    """The step's title, or what it does when it has none (``kubectl wait ...``, ``advance 30s``)."""
    title = step.title(lang)
    if title:
        return title
    kind = getattr(step, "kind", "")
    if kind in ("run", "wait"):
        cmd = getattr(step, "command", "")
        return cmd if cmd.startswith("kubectl") else f"kubectl {cmd}"
    if kind == "advance":
        return f"advance {getattr(step, 'duration', '')}".strip()
    if kind == "fault":
        fault = dict(getattr(step, "fault", {}) or {})
        return "fault " + " ".join(str(v) for v in fault.values())
    if kind == "apply":
        return "kubectl apply -f -"
    if kind == "expect":
        return "check what the cluster says"
    return kind or "step"


def step_header(session: Session, lang: str) -> str:
    """``3/9 Title`` of the step just done (the scenario's title before the first)."""
    pos, total = session.position, len(session.steps)
    title = step_title(session.steps[pos - 1], lang) if pos else session.title(lang)
    return f"{pos}/{total} {title}".rstrip()


def narration(session: Session, lang: str) -> tuple[str, str, str]:
    """``(pane title, text, next step's title)``: the narration of the step just done, or of the latest
    step before it that narrates (steps that only run a command keep the story on screen)."""
    pos, total = session.position, len(session.steps)
    upcoming = step_title(session.steps[pos], lang) if pos < total else ""
    if pos == 0:
        describe = getattr(session, "description", None)
        return session.title(lang), describe(lang) if callable(describe) else "", upcoming
    step = session.steps[pos - 1]
    text = ""
    for earlier in reversed(session.steps[:pos]):
        text = earlier.narration(lang) or ""
        if text:
            break
    return f"Step {pos}/{total}: {step_title(step, lang)}", text, upcoming
