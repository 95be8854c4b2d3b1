"""Errors the store raises, each naming the etcd condition it stands for."""

from __future__ import annotations

__all__ = ["StoreError", "KeyExists", "KeyNotFound", "RevisionConflict", "Compacted", "FutureRevision"]


class StoreError(Exception):
    """Base of every store error."""


class KeyExists(StoreError):
    """create() on a key that is present."""


class KeyNotFound(StoreError):
    """update() or delete() on a key that is absent."""


class RevisionConflict(StoreError):
    """A compare-and-swap whose expected mod_revision no longer holds."""

    def __init__(self, key: str, expected: int, actual: int) -> None:
        super().__init__(f"{key}: expected mod_revision {expected}, found {actual}")
        self.key, self.expected, self.actual = key, expected, actual


class Compacted(StoreError):
    """A read or watch below the compacted revision."""

    def __init__(self, requested: int, compacted: int) -> None:
        super().__init__(f"mvcc: required revision has been compacted (requested {requested}, compacted {compacted})")
        self.requested, self.compacted = requested, compacted


class FutureRevision(StoreError):
    """A read at a revision the store has not reached."""
