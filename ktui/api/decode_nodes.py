"""Per-type checkers (compiled once from the v1.37 schemas by :mod:`ktui.api.decode_compile`): each decodes
one JSON value as Go would.

A node's ``decode(value, path, struct, state)`` returns the decoded value (a fresh dict or list for
structs, slices and maps; unknown fields dropped; ``null`` fields left out) or :data:`SKIP` after recording
a failure on ``state``. ``path`` is a linked tuple ``(parent, segment, is_index)`` built only as deep as the
schema goes; ``struct`` is the Go struct whose field is being decoded (Go's ``errorContext.Struct``).
"""

from __future__ import annotations

import abc
from typing import Any

from ktui.api import limits
from ktui.api.gotypes import LongNumber, bad_base64_at, json_kind, number_text, time_error
from ktui.api.objects import copy_json
from ktui.api.quantity import ERR_FORMAT_WRONG, QuantityError, canonical_quantity, parse_quantity

__all__ = [
    "SKIP",
    "JSONObject",
    "AnyNode",
    "BoolNode",
    "BytesNode",
    "DecodeState",
    "FloatNode",
    "IntNode",
    "IntOrStringNode",
    "MapNode",
    "Node",
    "QuantityNode",
    "SliceNode",
    "StringNode",
    "StructNode",
    "TimeNode",
]

SKIP = object()
"""Returned by a node whose value failed to decode (the failure is on the state)."""

_MAX_STRICT = 100
"""``sigs.k8s.io/json`` keeps at most this many strict (unknown field) errors."""


class DecodeState:
    """What one decoding found: Go's first saved type error, a returned (fatal) error, and strict errors."""

    __slots__ = ("error", "fatal", "strict", "weight", "first")

    def __init__(self) -> None:
        self.first: tuple[Any, Any, str | None] | None = None
        """The first failure in document order: (node, value, None) or (None, None, message)."""
        self.error: str | None = None
        self.fatal: str | None = None
        self.strict: list[str] = []
        self.weight = 0
        """An upper bound of the decoded object's JSON size, cheap to keep: 64 bytes per entry plus the
        length of every longer string and map key (a precise count is taken only when this is large)."""

    def mismatch(self, value: Any, node: "Node", path: Any, struct: str, literal: bool = False) -> None:
        """``json: cannot unmarshal KIND into Go struct field STRUCT.PATH of type GOTYPE`` (first one wins)."""
        if self.first is None:
            self.first = (node, value, None)
        if self.error is not None:
            return
        gotype = node.gotype
        kind = json_kind(value)
        if literal:
            kind = f"number {number_text(value)}"
        fields = go_fields(path)
        if struct or fields:
            self.error = f"json: cannot unmarshal {kind} into Go struct field {struct}.{fields} of type {gotype}"
        else:
            self.error = f"json: cannot unmarshal {kind} into Go value of type {gotype}"

    def fail(self, message: str) -> None:
        """An error a type's own UnmarshalJSON returned: decoding stops there (only the first counts)."""
        if self.first is None:
            self.first = (None, None, message)
        if self.fatal is None:
            self.fatal = message

    def save(self, message: str) -> None:
        """A non-type error Go saves (base64): reported when nothing earlier was."""
        if self.first is None:
            self.first = (None, None, "error decoding from json: " + message)
        if self.error is None:
            self.error = message

    def converter_error(self) -> str | None:
        """The first failure as ``runtime.DefaultUnstructuredConverter`` words it (strategic merge patches
        are converted from a map, not decoded from JSON): ``unrecognized type: int32``,
        ``cannot restore struct from: string``, ``cannot convert int64 to string``..."""
        if self.first is None:
            return None
        node, value, message = self.first
        if message is not None:
            return message
        src = _UNSTRUCTURED.get(type(value), "string")
        if isinstance(node, StructNode):
            return f"cannot restore struct from: {src}"
        if isinstance(node, (SliceNode, BytesNode)):
            return f"cannot restore slice from {src}"
        if isinstance(node, MapNode):
            return f"cannot restore map from {src}"
        kind = _KIND_OF.get(type(node), "string")  # type: ignore[call-overload]
        if kind == "int32" and node.gotype == "int64":
            kind = "int64"
        numeric = src in ("int64", "float64")
        if (src == "int64" and kind == "string") or (numeric and kind in ("int32", "int64", "float64")):
            return f"cannot convert {src} to {node.gotype}"
        return f"unrecognized type: {kind}"

    def unknown(self, path: Any, key: str) -> None:
        self._strict(f'unknown field "{strict_path(path, key)}"')

    def duplicate(self, path: Any, key: str) -> None:
        self._strict(f'duplicate field "{strict_path(path, key)}"')

    def _strict(self, msg: str) -> None:
        if len(self.strict) < _MAX_STRICT and msg not in self.strict:
            self.strict.append(msg)


