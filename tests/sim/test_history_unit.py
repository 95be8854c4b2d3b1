"""``ktui.sim.history`` on its own: a toy world with a ticking clock, checkpoints, rewinds and replays."""

import math

import pytest

from ktui.sim.history import History, RecordedInput, ReplayError, plain_data
from ktui.sim.kernel import Kernel


class Toy:
    """A world that logs a tick every simulated second and whatever is done to it from outside."""

    def __init__(self) -> None:
        self.kernel = Kernel()
        self.log: list = []
        self.outside: list[str] = []
        self.kernel.schedule(1.0, self.tick)

    def tick(self) -> None:
        self.log.append(("tick", self.kernel.now))
        self.kernel.schedule(1.0, self.tick)


def apply(world: Toy, inp: RecordedInput) -> None:
    world.log.append((inp.kind, inp.payload, world.kernel.now))


def do(history: History, world: Toy, payload: str) -> None:
    """Something done from outside: it happens, then it is recorded (as Cluster does)."""
    apply(world, RecordedInput(world.kernel.steps, world.kernel.now, "say", payload))
    history.record(world, "say", payload)


def scripted(until: float) -> Toy:
    """The reference run: 'a' at 2.5, 'b' at 5.5, up to ``until``."""
    w = Toy()
    for t, p in ((2.5, "a"), (5.5, "b")):
        if t >= until:
            break
        w.kernel.run_until(t)
        apply(w, RecordedInput(w.kernel.steps, w.kernel.now, "say", p))
    w.kernel.run_until(until)
    return w


def _run(history: History) -> Toy:
    w = Toy()
    history.checkpoint(w, "start")
    w.kernel.run_until(2.5)
    do(history, w, "a")
    w.kernel.run_until(5.5)
    do(history, w, "b")
    w.kernel.run_until(8)
    return w


def test_plain_data_copies_tuples_as_lists_and_refuses_what_json_cannot_hold():
    assert plain_data({"a": (1, [2.5, None, True]), "b": "x"}) == {"a": [1, [2.5, None, True]], "b": "x"}
    for bad, message in (
        (set(), "not plain data: set"),
        ({1: 2}, "not plain data: a int key 1"),
        (math.nan, "not plain data: nan"),
        (b"x", "not plain data: bytes"),
    ):
        with pytest.raises(TypeError, match=f"^{message}$"):
            plain_data(bad)


def test_a_recorded_input_round_trips_as_data_and_malformed_data_is_refused():
    inp = RecordedInput(3, 1.5, "api", {"verb": "create"})
    assert RecordedInput.from_data(inp.to_data()) == inp
    for data, message in (
        ([1, 2], "an input is not a [steps, now, kind, payload] list"),
        ([-1, 0, "k", None], "an input's steps is not a count: -1"),
        ([0, "soon", "k", None], "an input's time is not a time: 'soon'"),
        ([0, 0, 7, None], "an input's kind is not a string: 7"),
    ):
        with pytest.raises(ValueError) as e:
            RecordedInput.from_data(data)
        assert str(e.value) == message


def test_inputs_are_recorded_at_the_step_and_time_they_ran_and_not_while_replaying():
    h = History(apply)
    w = _run(h)
    assert [(i.steps, i.now, i.payload) for i in h.inputs] == [(2, 2.5, "a"), (5, 5.5, "b")]
    h.replaying = True
    h.record(w, "say", "c")
    assert len(h.inputs) == 2
    h.replaying = False
    with pytest.raises(TypeError):
        h.record(w, "say", {1, 2})
    assert len(h.inputs) == 2


@pytest.mark.parametrize("to", [1.0, 2.5, 4.0, 5.5, 7.0])
def test_rewind_gives_the_world_as_it_was_and_drops_the_inputs_at_or_after_that_time(to):
    h = History(apply)
    _run(h)
    w = h.rewind(to)
    ref = scripted(to)
    assert (w.log, w.kernel.now, w.kernel.steps) == (ref.log, ref.kernel.now, ref.kernel.steps)
    assert [i.payload for i in h.inputs] == [p for t, p in ((2.5, "a"), (5.5, "b")) if t < to]
    w.kernel.run_until(8)
    ref.kernel.run_until(8)
    assert w.log == ref.log  # and it runs on identically


def test_rewind_before_every_checkpoint_needs_a_genesis():
    h = History(apply)
    w = Toy()
    w.kernel.run_until(3)
    h.checkpoint(w)
    with pytest.raises(ValueError, match=r"^no checkpoint at or before t=2$"):
        h.rewind(2)
    h = History(apply, genesis=Toy)
    w = Toy()
    w.kernel.run_until(3)
    do(h, w, "late")
    h.checkpoint(w)
    assert h.rewind(2).log == [("tick", 1.0), ("tick", 2.0)]
    assert h.inputs == [] and h.checkpoints == []


def test_restore_checkpoint_forgets_later_inputs_and_checkpoints():
    h = History(apply)
    w = Toy()
    w.kernel.run_until(2)
    cp = h.checkpoint(w, "two")
    do(h, w, "x")
    w.kernel.run_until(4)
    h.checkpoint(w, "four")
    back = h.restore_checkpoint(cp)
    assert back.log == [("tick", 1.0), ("tick", 2.0)] and back is not cp.state
    assert h.inputs == [] and [c.label for c in h.checkpoints] == ["two"]


def test_a_checkpoint_at_the_same_point_replaces_the_older_and_prune_keeps_the_newest():
    h = History(apply)
    w = Toy()
    for t in (1, 2, 3):
        w.kernel.run_until(t)
        h.checkpoint(w, f"t{t}")
    h.checkpoint(w, "again")
    assert [c.label for c in h.checkpoints] == ["t1", "t2", "again"]
    h.prune(2)
    assert [c.label for c in h.checkpoints] == ["t2", "again"]
    h.prune(0)  # refused: at least one is kept
    assert len(h.checkpoints) == 2


def test_replay_refuses_inputs_the_world_cannot_reach():
    h = History(apply)
    with pytest.raises(ReplayError, match=r"^the world reaches only step 1 by t=1.0, not step 5$"):
        h.replay(Toy(), [RecordedInput(5, 1.0, "say", "x")])
    w = Toy()
    w.kernel.run_until(3)
    with pytest.raises(ReplayError, match=r"^the world is past step 1 at t=1.0 \(step 3 at t=3"):
        h.replay(w, [RecordedInput(1, 1.0, "say", "x")])
    assert h.replaying is False


def test_snapshots_leave_out_what_detach_takes_and_put_it_back():
    def detach(world: Toy) -> list[str]:
        taken, world.outside = world.outside, []
        return taken

    def attach(world: Toy, token: list[str]) -> None:
        world.outside = token

    h = History(apply, detach, attach)
    w = Toy()
    w.outside.append("a watcher")
    w.kernel.run_until(2)
    copy = h.snapshot(w)
    assert copy.outside == [] and copy.log == w.log and copy is not w
    assert w.outside == ["a watcher"]
