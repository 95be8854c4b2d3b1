"""The keys a table lists, kept in order outside any widget: inserts and removals by bisection, lookups by position.

No Textual here. A :class:`RowSet` holds row keys sorted by a value computed once per key when it is put (its
``order``); a panel of 150,000 pods moves one key in O(log n) and finds the rows on screen by position without
touching the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from sortedcontainers import SortedKeyList

from ktui.tui.rows import matches_filter

if TYPE_CHECKING:
    from ktui.tui.feed import FeedSnapshot
    from ktui.tui.rows import PanelSpec

__all__ = ["RowSet", "kubectl_order", "row_order", "filter_keys", "sort_rows"]

_MISSING = object()


def kubectl_order(key: str, *, by_name: bool = False) -> tuple[str, str]:
    """The order ``kubectl get -A`` lists objects in: namespace, then name (``by_name``: name, then namespace —
    the order of a table that does not show the NAMESPACE column)."""
    ns, sep, name = key.partition("/")
    if not sep:
        ns, name = "", key
    return (name, ns) if by_name else (ns, name)


def _namespace_order(key: str) -> tuple[str, str]:
    """:func:`kubectl_order` of ``key`` (a call less per key: 150,000 keys when a filter is cleared)."""
    ns, sep, name = key.partition("/")
    return (ns, name) if sep else ("", key)


def _name_order(key: str) -> tuple[str, str]:
    """:func:`kubectl_order` of ``key`` with ``by_name``."""
    ns, sep, name = key.partition("/")
    return (name, ns) if sep else (key, "")


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "y": 31536000}


def _age_seconds(age: str) -> float:
    """``2m5s`` -> 125: an AGE cell as seconds (for sorting; unknown text sorts last)."""
    total, num = 0.0, ""
    for ch in age:
        if ch.isdigit():
            num += ch
        elif ch in _UNITS and num:
            total += int(num) * _UNITS[ch]
            num = ""
        else:
            return float("inf")
    return total if not num else float("inf")


class _Desc:
    """A sort value that orders in reverse (a column sorted descending, ties still in kubectl's order)."""

    __slots__ = ("value",)

    def __init__(self, value) -> None:
        self.value = value

    def __lt__(self, other: "_Desc") -> bool:
        return other.value < self.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and self.value == other.value


def row_order(
    by_name: bool, cell: Callable[[str], Any] | None = None, *, by_age: bool = False, reverse: bool = False
) -> Callable[[str], Any]:
    """The sort value of a row key: kubectl's order (:func:`kubectl_order`), or, given ``cell`` (a key's cell in
    the chosen column), that cell's text (its age in seconds with ``by_age``), reversed with ``reverse``, then
    kubectl's order for ties."""
    if cell is None:
        return _name_order if by_name else _namespace_order

    def order(key: str):
        v = str(cell(key))
        value = _age_seconds(v) if by_age else v
        return (_Desc(value) if reverse else value, kubectl_order(key, by_name=by_name))

    return order


def filter_keys(snapshot: "FeedSnapshot", spec: "PanelSpec", scope: str, now: float, needle: str) -> list[str]:
    """The keys of ``spec``'s objects in ``snapshot`` within ``scope`` whose cells contain ``needle`` (reads only
    the frozen snapshot: safe in a worker thread)."""
    found = []
    for key, obj in snapshot.objects.get(spec.plural, {}).items():
        if scope and (obj.get("metadata") or {}).get("namespace", scope) != scope:
            continue
        if matches_filter(needle, obj, spec.build(snapshot, obj, now)):
            found.append(key)
    return found


def sort_rows(
    snapshot: "FeedSnapshot",
    spec: "PanelSpec",
    keys: list[str],
    now: float,
    column: int,
    *,
    by_name: bool,
    reverse: bool,
) -> "RowSet":
    """``keys`` (objects of ``spec`` in ``snapshot``) in a :class:`RowSet` ordered by their cells in column
    ``column`` of ``spec.headers`` as :func:`row_order` orders them (reads only the frozen snapshot: safe in a
    worker thread; the set's order reads the same snapshot, see :meth:`RowSet.set_order`)."""
    objs = snapshot.objects.get(spec.plural, {})
    blank = [""] * len(spec.headers)

    def cell(key: str):
        obj = objs.get(key)
        return blank[column] if obj is None else spec.build(snapshot, obj, now)[column]

    rows = RowSet()
    rows.reset(keys, row_order(by_name, cell, by_age=spec.headers[column] == "AGE", reverse=reverse))
    return rows


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
        keys = list(keys)
        values = dict(zip(keys, map(self._order, keys)))
        self._values = values
        self._sorted = SortedKeyList(values, key=values.__getitem__)

    def set_order(self, order: Callable[[str], Any]) -> None:
        """Put keys from now on with ``order`` (the keys held stay: ``order`` must give them the values they have,
        e.g. the same :func:`row_order` reading a newer frame)."""
        self._order = order

    def swap(self, other: "RowSet") -> None:
        """Exchange contents (keys, order) with ``other``: a table keeps showing this object."""
        self._order, other._order = other._order, self._order
        self._values, other._values = other._values, self._values
        self._sorted, other._sorted = other._sorted, self._sorted

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