def go_fields(path: Any) -> str:
    """The struct field names along ``path`` joined by dots (Go's FieldStack: no indexes, no map keys)."""
    names = []
    while path is not None:
        path, seg, kind = path
        if kind == 0:
            names.append(seg)
    return ".".join(reversed(names))


def strict_path(path: Any, key: str) -> str:
    """``spec.template.spec.containers[0].foo``: the path strict decoding errors name."""
    segs = []
    while path is not None:
        path, seg, kind = path
        segs.append((seg, kind))
    out = ""
    for seg, kind in reversed(segs):
        out = f"{out}[{seg}]" if kind == 1 else f"{out}.{seg}" if out else str(seg)
    return f"{out}.{key}" if out else key


class JSONObject(dict):
    """A JSON object read by :func:`ktui.api.decode.loads_body`: it knows which of its keys the text gave
    more than once (the last value is kept, as Go keeps it)."""

    __slots__ = ("duplicates",)

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(pairs)
        self.duplicates: frozenset[str] = frozenset()
        if len(self) != len(pairs):
            seen: set[str] = set()
            self.duplicates = frozenset(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]


class Node(abc.ABC):
    """A compiled type; ``gotype`` is its Go ``reflect`` name."""

    __slots__ = ("gotype",)
    zero: Any = None

    def __init__(self, gotype: str) -> None:
        self.gotype = gotype

    def renamed(self, gotype: str) -> "Node":
        """The same checker under a Go named type (``v1.Protocol`` for a string)."""
        clone = object.__new__(type(self))
        for cls in type(self).__mro__:
            for slot in getattr(cls, "__slots__", ()):
                if hasattr(self, slot):
                    setattr(clone, slot, getattr(self, slot))
        clone.gotype = gotype
        return clone

    @abc.abstractmethod
    def decode(self, v: Any, path: Any, struct: str, st: DecodeState) -> Any:
        """The decoded value of ``v`` at ``path`` (every compiled type defines this)."""


class StringNode(Node):
    zero = ""

    def decode(self, v, path, struct, st):
        if type(v) is str:
            if len(v) > 48:
                st.weight += len(v)
            return v
        st.mismatch(v, self, path, struct)
        return SKIP


class BoolNode(Node):
    zero = False

    def decode(self, v, path, struct, st):
        if type(v) is bool:
            return v
        st.mismatch(v, self, path, struct)
        return SKIP


class IntNode(Node):
    __slots__ = ("lo", "hi")
    zero = 0

    def __init__(self, bits: int) -> None:
        super().__init__(f"int{bits}")
        self.lo, self.hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1

    def decode(self, v, path, struct, st):
        t = type(v)
        if t is int:
            if self.lo <= v <= self.hi:
                return v
        elif t is float:
            if v.is_integer() and self.lo <= v <= self.hi:
                return int(v)  # kubectl sends YAML's 1.0 as 1
        elif t is not LongNumber:
            st.mismatch(v, self, path, struct)
            return SKIP
        st.mismatch(v, self, path, struct, literal=True)
        return SKIP


class FloatNode(Node):
    zero = 0.0

    def decode(self, v, path, struct, st):
        if type(v) in (int, float):
            return v
        st.mismatch(v, self, path, struct)
        return SKIP


class QuantityNode(Node):
    zero = "0"

    def decode(self, v, path, struct, st):
        try:
            if type(v) is str:
                parse_quantity(v)
                return v
            if type(v) in (int, float, LongNumber):
                return canonical_quantity(str.__str__(v) if type(v) is LongNumber else v)  # stored canonical
        except QuantityError as e:
            st.fail(str(e))
            return SKIP
        st.fail(ERR_FORMAT_WRONG)  # an object, array or bool: its raw JSON is not a quantity
        return SKIP


