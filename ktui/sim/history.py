"""Checkpoints and recorded inputs, so a simulation can be restored and replayed to any earlier time.

Recorded inputs are plain data (dicts, lists, strings, numbers, booleans, None), so that the input log can be
written to disk as JSON and replayed on a freshly built world: same seed and same inputs give the same world.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any, Callable, Generic, Iterable, Protocol, TypeVar

__all__ = ["History", "Checkpoint", "RecordedInput", "ReplayError", "Simulated", "plain_data"]


class Simulated(Protocol):
    """What History needs of the simulated world: its kernel."""

    kernel: Any


S = TypeVar("S", bound=Simulated)


class ReplayError(ValueError):
    """The recorded inputs do not replay on this world (they were recorded by another simulation)."""


def plain_data(value: Any) -> Any:
    """A deep copy of ``value`` as plain JSON data: tuples become lists; anything else is refused.

    Raises:
        TypeError: for a value that is not plain data (an object, a set, bytes, a non-string key).
    """
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"not plain data: {value!r}")
        return value
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"not plain data: a {type(k).__name__} key {k!r}")
            out[k] = plain_data(v)
        return out
    if isinstance(value, (list, tuple)):
        return [plain_data(v) for v in value]
    raise TypeError(f"not plain data: {type(value).__name__}")


@dataclass(frozen=True)
class RecordedInput:
    """One thing done to the simulation from outside, with the exact point in its run it happened at."""

    steps: int
    """How many kernel events had run when it was applied."""
    now: float
    """The simulated time when it was applied."""
    kind: str
    payload: Any
    """Plain data (see :func:`plain_data`)."""

    def to_data(self) -> list[Any]:
        """``[steps, now, kind, payload]``, plain data."""
        return [self.steps, self.now, self.kind, self.payload]

    @classmethod
    def from_data(cls, data: Any) -> "RecordedInput":
        """The input :meth:`to_data` wrote.

        Raises:
            ValueError: when ``data`` is not such a list.
        """
        if not (isinstance(data, list) and len(data) == 4):
            raise ValueError("an input is not a [steps, now, kind, payload] list")
        steps, now, kind, payload = data
        if type(steps) is not int or steps < 0:
            raise ValueError(f"an input's steps is not a count: {steps!r}")
        if type(now) not in (int, float) or not math.isfinite(now) or now < 0:
            raise ValueError(f"an input's time is not a time: {now!r}")
        if not isinstance(kind, str):
            raise ValueError(f"an input's kind is not a string: {kind!r}")
        return cls(steps, float(now), kind, payload)


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
    each at the same kernel step it first ran at, so the world comes back identical. Every input since the
    world was built is kept (they are small), so :meth:`replay` can rebuild the world from its start.

    Args:
        apply: ``apply(world, input)`` performs one recorded input on a world.
        detach: ``detach(world)`` removes what must not be copied (outside watchers) and returns a token;
            ``attach(world, token)`` puts it back.
        genesis: ``genesis()`` builds the world as it was before the first input; a rewind to before every
            checkpoint starts from it and replays the inputs.
    """

    def __init__(
        self,
        apply: Callable[[S, RecordedInput], None],
        detach: Callable[[S], Any] | None = None,
        attach: Callable[[S, Any], None] | None = None,
        genesis: Callable[[], S] | None = None,
    ) -> None:
        self._apply = apply
        self._detach = detach
        self._attach = attach
        self._genesis = genesis
        self.inputs: list[RecordedInput] = []
        self.checkpoints: list[Checkpoint[S]] = []
        self.replaying = False
        """True while inputs are being replayed (they are not recorded again)."""

    def record(self, world: S, kind: str, payload: Any) -> None:
        """Remember one input at the world's current step and time.

        Raises:
            TypeError: when ``payload`` is not plain data (nothing is recorded).
        """
        if self.replaying:
            return
        try:
            data = plain_data(payload)
        except RecursionError:
            raise TypeError("not plain data: nested too deeply") from None
        self.inputs.append(RecordedInput(world.kernel.steps, world.kernel.now, kind, data))

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
        """Forget all but the newest ``keep`` checkpoints (the inputs stay: the world replays from its start)."""
        if keep < 1 or len(self.checkpoints) <= keep:
            return
        self.checkpoints = self.checkpoints[-keep:]

    def restore(self, cp: Checkpoint[S]) -> S:
        """A fresh world equal to the checkpoint (the checkpoint itself stays untouched)."""
        return copy.deepcopy(cp.state)

    def replay(
        self, world: S, inputs: Iterable[RecordedInput], *, steps: int | None = None, now: float | None = None
    ) -> S:
        """Apply ``inputs`` to ``world``, each at the kernel step it first ran at; then run to ``steps``
        events and set the clock to ``now`` (when given). Work is bounded by the inputs' times.

        Raises:
            ReplayError: when the world cannot reach a recorded step by the recorded time (the inputs
                were recorded on another world, or by another version of the simulation).
        """
        self.replaying = True
        try:
            for inp in inputs:
                self._run_to(world, inp.steps, inp.now)
                world.kernel.now = inp.now
                self._apply(world, inp)
            if steps is not None and now is not None:
                self._run_to(world, steps, now)
                world.kernel.now = max(world.kernel.now, now)
        finally:
            self.replaying = False
        return world

    @staticmethod
    def _run_to(world: S, steps: int, now: float) -> None:
        kernel = world.kernel
        if kernel.now > now or kernel.steps > steps:
            raise ReplayError(f"the world is past step {steps} at t={now} (step {kernel.steps} at t={kernel.now})")
        while kernel.steps < steps:
            nxt = kernel.peek()
            if nxt is None or nxt > now:
                raise ReplayError(f"the world reaches only step {kernel.steps} by t={now}, not step {steps}")
            kernel.step()

    def rewind(self, to: float) -> S:
        """The world as it was at simulated time ``to``, before anything done from outside at ``to`` itself;
        inputs recorded at or after ``to`` are dropped."""
        candidates = [c for c in self.checkpoints if c.now <= to]
        if candidates:
            cp = candidates[-1]
            world, start = self.restore(cp), cp.inputs
        elif self._genesis is not None:
            world, start = self._genesis(), 0
            if world.kernel.now > to:
                raise ValueError(f"no checkpoint at or before t={to}")
        else:
            raise ValueError(f"no checkpoint at or before t={to}")
        keep = [i for i in self.inputs[start:] if i.now < to]
        self.replay(world, keep)
        self.replaying = True
        try:
            world.kernel.run_until(to)
        finally:
            self.replaying = False
        self.inputs = self.inputs[:start] + keep
        self.checkpoints = [c for c in self.checkpoints if (c.now, c.steps) <= (world.kernel.now, world.kernel.steps)]
        return world

    def restore_checkpoint(self, cp: Checkpoint[S]) -> S:
        """Go back exactly to ``cp``; later inputs and checkpoints are forgotten."""
        world = self.restore(cp)
        self.inputs = self.inputs[: cp.inputs]
        self.checkpoints = [c for c in self.checkpoints if (c.now, c.steps) <= (cp.now, cp.steps)]
        return world
