"""The work queue on the simulated clock: dedup, delays, per-key exponential backoff, isolation, rate."""

import logging

import pytest

from ktui.api import errors
from ktui.components.workqueue import WorkQueue
from ktui.sim.kernel import Kernel


class Recorder:
    """A reconcile that notes (time, key) and fails as told."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self.calls: list[tuple[float, str]] = []
        self.fail: dict[str, list[Exception]] = {}

    def __call__(self, key: str) -> None:
        self.calls.append((round(self.kernel.now, 6), key))
        pending = self.fail.get(key)
        if pending:
            raise pending.pop(0)


@pytest.fixture
def rig():
    kernel = Kernel()
    rec = Recorder(kernel)
    return kernel, rec


def test_keys_added_in_a_burst_are_reconciled_once_each_in_order_and_not_synchronously(rig):
    kernel, rec = rig
    q = WorkQueue(kernel, rec)
    for key in ("a", "b", "a", "c", "b"):
        q.add(key)
    assert rec.calls == [] and len(q) == 3
    kernel.run_until(0)
    assert rec.calls == [(0, "a"), (0, "b"), (0, "c")]
    assert q.processed == 3 and len(q) == 0


def test_an_api_error_retries_with_doubling_backoff_and_success_forgets(rig):
    kernel, rec = rig
    q = WorkQueue(kernel, rec, base=1.0, cap=3.0)
    rec.fail["k"] = [errors.conflict("pods", "k") for _ in range(3)]
    q.add("k")
    kernel.run_until(100)
    # fails at 0, retried after 1 s, 2 s, then capped at 3 s; the 4th try succeeds
    assert rec.calls == [(0, "k"), (1, "k"), (3, "k"), (6, "k")]
    rec.fail["k"] = [errors.conflict("pods", "k")]
    q.add("k")
    kernel.run_until(200)
    assert rec.calls[-2:] == [(100, "k"), (101, "k")]  # forgotten after success: back to the base delay
    assert q.errors == 0


def test_an_unexpected_exception_is_logged_counted_and_retried_without_stopping_other_keys(rig, caplog):
    kernel, rec = rig
    q = WorkQueue(kernel, rec, base=0.5)
    rec.fail["bad"] = [KeyError("spec")]
    q.add("bad")
    q.add("good")
    with caplog.at_level(logging.WARNING, logger="ktui.components"):
        kernel.run_until(10)
    assert rec.calls == [(0, "bad"), (0, "good"), (0.5, "bad")]
    assert q.errors == 1
    assert "error syncing 'bad': KeyError: 'spec'" in caplog.text


def test_add_after_keeps_the_earliest_pending_wake_up(rig):
    kernel, rec = rig
    q = WorkQueue(kernel, rec)
    q.add_after("k", 5)
    q.add_after("k", 9)  # later: ignored
    q.add_after("k", 2)  # earlier: wins
    kernel.run_until(20)
    assert rec.calls == [(2, "k")]
    q.add_after("now", 0)
    kernel.run_until(20)
    assert rec.calls[-1] == (20, "now")


def test_min_interval_defers_a_second_reconcile_of_the_same_key(rig):
    kernel, rec = rig
    q = WorkQueue(kernel, rec, min_interval=1.0)
    q.add("k")
    kernel.run_until(0.25)
    q.add("k")
    q.add("other")
    kernel.run_until(5)
    assert rec.calls == [(0, "k"), (0.25, "other"), (1.0, "k")]
