"""Checkpoints and recorded inputs, so a simulation can be restored and replayed to any earlier time."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Callable, Generic, Protocol, TypeVar

__all__ = ["History", "Checkpoint", "RecordedInput", "Simulated"]


class Simulated(Protocol):
    """What History needs of the simulated world: its kernel."""

    kernel: Any


S = TypeVar("S", bound=Simulated)


@dataclass(frozen=True)
class RecordedInput:
    """One thing done to the simulation from outside, with the exact point in its run it happened at."""

    steps: int
    """How many kernel events had run when it was applied."""
    now: float
    """The simulated time when it was applied."""
    kind: str
    payload: Any


@dataclass(frozen=True)
class Checkpoint(Generic[S]):
    """A frozen deep copy of the world, and how many inputs had been applied when it was taken."""

    now: float
    steps: int
    inputs: int
    state: S
    label: str = ""


class History(Generic[S]):
    """Keeps checkpoints of a world and the inputs applied to it.

    ``rewind(to=t)`` restores the newest checkpoint at or before ``t`` and replays the recorded inputs,
    each at the same kernel step it first ran at, so the world comes back identical.

    Args:
        apply: ``apply(world, input)`` performs one recorded input on a world.
        detach: ``detach(world)`` removes what must not be copied (outside watchers) and returns a token;
            ``attach(world, token)`` puts it back.
    """

    def __init__(self, apply: Callable[[S, RecordedInput], None],
                 detach: Callable[[S], Any] | None = None, attach: Callable[[S, Any], None] | None = None) -> None:
        self._apply = apply
        self._detach = detach
        self._attach = attach
        self.inputs: list[RecordedInput] = []
        self.checkpoints: list[Checkpoint[S]] = []
        self.replaying = False
        """True while inputs are being replayed (they are not recorded again)."""

    def record(self, world: S, kind: str, payload: Any) -> None:
        if self.replaying:
            return
        self.inputs.append(RecordedInput(world.kernel.steps, world.kernel.now, kind, copy.deepcopy(payload)))

    def snapshot(self, world: S) -> S:
        """A deep copy of ``world`` with nothing outside it attached."""
        token = self._detach(world) if self._detach else None
        try:
            return copy.deepcopy(world)
        finally:
            if self._attach:
                self._attach(world, token)

    def checkpoint(self, world: S, label: str = "") -> Checkpoint[S]:
        cp = Checkpoint(world.kernel.now, world.kernel.steps, len(self.inputs), self.snapshot(world), label)
        # Keep checkpoints ordered by (time, steps); a checkpoint at the same point replaces the older one.
        self.checkpoints = [c for c in self.checkpoints if (c.now, c.steps) != (cp.now, cp.steps)]
        self.checkpoints.append(cp)
        self.checkpoints.sort(key=lambda c: (c.now, c.steps))
        return cp

    def prune(self, keep: int) -> None:
        """Forget all but the newest ``keep`` checkpoints, and the inputs only older ones needed."""
        if keep < 1 or len(self.checkpoints) <= keep:
            return
        self.checkpoints = self.checkpoints[-keep:]
        drop = self.checkpoints[0].inputs
        self.inputs = self.inputs[drop:]
        self.checkpoints = [Checkpoint(c.now, c.steps, c.inputs - drop, c.state, c.label) for c in self.checkpoints]

    def restore(self, cp: Checkpoint[S]) -> S:
        """A fresh world equal to the checkpoint (the checkpoint itself stays untouched)."""
        return copy.deepcopy(cp.state)

    def rewind(self, to: float) -> S:
        """The world as it was at simulated time ``to``, before anything done from outside at ``to`` itself;
        inputs recorded at or after ``to`` are dropped."""
        candidates = [c for c in self.checkpoints if c.now <= to]
        if not candidates:
            raise ValueError(f"no checkpoint at or before t={to}")
        cp = candidates[-1]
        world = self.restore(cp)
        keep = [i for i in self.inputs[cp.inputs:] if i.now < to]
        self.replaying = True
        try:
            for inp in keep:
                while world.kernel.steps < inp.steps:
                    world.kernel.step()
                world.kernel.now = inp.now
                self._apply(world, inp)
            world.kernel.run_until(to)
        finally:
            self.replaying = False
        self.inputs = self.inputs[: cp.inputs] + keep
        self.checkpoints = [c for c in self.checkpoints if (c.now, c.steps) <= (world.kernel.now, world.kernel.steps)]
        return world

    def restore_checkpoint(self, cp: Checkpoint[S]) -> S:
        """Go back exactly to ``cp``; later inputs and checkpoints are forgotten."""
        world = self.restore(cp)
        self.inputs = self.inputs[: cp.inputs]
        self.checkpoints = [c for c in self.checkpoints if (c.now, c.steps) <= (cp.now, cp.steps)]
        return world
