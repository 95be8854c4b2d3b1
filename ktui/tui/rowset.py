"""The keys a table lists, kept in order outside any widget: inserts and removals by bisection, lookups by position.

No Textual here. A :class:`RowSet` holds row keys sorted by a value computed once per key when it is put (its
``order``); a panel of 150,000 pods moves one key in O(log n) and finds the rows on screen by position without
touching the others.
"""

from __future__ import annotations

import struct
import time
from typing import TYPE_CHECKING, Any, Callable, Generator, Iterable, Iterator

from sortedcontainers import SortedKeyList

from ktui.tui.rows import matches_filter

if TYPE_CHECKING:
    from ktui.tui.feed import FeedSnapshot
    from ktui.tui.rows import PanelSpec

__all__ = ["RowSet", "kubectl_order", "row_order", "filter_steps", "sort_steps"]

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


_END = "\0\0"
"""Ends the text part of a sort value (a NUL inside the text is written ``\0\1``): after two equal starts, the text
that ends first sorts first, whatever comes after its end, exactly as ``("a", x) < ("ab", y)`` for every x, y."""
_TOP = "\U0010ffff\U0010ffff"
"""Ends a reversed text part: above every reversed character (U+10FFFF minus a character, NUL written as
U+10FFFF U+10FFFE: the one reversed character that needs two)."""
_PACK = struct.Struct(">d").pack
"""An age in seconds (0 to infinity) as 8 big-endian IEEE 754 bytes, which order as the numbers do for x >= 0."""
_INVERT = bytes(range(255, -1, -1))
"""``bytes.translate`` table of ``255 - b``: the 8 bytes of a number, ordering in reverse."""


def _text_part(text: str) -> str:
    """``text`` as the start of a sort value that orders as the text does, then by what follows its end."""
    return (text.replace("\0", "\0\1") if "\0" in text else text) + _END


def _reversed_text_part(text: str) -> str:
    """``text`` as the start of a sort value that orders as the text does in reverse (a longer text with the same
    start first), then by what follows its end."""
    out = "".join([chr(0x10FFFF - o) for o in map(ord, text)])
    return (out.replace("\U0010ffff", "\U0010ffff\U0010fffe") if "\0" in text else out) + _TOP


def _seconds_part(seconds: float, reverse: bool) -> str:
    """An age in seconds (>= 0, or infinity) as 8 characters that order as the number, or in reverse."""
    raw = _PACK(seconds)
    return (raw.translate(_INVERT) if reverse else raw).decode("latin-1")


def row_order(
    by_name: bool, cell: Callable[[str], Any] | None = None, *, by_age: bool = False, reverse: bool = False
) -> Callable[[str], Any]:
    """The sort value of a row key: kubectl's order (:func:`kubectl_order`), or, given ``cell`` (a key's cell in
    the chosen column), that cell's text (its age in seconds with ``by_age``), reversed with ``reverse``, then
    kubectl's order for ties.

    With a ``cell`` the value is one string that orders exactly as the tuple ``(cell value, kubectl_order)`` would
    (the cell's part reversed with ``reverse``): a string is not tracked by the garbage collector, so sorting
    150,000 rows adds nothing for its young collections to scan, and strings compare faster than tuples. The
    parts: the cell's text with :data:`_END` after it (or each character as U+10FFFF minus it, then
    :data:`_TOP`, reversed), or the age as 8 bytes (:func:`_seconds_part`); then kubectl's first part the same way
    as text, then its second part as it is."""
    if cell is None:
        return _name_order if by_name else _namespace_order
    tie = _name_order if by_name else _namespace_order

    def order(key: str) -> str:
        v = str(cell(key))
        if by_age:
            head = _seconds_part(_age_seconds(v), reverse)
        else:
            head = _reversed_text_part(v) if reverse else _text_part(v)
        first, second = tie(key)
        return head + _text_part(first) + second

    return order


def filter_steps(
    snapshot: "FeedSnapshot",
    spec: "PanelSpec",
    scope: str,
    now: float,
    needle: str,
    keys: list[str] | None = None,
    *,
    budget: float = 0.004,
) -> Generator[None, None, set[str]]:
    """The keys of ``spec``'s objects in ``snapshot`` within ``scope`` whose cells contain ``needle``
    (:func:`~ktui.tui.rows.matches_filter`), in steps: each ``next()`` reads rows for about ``budget`` seconds
    (wall), then yields; the set is the generator's return value. Reads only ``snapshot`` (the frame the filter was
    typed in; a step may run frames later). ``keys``: every key of that frame within ``scope`` (a panel's rows while
    they hold every row: listing a ``FrozenView`` of 150,000 objects that changed takes ~25 ms); without them, the
    first step lists the frame's."""
    objs = snapshot.objects.get(spec.plural, {})
    build, clock = spec.build, time.perf_counter
    if keys is None:
        keys = list(objs)
    found: set[str] = set()
    n, i = len(keys), 0
    while i < n:
        until = clock() + budget
        while i < n:
            for key in keys[i : i + 64]:
                obj = objs.get(key)
                if obj is None:
                    continue
                if scope and (obj.get("metadata") or {}).get("namespace", scope) != scope:
                    continue
                if matches_filter(needle, obj, build(snapshot, obj, now)):
                    found.add(key)
            i += 64
            if clock() >= until:
                break
        if i < n:
            yield
    return found


def sort_steps(
    snapshot: "FeedSnapshot",
    spec: "PanelSpec",
    keys: list[str],
    now: float,
    column: int,
    *,
    by_name: bool,
    reverse: bool,
    budget: float = 0.004,
) -> Generator[None, None, "RowSet"]:
    """``keys`` (objects of ``spec`` in ``snapshot``) in a :class:`RowSet` ordered by their cells in column
    ``column`` of ``spec.headers`` as :func:`row_order` orders them, in steps: each ``next()`` places keys for about
    ``budget`` seconds (wall), then yields; the set is the generator's return value. Each key is placed once, by
    bisection, with its value read from ``snapshot`` (the frame the sort was asked in; a step may run frames
    later), so the set is the one :meth:`RowSet.reset` would build from that frame. A placed key keeps only its
    sort value, a string (see :func:`row_order`) the garbage collector does not track (the row built to read the
    cell is freed at once)."""
    objs = snapshot.objects.get(spec.plural, {})
    build = spec.build
    blank = [""] * len(spec.headers)

    def cell(key: str):
        obj = objs.get(key)
        return blank[column] if obj is None else build(snapshot, obj, now)[column]

    rows = RowSet(row_order(by_name, cell, by_age=spec.headers[column] == "AGE", reverse=reverse))
    put, clock, n, i = rows.put, time.perf_counter, len(keys), 0
    while i < n:
        until = clock() + budget
        while i < n:
            for key in keys[i : i + 64]:
                put(key)
            i += 64
            if clock() >= until:
                break
        if i < n:
            yield
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
