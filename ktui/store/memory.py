"""An in-memory etcd: one global revision, per-key MVCC metadata, prefix ranges, watches, compaction."""

from __future__ import annotations

import bisect
from typing import Any, Callable

from ktui.store.errors import Compacted, FutureRevision, KeyExists, KeyNotFound, RevisionConflict
from ktui.store.protocol import KeyValue, RangeResult, WatchEvent
from ktui.store.sharing import Sharer

__all__ = ["MemoryStore"]


def _revision_of(ev: WatchEvent) -> int:
    return ev.revision


_FOLDERS: dict[str, tuple[str, ...]] = {}
"""The folders of each key's last folder (``/a/b/`` -> ``/``, ``/a/``, ``/a/b/``), bounded."""


def _folders_of(key: str) -> tuple[str, ...]:
    """Every prefix of ``key`` that ends with a ``/``: the folders a range may name that hold ``key``."""
    last = key[: key.rfind("/") + 1]
    folders = _FOLDERS.get(last)
    if folders is None:
        if len(_FOLDERS) >= 65_536:
            _FOLDERS.clear()
        folders = _FOLDERS[last] = tuple(last[: i + 1] for i, c in enumerate(last) if c == "/")
    return folders


class _Watch:
    __slots__ = ("store", "prefix", "callback", "active")

    def __init__(self, store: "MemoryStore", prefix: str, callback: Callable[[WatchEvent], None]) -> None:
        self.store, self.prefix, self.callback, self.active = store, prefix, callback, True

    def cancel(self) -> None:
        if self.active:
            self.active = False
            self.store._watches.remove(self)
            self.store._routes = None


