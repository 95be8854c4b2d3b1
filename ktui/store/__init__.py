"""etcd-like MVCC key-value store behind the API server."""

from ktui.store.errors import Compacted, FutureRevision, KeyExists, KeyNotFound, RevisionConflict, StoreError
from ktui.store.memory import MemoryStore
from ktui.store.protocol import KeyValue, RangeResult, Store, WatchEvent

__all__ = [
    "Compacted",
    "FutureRevision",
    "KeyExists",
    "KeyNotFound",
    "KeyValue",
    "MemoryStore",
    "RangeResult",
    "RevisionConflict",
    "Store",
    "StoreError",
    "WatchEvent",
]
