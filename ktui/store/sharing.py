"""Share equal parts of stored values: one copy of each repeated string, list and dict (hash-consing).

Stored values are immutable (DESIGN principle 3), so two stored objects may hold the very same sub-tree where
their contents are equal: 100,000 pods of one template share one ``tolerations`` list, one ``resources`` dict,
one image name and one timestamp string per second, instead of holding 100,000 equal copies. Only memory
changes: every value keeps its contents and its key order.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Sharer"]

_LIMIT = 65_536
"""Entries kept before the table starts afresh: it holds the unique parts of recent values too (names, UIDs),
so it is bounded; starting afresh only means that later values share with one another, not with older ones."""


class Sharer:
    """A table of canonical strings, lists and dicts; :meth:`share` points a new value's parts at them.

    Containers are canonicalised bottom-up: a dict's key is its keys in order and the identities of its
    (already canonical) values, so equal trees map to one object. The table keeps every canonical container
    alive, which keeps the identities in its keys valid.
    """

    __slots__ = ("_table", "_canon", "limit", "_kept")

    def __init__(self, limit: int = _LIMIT) -> None:
        self.limit = limit
        self._table: dict[Any, Any] = {}
        self._canon: dict[int, Any] = {}
        """Canonical containers by identity (they are values of ``_table`` too, so their ids stay valid)."""
        self._kept: Any = _NOTHING
        """During :meth:`share` with ``previous``: the ids of the previous value's containers (left as they are)."""

    def __deepcopy__(self, memo: dict) -> "Sharer":
        return Sharer(self.limit)  # a cache: a copy starts empty

    def __getstate__(self) -> int:
        return self.limit

    def __setstate__(self, limit: int) -> None:
        self.__init__(limit)  # type: ignore[misc]

    def share(self, value: Any, previous: Any = None) -> Any:
        """Point the parts of ``value`` (a freshly stored value, dict or list) at canonical equal objects,
        in place, and return ``value`` itself (its identity is kept: the caller stores this object).

        ``previous``: the value ``value`` replaces. The parts of ``value`` that are its very containers (two
        levels down: a status update keeps the stored spec and the unchanged parts of the status) were
        shared when it was stored and are left as they are, not walked again."""
        if len(self._table) > self.limit:
            self._table.clear()
            self._canon.clear()
        if type(previous) is dict:
            kept = set()
            for v in previous.values():
                t = type(v)
                if t is dict or t is list:
                    kept.add(id(v))
                    if t is dict:
                        kept.update(id(w) for w in v.values() if type(w) is dict or type(w) is list)
            self._kept = kept
        try:
            t = type(value)
            if t is dict:
                for k, v in value.items():
                    if k == "metadata" and type(v) is dict and id(v) not in self._kept:
                        # An object's own metadata (its uid, name, resourceVersion) equals no other's: its parts
                        # are shared, the dict itself is not looked up (nor kept in the table).
                        for mk, mv in v.items():
                            c = self._part(mv)
                            if c is not mv:
                                v[mk] = c
                        continue
                    c = self._part(v)
                    if c is not v:
                        value[k] = c
            elif t is list:
                for i, v in enumerate(value):
                    c = self._part(v)
                    if c is not v:
                        value[i] = c
        except RecursionError:  # nested too deeply to walk: what was shared so far stays shared
            pass
        finally:
            self._kept = _NOTHING
        return value

    def canonical(self, value: Any) -> Any:
        """The canonical object equal to ``value`` (a string, list or dict; other values as they are), which
        becomes canonical itself when there is none yet. A container given here must not change afterwards."""
        if len(self._table) > self.limit:
            self._table.clear()
            self._canon.clear()
        try:
            return self._part(value)
        except RecursionError:
            return value

    def _part(self, o: Any) -> Any:
        t = type(o)
        if t is str:
            return self._table.setdefault(o, o)
        if t is not dict and t is not list:
            return o
        if id(o) in self._canon or id(o) in self._kept:
            return o
        table, token = self._table, self._token
        key: list[Any] = ["{" if t is dict else "["]
        add = key.append
        for k, v in o.items() if t is dict else enumerate(o):
            tv = type(v)
            if tv is str:  # the common leaf, inline
                c = table.get(v)
                if c is None:
                    table[v] = c = v
                elif c is not v:
                    o[k] = c
                tok = c
            elif tv is dict or tv is list:
                c = self._part(v)
                if c is not v:
                    o[k] = c
                tok = -1 - id(c)
            else:
                tok = token(v)
            if t is dict:
                add(k)
            add(tok)
        tk = tuple(key)
        c = table.get(tk)
        if c is None:
            table[tk] = o
            self._canon[id(o)] = o
            return o
        return c

    @staticmethod
    def _token(c: Any) -> Any:
        """What stands for a canonical part in its parent's key, unlike any other part's: itself for a string,
        None or an integer >= 0; a negative number from its identity for a container; a marker for a boolean
        (``True == 1``); a tuple with the type otherwise (a float's exact bits: ``0.0 == -0.0``)."""
        t = type(c)
        if t is str or c is None:
            return c
        if t is dict or t is list:
            return -1 - id(c)
        if t is int:
            return c if c >= 0 else (int, c)
        if t is bool:
            return _TRUE if c else _FALSE
        if t is float:
            return (float, c.hex())
        return (object, id(c))  # anything else: only itself (kept alive by the container that holds it)


_TRUE, _FALSE = object(), object()
_NOTHING: frozenset = frozenset()
