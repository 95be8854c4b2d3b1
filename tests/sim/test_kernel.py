"""The kernel: ordering, ties, peek/step/run_until/advance, no wall clock."""

from functools import partial

from ktui.sim import NAME_ALPHABET, Kernel, SeededRandom, format_duration, parse_duration, rfc3339


def test_events_run_in_time_order_and_ties_in_insertion_order():
    k = Kernel()
    seen = []
    k.schedule(5, seen.append, "b")
    k.schedule(1, seen.append, "a")
    k.schedule(5, seen.append, "c")
    k.schedule_at(5, seen.append, "d")
    k.run_until(10)
    assert seen == ["a", "b", "c", "d"]
    assert k.now == 10


def test_peek_step_and_cancel():
    k = Kernel()
    seen = []
    e = k.schedule(2, seen.append, "x")
    k.schedule(3, seen.append, "y")
    assert k.peek() == 2
    e.cancel()
    assert k.peek() == 3
    assert k.step() is True
    assert seen == ["y"] and k.now == 3
    assert k.step() is False


def test_advance_runs_only_what_falls_due_and_callbacks_can_schedule():
    k = Kernel()
    ticks = []

    def tick():
        ticks.append(k.now)
        k.schedule(10, tick)

    k.schedule(0, tick)
    k.advance(35)
    assert ticks == [0, 10, 20, 30]
    assert k.now == 35
    k.advance(5)
    assert ticks[-1] == 40


def test_scheduling_in_the_past_runs_now():
    k = Kernel()
    k.advance(10)
    seen = []
    k.schedule_at(3, partial(seen.append, k.now))
    k.step()
    assert seen == [10] and k.now == 10


def test_seeded_random_is_deterministic_and_uses_the_kubernetes_alphabet():
    a, b, c = SeededRandom(7), SeededRandom(7), SeededRandom(8)
    sa = [a.suffix() for _ in range(20)]
    assert sa == [b.suffix() for _ in range(20)]
    assert sa != [c.suffix() for _ in range(20)]
    assert all(len(s) == 5 and set(s) <= set(NAME_ALPHABET) for s in sa)
    uid = a.uid()
    assert len(uid) == 36 and uid[14] == "4" and uid == b.uid()


def test_durations_and_timestamps():
    assert parse_duration("45s") == 45
    assert parse_duration("5m") == 300
    assert parse_duration("1h30m") == 5400
    assert parse_duration("5m0s") == 300
    assert parse_duration("500ms") == 0.5
    for bad in ("", "5x", "m5", "5 m"):
        try:
            parse_duration(bad)
        except ValueError as e:
            assert "invalid duration" in str(e)
        else:
            raise AssertionError(bad)
    assert format_duration(300) == "5m0s"
    assert format_duration(40) == "40s"
    assert format_duration(3600) == "1h0m0s"
    assert rfc3339(0) == "2026-01-01T00:00:00Z"
    assert rfc3339(3725.9) == "2026-01-01T01:02:05Z"


def test_history_prune_keeps_rewind_working_from_kept_checkpoints():
    from ktui import Cluster

    c = Cluster({"nodes": []})
    for i in range(4):
        c.api.create("configmaps", {"metadata": {"name": f"c{i}"}})
        c.advance(10)
        c.checkpoint(f"after c{i}")
    c._history.prune(2)
    assert len(c.checkpoints) == 2 and c.checkpoints[0].now == 30
    c.api.create("configmaps", {"metadata": {"name": "late"}})
    c.advance(5)
    c.rewind(to=40)
    names = [i["metadata"]["name"] for i in c.api.list("configmaps", "default")["items"]]
    assert names == ["c0", "c1", "c2", "c3"]


def test_an_idle_hour_runs_only_the_events_due_in_it():
    k = Kernel()
    seen = []

    def tick():
        seen.append(k.now)
        k.schedule(600, tick)

    k.schedule(600, tick)
    assert k.advance(3600) == 6  # six events, however long the hour
    assert seen == [600.0, 1200.0, 1800.0, 2400.0, 3000.0, 3600.0] and k.now == 3600
    assert k.advance(1e9) > 0 and k.now == 3600 + 1e9


class _Log:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def add(self, what: str) -> None:
        self.seen.append(what)


def test_a_deep_copy_of_the_kernel_keeps_its_pending_events_and_cancellations():
    import copy

    k = Kernel()
    log = _Log()
    k.schedule(1, log.add, "a")
    k.schedule(2, log.add, "b").cancel()
    k.schedule(3, log.add, "c")
    twin_kernel, twin_log = copy.deepcopy((k, log))
    assert len(twin_kernel) == 2 and twin_kernel.peek() == 1
    twin_kernel.run_until(5)
    assert twin_log.seen == ["a", "c"] and log.seen == []  # the copy calls into its own objects
    k.run_until(5)
    assert log.seen == ["a", "c"] and k.steps == 2


def test_a_time_that_is_not_finite_is_refused_and_changes_nothing():
    import pytest

    k = Kernel()
    k.schedule(1, _Log().add, "x")
    for bad in (float("inf"), float("nan")):
        with pytest.raises(ValueError, match="not a finite time"):
            k.advance(bad)
    assert k.now == 0 and len(k) == 1


def test_the_order_is_that_of_one_heap_of_time_then_scheduling_order():
    """A differential check against the plain definition (a heap of (time, seq)): thousands of events on a few
    shared instants (as kubelets' heartbeats), callbacks that schedule at the current instant and later ones,
    cancellations, single steps and observers' events taken out and put back."""
    import heapq
    import random

    rnd = random.Random(15)
    k = Kernel()
    ran: list[int] = []
    model: list[tuple[float, int, int]] = []  # (time, seq, label): what should run, in heap order
    handles: dict[int, object] = {}
    cancelled: set[int] = set()
    labels = iter(range(1_000_000))

    def add(delay: float, observer: bool = False) -> None:
        label = next(labels)
        if observer:
            e = k.schedule_at(k.now + delay, on_run, label, counted=False)
        elif delay == 0 and rnd.random() < 0.5:
            e = k.call_soon(on_run, label)
        else:
            e = k.schedule(delay, on_run, label)
        handles[label] = e
        heapq.heappush(model, (e.time, e.seq, label))

    def on_run(label: int) -> None:
        ran.append(label)
        for _ in range(rnd.choice((0, 0, 1, 2))):
            add(rnd.choice((0, 0, 5, 10, 10, 2.5)))
        if handles and rnd.random() < 0.1:
            victim = rnd.choice(list(handles))
            handles[victim].cancel()  # type: ignore[attr-defined]
            if victim not in ran:
                cancelled.add(victim)  # cancelled before its time: it must never run

    for _ in range(300):
        add(rnd.choice((0, 5, 10, 10, 10, 7.5)), observer=rnd.random() < 0.1)
    for round_ in range(40):
        if round_ % 7 == 3:
            taken = k.take_uncounted()
            k.put_back(taken)
        if round_ % 5 == 0:
            k.step()
        else:
            k.advance(rnd.choice((0, 1, 2.5, 5, 10)))
    k.run_until(k.now + 1_000)  # whatever is left

    order = {label: (time, seq) for time, seq, label in model}
    assert [order[label] for label in ran] == sorted(order[label] for label in ran)  # time, then scheduling
    assert set(ran) == set(order) - cancelled  # every event not cancelled ran, once
    assert len(ran) == len(set(ran)) and len(ran) > 1_000
    assert len(k) == 0 and k.peek() is None
