"""The narrow interface the API server needs from its storage, so etcd can stand behind it later."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Protocol

__all__ = ["KeyValue", "WatchEvent", "RangeResult", "Store", "StoreWatch"]


@dataclass(slots=True, unsafe_hash=True)
class KeyValue:
    """One stored key at one revision, as etcd's mvccpb.KeyValue. Never changed once made (not a frozen
    dataclass only because a frozen one takes eight times as long to make, and every write makes two)."""

    key: str
    value: Any
    create_revision: int
    mod_revision: int
    version: int


@dataclass(slots=True, unsafe_hash=True)
class WatchEvent:
    """A change to one key: ``PUT`` (create or update) or ``DELETE``. Never changed once made (see
    :class:`KeyValue`)."""

    type: str
    kv: KeyValue
    prev_kv: KeyValue | None
    revision: int

    @property
    def is_create(self) -> bool:
        return self.type == "PUT" and self.kv.version == 1


@dataclass(frozen=True, slots=True)
class RangeResult:
    """A page of a range read: the items, the revision it was read at, and whether more remain."""

    kvs: list[KeyValue]
    revision: int
    more: bool
    count: int


class StoreWatch(Protocol):
    def cancel(self) -> None: ...


class Store(Protocol):
    """What :class:`ktui.api.server.APIServer` uses; :class:`MemoryStore` implements it."""

    @property
    def revision(self) -> int: ...

    def get(self, key: str) -> KeyValue | None: ...

    def range(self, prefix: str, *, start_after: str = "", limit: int = 0, revision: int = 0) -> RangeResult: ...

    def create(self, key: str, value: Any) -> KeyValue: ...

    def update(
        self, key: str, value: Any, *, expected_mod_revision: int | None = None, share: bool = True
    ) -> KeyValue: ...

    def delete(self, key: str, *, expected_mod_revision: int | None = None) -> KeyValue: ...

    def watch(self, prefix: str, callback: Callable[[WatchEvent], None], *, from_revision: int = 0) -> StoreWatch: ...

    def compact(self, revision: int) -> None: ...
