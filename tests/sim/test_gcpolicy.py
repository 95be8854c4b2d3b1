"""The garbage collector policy of long-running shells: survivors frozen, cycles still freed, undone on release."""

import gc
import weakref

from ktui.sim import gcpolicy


class Node:
    """Something in a reference cycle, which only the cyclic collector frees."""

    def __init__(self) -> None:
        self.me = self


def test_settle_freezes_what_survives_and_release_undoes_it():
    before = gc.get_threshold()
    frozen = gcpolicy.settle()
    assert gcpolicy.active() and frozen == gc.get_freeze_count() > 0
    assert gc.get_threshold() == gcpolicy.thresholds(frozen)
    assert gcpolicy.thresholds(1_750_000) == (875_000, 20, 10) and gcpolicy.thresholds(9_000) == (10_000, 20, 10)
    assert gcpolicy.thresholds(5_000_000) == (1_000_000, 20, 10)
    gcpolicy.settle(interactive=True)  # again (after a big change): one callback, not two
    assert gc.callbacks.count(gcpolicy._after_collection) == 1
    assert gc.get_threshold() == gcpolicy.thresholds(gc.get_freeze_count(), True)
    assert gcpolicy.thresholds(1_750_000, interactive=True) == (200_000, 20, 10)
    gcpolicy.release()
    assert not gcpolicy.active() and gc.get_freeze_count() == 0 and gc.get_threshold() == before


def test_survivors_of_each_full_collection_are_frozen_and_new_cycles_still_freed():
    gcpolicy.settle()
    frozen = gc.get_freeze_count()
    kept = [[i] for i in range(1000)]  # long-lived, tracked
    dead = weakref.ref(Node())  # cyclic garbage made after settling
    gc.collect()
    assert dead() is None
    assert gc.get_freeze_count() >= frozen + 1000
    seen = {id(o) for g in range(3) for o in gc.get_objects(g)}
    assert gc.is_tracked(kept[0]) and id(kept[0]) not in seen  # out of the collector's sight
    gcpolicy.release()


def test_cycles_that_die_while_frozen_are_freed_once_the_frozen_objects_have_grown(monkeypatch):
    node = Node()
    dead = weakref.ref(node)
    gcpolicy.settle()  # the cycle is frozen
    del node
    gc.collect()
    assert dead() is not None  # out of sight: not freed yet
    monkeypatch.setattr(gcpolicy, "REGROWTH", 1.0)  # (normally after the frozen objects doubled)
    kept = [[i] for i in range(1000)]
    gc.collect()  # frozen objects grew: everything is looked at again from the next full collection
    gc.collect()
    assert dead() is None
    assert gcpolicy.active() and gc.get_freeze_count() >= len(kept)
    gcpolicy.release()
