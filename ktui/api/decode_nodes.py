"""Per-type checkers compiled once from the v1.37 schemas: each decodes one JSON value as Go would.

A node's ``decode(value, path, struct, state)`` returns the decoded value (a fresh dict or list for
structs, slices and maps; unknown fields dropped; ``null`` fields left out) or :data:`SKIP` after recording
a failure on ``state``. ``path`` is a linked tuple ``(parent, segment, is_index)`` built only as deep as the
schema goes; ``struct`` is the Go struct whose field is being decoded (Go's ``errorContext.Struct``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ktui.api import limits, schemas
from ktui.api.objects import copy_json
from ktui.api.gotypes import NAMED_TYPES, bad_base64_at, json_kind, number_text, time_error
from ktui.api.quantity import ERR_FORMAT_WRONG, QuantityError, canonical_quantity, parse_quantity

__all__ = ["SKIP", "DecodeState", "node_for_definition"]

SKIP = object()
"""Returned by a node whose value failed to decode (the failure is on the state)."""

_MAX_STRICT = 100
"""``sigs.k8s.io/json`` keeps at most this many strict (unknown field) errors."""


class DecodeState:
    """What one decoding found: Go's first saved type error, a returned (fatal) error, and strict errors."""

    __slots__ = ("error", "fatal", "strict", "weight")

    def __init__(self) -> None:
        self.error: str | None = None
        self.fatal: str | None = None
        self.strict: list[str] = []
        self.weight = 0
        """An upper bound of the decoded object's JSON size, cheap to keep: 64 bytes per entry plus the
        length of every longer string and map key (a precise count is taken only when this is large)."""

    def mismatch(self, value: Any, gotype: str, path: Any, struct: str, literal: bool = False) -> None:
        """``json: cannot unmarshal KIND into Go struct field STRUCT.PATH of type GOTYPE`` (first one wins)."""
        if self.error is not None:
            return
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
        if self.fatal is None:
            self.fatal = message

    def save(self, message: str) -> None:
        """A non-type error Go saves (base64): reported when nothing earlier was."""
        if self.error is None:
            self.error = message

    def unknown(self, path: Any, key: str) -> None:
        if len(self.strict) < _MAX_STRICT:
            msg = f'unknown field "{strict_path(path, key)}"'
            if msg not in self.strict:
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


class Node:
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

    def decode(self, v: Any, path: Any, struct: str, st: DecodeState) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError


class StringNode(Node):
    zero = ""

    def decode(self, v, path, struct, st):
        if type(v) is str:
            if len(v) > 48:
                st.weight += len(v)
            return v
        st.mismatch(v, self.gotype, path, struct)
        return SKIP


class BoolNode(Node):
    zero = False

    def decode(self, v, path, struct, st):
        if type(v) is bool:
            return v
        st.mismatch(v, self.gotype, path, struct)
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
        else:
            st.mismatch(v, self.gotype, path, struct)
            return SKIP
        st.mismatch(v, self.gotype, path, struct, literal=True)
        return SKIP


class FloatNode(Node):
    zero = 0.0

    def decode(self, v, path, struct, st):
        if type(v) in (int, float):
            return v
        st.mismatch(v, self.gotype, path, struct)
        return SKIP


class QuantityNode(Node):
    zero = "0"

    def decode(self, v, path, struct, st):
        try:
            if type(v) is str:
                parse_quantity(v)
                return v
            if type(v) in (int, float):
                return canonical_quantity(v)  # a bare number is stored in canonical form
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
        kind = f"number {number_text(v)}" if t in (int, float) else json_kind(v)
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
        st.mismatch(v, self.gotype, path, struct)
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
            st.mismatch(v, self.gotype, path, struct)
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
        if type(v) is not dict:
            st.mismatch(v, self.gotype, path, struct)
            return SKIP
        node = self.value
        out = {}
        st.weight += 64 * len(v)
        for k, x in v.items():
            k = k if type(k) is str else str(k)
            if len(k) > 40:
                st.weight += len(k)
            if x is None:
                if node.zero is None:
                    continue
                x = node.zero
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
        if type(v) is not dict:
            st.mismatch(v, self.gotype, path, struct)
            return SKIP
        fields = self.fields
        name = self.name
        out = {}
        st.weight += 64 * len(v)
        for k, x in v.items():
            node = fields.get(k)
            if node is None:
                st.unknown(path, k if type(k) is str else str(k))
                continue
            if x is None:
                continue
            r = node.decode(x, (path, k, 0), name, st)
            if r is not SKIP:
                out[k] = r
        return out


_SPECIAL = {
    "io.k8s.apimachinery.pkg.api.resource.Quantity": lambda: QuantityNode("resource.Quantity"),
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": lambda: IntOrStringNode("intstr.IntOrString"),
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time": lambda: TimeNode("v1.Time"),
    "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": lambda: TimeNode("v1.MicroTime"),
}


def _go_name(definition: str) -> tuple[str, str]:
    parts = definition.split(".")
    return parts[-1], f"{parts[-2]}.{parts[-1]}"


@lru_cache(maxsize=None)
def node_for_definition(name: str) -> Node:
    """The compiled checker of one schema definition (cached; recursive types compile once)."""
    return _Compiler().definition(name)


class _Compiler:
    def __init__(self) -> None:
        self.done: dict[str, Node] = {}

    def definition(self, name: str) -> Node:
        if name in self.done:
            return self.done[name]
        if name in _SPECIAL:
            node = self.done[name] = _SPECIAL[name]()
            return node
        schema = schemas.definition(name) or {}
        if "properties" not in schema:
            node = self.done[name] = self.schema(schema, ("", ""))
            return node
        short, gotype = _go_name(name)
        node = self.done[name] = StructNode(short, gotype)
        for field, sub in schema["properties"].items():
            child = self.schema(sub, (short, field))
            named = NAMED_TYPES.get((short, field))
            node.fields[field] = child.renamed(named) if named else child
        return node

    def schema(self, s: dict, where: tuple[str, str]) -> Node:
        if "$ref" in s:
            return self.definition(schemas.ref_name(s["$ref"]))
        t = s.get("type")
        if isinstance(t, list):
            t = next((x for x in t if x != "null"), None)
        fmt = s.get("format", "")
        if t == "string":
            return BytesNode("[]uint8") if fmt == "byte" else TimeNode("v1.Time") if fmt == "date-time" else StringNode("string")
        if t == "integer":
            return IntNode(64 if fmt == "int64" else 32)
        if t == "number":
            return FloatNode("float64")
        if t == "boolean":
            return BoolNode("bool")
        if t == "array":
            return SliceNode(self.schema(s.get("items") or {}, where))
        if t == "object" and isinstance(s.get("additionalProperties"), dict):
            value = self.schema(s["additionalProperties"], where)
            if isinstance(value, QuantityNode):
                return MapNode(value, "v1.ResourceList")
            return MapNode(value)
        return AnyNode("interface {}")
