"""The keys a table lists, kept in order outside any widget: inserts and removals by bisection, lookups by position.

No Textual here. A :class:`RowSet` holds row keys sorted by a value computed once per key when it is put (its
``order``); a panel of 150,000 pods moves one key in O(log n) and finds the rows on screen by position without
touching the others.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator

from sortedcontainers import SortedKeyList

__all__ = ["RowSet", "kubectl_order"]

_MISSING = object()


def kubectl_order(key: str, *, by_name: bool = False) -> tuple[str, str]:
    """The order ``kubectl get -A`` lists objects in: namespace, then name (``by_name``: name, then namespace —
    the order of a table that does not show the NAMESPACE column)."""
    ns, sep, name = key.partition("/")
    if not sep:
        ns, name = "", key
    return (name, ns) if by_name else (ns, name)


class RowSet:
    """Row keys in order.

    Args:
        order: the sort value of a key; two keys must never have equal values (end it with the key's own order).
    """

    def __init__(self, order: Callable[[str], Any] = kubectl_order) -> None:
        self._order = order
        self._values: dict[str, Any] = {}
        """Per key, the sort value it was put with (what the sorted list bisects on)."""
        self._sorted = SortedKeyList(key=self._values.__getitem__)

    def reset(self, keys: Iterable[str], order: Callable[[str], Any] | None = None) -> None:
        """Hold exactly ``keys`` (sorted once), optionally with a new order."""
        if order is not None:
            self._order = order
        values = {k: self._order(k) for k in keys}
        self._values = values
        self._sorted = SortedKeyList(values, key=values.__getitem__)

    def put(self, key: str) -> bool:
        """Add ``key``, or move it when its sort value changed; True when it was added or moved."""
        value = self._order(key)
        old = self._values.get(key, _MISSING)
        if old is not _MISSING:
            if old == value:
                return False
            self._sorted.remove(key)
        self._values[key] = value
        self._sorted.add(key)
        return True

    def discard(self, key: str) -> bool:
        """Remove ``key``; False when it was not there."""
        if key not in self._values:
            return False
        self._sorted.remove(key)
        del self._values[key]
        return True

    def index(self, key: str) -> int | None:
        """The position of ``key``, or None."""
        if key not in self._values:
            return None
        return self._sorted.index(key)

    def window(self, start: int, stop: int) -> list[str]:
        """The keys at positions ``start`` to ``stop`` (exclusive)."""
        return list(self._sorted.islice(max(0, start), max(0, stop)))

    def __getitem__(self, i: int) -> str:
        return self._sorted[i]

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._sorted)