class MemoryStore:
    """Keys map to their latest :class:`KeyValue`; a change log since the compacted revision feeds
    watches from old revisions and reads at a past revision.

    Values are stored as given and must not be mutated afterwards by anyone; equal parts of stored values
    are made one object (:class:`ktui.store.sharing.Sharer`), which changes no value's contents.
    """

    def __init__(self) -> None:
        self._revision = 0
        self._compacted = 0
        self._data: dict[str, KeyValue] = {}
        self._keys: list[str] = []
        """All present keys, sorted, for prefix ranges."""
        self._log: list[WatchEvent] = []
        """Every change after ``_compacted``, in revision order."""
        self._watches: list[_Watch] = []
        self._routes: dict[str, list[tuple[_Watch, bool]]] | None = None
        """The watches each key folder's changes go to (worked out on first use; reset when watches change)."""
        self._sharer = Sharer()

    _sharer: Sharer | None = None
    """Set in ``__init__``; a store loaded from a snapshot saved before it existed gets one on its first write."""

    _folder_counts: dict[str, int] | None = None
    """How many present keys each folder (a key's prefix up to and with one of its ``/``) holds, so that a range
    of a folder with no keys (an admission plugin's LimitRanges, most of the time) answers without searching
    ``_keys``. Built from ``_keys`` on first use (a store saved before it existed has none)."""

    _prefix_compacted: dict[str, int] = {}
    """Prefixes whose history was compacted further than the store's (:meth:`compact_prefix`); replaced, never
    changed in place (the class's empty dict serves stores saved before it existed)."""

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_routes"}

    def __deepcopy__(self, memo: dict) -> "MemoryStore":
        """A snapshot that shares the stored values: they are immutable once written (DESIGN principle 3),
        so copying a store costs O(keys), not O(bytes). Values are registered in ``memo`` so that anything
        deep-copied afterwards (informer caches, pending watch events) shares them too."""
        new = MemoryStore.__new__(MemoryStore)
        memo[id(self)] = new
        for kv in self._data.values():
            memo[id(kv)] = kv
            memo[id(kv.value)] = kv.value
        for ev in self._log:
            memo[id(ev)] = ev
            if ev.kv.value is not None:
                memo[id(ev.kv.value)] = ev.kv.value
        new._revision = self._revision
        new._compacted = self._compacted
        new._prefix_compacted = dict(self._prefix_compacted)
        new._data = dict(self._data)
        new._keys = list(self._keys)
        if self._folder_counts is not None:
            new._folder_counts = dict(self._folder_counts)
        new._log = list(self._log)
        new._watches = []
        new._routes = {}
        new._sharer = Sharer()
        for w in self._watches:
            import copy as _copy

            nw = _Watch(new, w.prefix, _copy.deepcopy(w.callback, memo))
            nw.active = w.active
            new._watches.append(nw)
        return new

    @property
    def revision(self) -> int:
        """The revision of the last write (0 for an empty store)."""
        return self._revision

    @property
    def compacted_revision(self) -> int:
        return self._compacted

    def __len__(self) -> int:
        return len(self._data)

    # reads -----------------------------------------------------------------

    def get(self, key: str) -> KeyValue | None:
        return self._data.get(key)

    def range(self, prefix: str, *, start_after: str = "", limit: int = 0, revision: int = 0) -> RangeResult:
        """Keys starting with ``prefix`` in key order, after ``start_after``, at most ``limit`` of them.

        A past ``revision`` is answered from the change log, and fails below the compacted revision.
        """
        if revision and revision != self._revision:
            return self._range_at(prefix, start_after, limit, revision)
        if prefix[-1:] == "/" and not self._folders().get(prefix):
            return RangeResult([], self._revision, False, 0)
        keys = self._keys
        lo = bisect.bisect_left(keys, prefix)
        if start_after:
            lo = max(lo, bisect.bisect_right(keys, start_after))
        hi = bisect.bisect_left(keys, prefix + "\U0010ffff")
        count = hi - bisect.bisect_left(keys, prefix)
        end = hi if not limit else min(hi, lo + limit)
        kvs = [self._data[k] for k in keys[lo:end]]
        return RangeResult(kvs, self._revision, end < hi, count)

    def _range_at(self, prefix: str, start_after: str, limit: int, revision: int) -> RangeResult:
        if revision > self._revision:
            raise FutureRevision(f"mvcc: required revision is a future revision ({revision})")
        compacted = self._compacted_for(prefix)
        if revision < compacted:
            raise Compacted(revision, compacted)
        state = {k: kv for k, kv in self._data.items() if k.startswith(prefix)}
        # Undo the changes made after `revision`, newest first.
        for ev in reversed(self._log):
            if ev.revision <= revision:
                break
            if not ev.kv.key.startswith(prefix):
                continue
            if ev.prev_kv is None:
                state.pop(ev.kv.key, None)
            else:
                state[ev.kv.key] = ev.prev_kv
        keys = sorted(k for k in state if k > start_after)
        page = keys[:limit] if limit else keys
        return RangeResult([state[k] for k in page], revision, len(page) < len(keys), len(state))

    # writes ----------------------------------------------------------------

    def create(self, key: str, value: Any) -> KeyValue:
        if key in self._data:
            raise KeyExists(key)
        self._revision += 1
        kv = KeyValue(key, self._share(value), self._revision, self._revision, 1)
        self._data[key] = kv
        bisect.insort(self._keys, key)
        self._count(key, 1)
        self._emit(WatchEvent("PUT", kv, None, self._revision))
        return kv

    def update(self, key: str, value: Any, *, expected_mod_revision: int | None = None, share: bool = True) -> KeyValue:
        """Replace the value at ``key``. ``share=False`` when the writer already made the new value's parts
        the stored ones wherever they are equal (a Lease renewal): the value is stored as given."""
        prev = self._data.get(key)
        if prev is None:
            raise KeyNotFound(key)
        if expected_mod_revision is not None and expected_mod_revision != prev.mod_revision:
            raise RevisionConflict(key, expected_mod_revision, prev.mod_revision)
        self._revision += 1
        kv = KeyValue(
            key,
            self._share(value, prev.value) if share else value,
            prev.create_revision,
            self._revision,
            prev.version + 1,
        )
        self._data[key] = kv
        self._emit(WatchEvent("PUT", kv, prev, self._revision))
        return kv

    def _folders(self) -> dict[str, int]:
        if self._folder_counts is None:
            self._folder_counts = {}
            for key in self._keys:
                self._count(key, 1)
        return self._folder_counts

    def _count(self, key: str, delta: int) -> None:
        """``key`` was added (``delta`` 1) or removed (-1): its folders' counts follow (a folder at 0 goes)."""
        counts = self._folders()
        for folder in _folders_of(key):
            n = counts.get(folder, 0) + delta
            if n:
                counts[folder] = n
            else:
                del counts[folder]

    def _share(self, value: Any, previous: Any = None) -> Any:
        if self._sharer is None:
            self._sharer = Sharer()
        return self._sharer.share(value, previous)

    def delete(self, key: str, *, expected_mod_revision: int | None = None) -> KeyValue:
        prev = self._data.get(key)
        if prev is None:
            raise KeyNotFound(key)
        if expected_mod_revision is not None and expected_mod_revision != prev.mod_revision:
            raise RevisionConflict(key, expected_mod_revision, prev.mod_revision)
        self._revision += 1
        del self._data[key]
        i = bisect.bisect_left(self._keys, key)
        del self._keys[i]
        self._count(key, -1)
        tomb = KeyValue(key, None, prev.create_revision, self._revision, 0)
        self._emit(WatchEvent("DELETE", tomb, prev, self._revision))
        return prev

    # watch and compaction ----------------------------------------------------

    def watch(self, prefix: str, callback: Callable[[WatchEvent], None], *, from_revision: int = 0) -> _Watch:
        """Deliver to ``callback`` every change under ``prefix`` with revision >= ``from_revision``
        (already logged ones first, in order), then each later change as it happens.
        ``from_revision=0`` means "from now on".
        """
        compacted = self._compacted_for(prefix) if from_revision else 0
        if from_revision and from_revision <= compacted:
            raise Compacted(from_revision, compacted)
        w = _Watch(self, prefix, callback)
        if from_revision:
            i = bisect.bisect_left(self._log, from_revision, key=_revision_of)
            for ev in self._log[i:]:
                if ev.kv.key.startswith(prefix):
                    callback(ev)
        self._watches.append(w)
        self._routes = None
        return w

    def compact(self, revision: int) -> None:
        """Forget history at and below ``revision``; reads and watches there fail afterwards."""
        if revision > self._revision:
            raise FutureRevision(f"mvcc: required revision is a future revision ({revision})")
        if revision <= self._compacted:
            raise Compacted(revision, self._compacted)
        self._compacted = revision
        i = bisect.bisect_right(self._log, revision, key=_revision_of)
        del self._log[:i]

    def compact_prefix(self, prefix: str, revision: int) -> None:
        """Forget the history of the keys under ``prefix`` at and below ``revision`` (for keys whose old versions
        nobody reads, such as heartbeats); reads and watches that need it fail afterwards as below a compaction."""
        if revision > self._revision:
            raise FutureRevision(f"mvcc: required revision is a future revision ({revision})")
        if revision <= self._compacted_for(prefix):
            return
        self._prefix_compacted = {**self._prefix_compacted, prefix: revision}
        log = self._log
        i = bisect.bisect_right(log, revision, key=_revision_of)  # the later changes all stay
        kept = [ev for ev in log[:i] if not ev.kv.key.startswith(prefix)]
        if len(kept) != i:
            self._log = kept + log[i:] if i < len(log) else kept

    def _compacted_for(self, prefix: str) -> int:
        """The revision at and below which the history of some key under ``prefix`` is gone."""
        compacted = self._compacted
        for p, rev in self._prefix_compacted.items():
            if rev > compacted and (prefix.startswith(p) or p.startswith(prefix)):
                compacted = rev
        return compacted

    def _emit(self, ev: WatchEvent) -> None:
        self._log.append(ev)
        key = ev.kv.key
        folder = key[: key.rfind("/") + 1]
        routes = self.__dict__.get("_routes")
        if routes is None:
            routes = self._routes = {}
        watches = routes.get(folder)
        if watches is None:
            # The watches whose prefix covers every key of this folder, or may (a prefix into the last
            # segment is checked per key), in the order they were added.
            watches = routes[folder] = [
                (w, len(w.prefix) > len(folder)) for w in self._watches if folder.startswith(w.prefix[: len(folder)])
            ]
        for w, check in watches:
            if w.active and (not check or key.startswith(w.prefix)):
                w.callback(ev)
