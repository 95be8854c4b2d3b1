"""TUI fixtures: an app factory with a fixed seed, a paused clock, no highlight fades and a private config dir.

As in harlequin's functional tests, anything time-dependent is switched off: the clock starts paused, changed
rows are not highlighted (the highlight fades on the wall clock), and inputs do not blink.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pytest

from ktui.cluster import Cluster
from ktui.kubectl import KubectlEnv, run_kubectl
from ktui.tui.app import KtuiApp
from ktui.tui.widgets.resource_panel import ResourcePanel


@pytest.fixture(autouse=True)
def _quiet_ui(monkeypatch, tmp_path):
    monkeypatch.setenv("KTUI_CONFIG", str(tmp_path / "config"))
    monkeypatch.setattr(ResourcePanel, "FLASH_SECONDS", 0.0)
    monkeypatch.setattr(KtuiApp, "TICK_SECONDS", 3600.0)  # the clock timer never fires on its own
    monkeypatch.setattr(KtuiApp, "VIEW_REFRESH_SECONDS", 0.0)


@dataclass
class FakeStep:
    """A step of the in-test scenario: a kubectl command line, or a duration to advance."""

    name: str
    text: str
    run: str = ""
    advance: float = 0.0
    pause: bool = False

    def title(self, lang: str) -> str:
        return self.name if lang == "en" else f"[{lang}] {self.name}"

    def narration(self, lang: str) -> str:
        return self.text


@dataclass
class FakeResult:
    transcript: str
    ok: bool


class FakeSession:
    """Implements the ScenarioSession protocol the UI steps through."""

    name = "fake"

    def __init__(self, cluster: Cluster, steps: list[FakeStep]) -> None:
        self.cluster = cluster
        self.steps = steps
        self.position = 0
        self._before: list = []

    def title(self, lang: str) -> str:
        return "A fake scenario"

    @property
    def done(self) -> bool:
        return self.position >= len(self.steps)

    def next(self) -> FakeResult:
        step = self.steps[self.position]
        self._before.append(self.cluster.checkpoint(f"step {self.position + 1}"))
        out = ""
        if step.run:
            res = run_kubectl(KubectlEnv.for_cluster(self.cluster), step.run)
            out = f"$ kubectl {step.run}\n{res.stdout}{res.stderr}"
        if step.advance:
            self.cluster.advance(step.advance)
        self.position += 1
        return FakeResult(out, True)

    def back(self) -> None:
        self.cluster.restore(self._before.pop())
        self.position -= 1


def nginx_session() -> FakeSession:
    cluster = Cluster.default(seed=0)
    return FakeSession(
        cluster,
        [
            FakeStep(
                "Create a pod", "The API server stores the pod; nobody has placed it yet.", run="run web --image=nginx"
            ),
            FakeStep("Let it run", "The scheduler binds it and the kubelet starts it.", advance=30, pause=True),
            FakeStep("Expose it", "A Service selects the pod.", run="expose pod web --port=80"),
        ],
    )


@pytest.fixture
def make_app() -> Callable[..., KtuiApp]:
    """``make_app(cluster=None, session=None, **kwargs)``: a paused app on ``Cluster.default(seed=0)``."""

    def factory(cluster: Cluster | None = None, session=None, **kwargs) -> KtuiApp:
        if cluster is None and session is None:
            cluster = Cluster.default(seed=0)
        kwargs.setdefault("playing", False)
        return KtuiApp(cluster, session=session, **kwargs)

    return factory