class IntOrStringNode(Node):
    zero = 0

    def decode(self, v, path, struct, st):
        t = type(v)
        if t is str:
            return v
        if t is int and -(2**31) <= v < 2**31:
            return v
        if t is float and v.is_integer() and -(2**31) <= v < 2**31:
            return int(v)
        kind = f"number {number_text(v)}" if t in (int, float, LongNumber) else json_kind(v)
        st.fail(f"json: cannot unmarshal {kind} into Go value of type int32")
        return SKIP


class TimeNode(Node):
    def decode(self, v, path, struct, st):
        if type(v) is str:
            err = time_error(v)
            if err is None:
                return v
            st.fail(err)
        else:
            st.fail(f"json: cannot unmarshal {json_kind(v)} into Go value of type string")
        return SKIP


class BytesNode(Node):
    def decode(self, v, path, struct, st):
        if type(v) is str:
            at = bad_base64_at(v)
            if at is None:
                st.weight += len(v)
                return v
            st.save(f"illegal base64 data at input byte {at}")
            return SKIP
        st.mismatch(v, self, path, struct)
        return SKIP


class AnyNode(Node):
    """Any JSON (RawExtension, FieldsV1): kept as given, if it is not nested too deep."""

    def decode(self, v, path, struct, st):
        if limits.depth_exceeds(v):
            st.fail(f"json: exceeded max depth of {limits.MAX_DEPTH}")
            return SKIP
        st.weight += limits.encoded_size(v)
        return copy_json(v)


class SliceNode(Node):
    __slots__ = ("item",)

    def __init__(self, item: Node) -> None:
        super().__init__("[]" + item.gotype)
        self.item = item

    def decode(self, v, path, struct, st):
        if type(v) is not list and type(v) is not tuple:
            st.mismatch(v, self, path, struct)
            return SKIP
        item = self.item
        out = []
        st.weight += 64 * len(v)
        for i, x in enumerate(v):
            if x is None:
                x = item.zero
                if x is None:
                    continue
            r = item.decode(x, (path, i, 1), struct, st)
            if r is not SKIP:
                out.append(r)
        return out


class MapNode(Node):
    __slots__ = ("value",)

    def __init__(self, value: Node, gotype: str = "") -> None:
        super().__init__(gotype or "map[string]" + value.gotype)
        self.value = value

    def decode(self, v, path, struct, st):
        dups = None
        if type(v) is not dict:
            if type(v) is not JSONObject:
                st.mismatch(v, self, path, struct)
                return SKIP
            dups = v.duplicates
        node = self.value
        out = {}
        st.weight += 64 * len(v)
        for k, x in v.items():
            if dups and k in dups:
                st.duplicate(path, k)
            k = k if type(k) is str else str(k)
            if len(k) > 40:
                st.weight += len(k)
            if x is None:
                if node.zero is None:
                    continue
                x = node.zero
            if type(x) is str and type(node) is StringNode:  # labels, annotations: as StringNode.decode does
                if len(x) > 48:
                    st.weight += len(x)
                out[k] = x
                continue
            r = node.decode(x, (path, k, 2), struct, st)
            if r is not SKIP:
                out[k] = r
        return out


class StructNode(Node):
    __slots__ = ("name", "fields")

    def __init__(self, name: str, gotype: str) -> None:
        super().__init__(gotype)
        self.name = name
        self.fields: dict[str, Node] = {}

    zero: Any = {}  # never changed: decode builds a new dict

    def decode(self, v, path, struct, st):
        dups = None
        if type(v) is not dict:
            if type(v) is not JSONObject:
                st.mismatch(v, self, path, struct)
                return SKIP
            dups = v.duplicates
        fields = self.fields
        name = self.name
        out = {}
        st.weight += 64 * len(v)
        for k, x in v.items():
            node = fields.get(k)
            if node is None:
                st.unknown(path, k if type(k) is str else str(k))
                continue
            if dups and k in dups:
                st.duplicate(path, k)
            if x is None:
                continue
            if type(x) is str and type(node) is StringNode:  # the common leaf, as StringNode.decode does
                if len(x) > 48:
                    st.weight += len(x)
                out[k] = x
                continue
            r = node.decode(x, (path, k, 0), name, st)
            if r is not SKIP:
                out[k] = r
        return out


_UNSTRUCTURED = {
    str: "string",
    bool: "bool",
    int: "int64",
    float: "float64",
    list: "slice",
    tuple: "slice",
    dict: "map",
}
"""The Go kind of a value in an unstructured (map) object."""
_KIND_OF = {StringNode: "string", BoolNode: "bool", IntNode: "int32", FloatNode: "float64"}
