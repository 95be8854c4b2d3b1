"""Compile the v1.37 schemas into per-type checkers, once per type (recursive types compile once too)."""

from __future__ import annotations

from functools import lru_cache

from ktui.api import schemas
from ktui.api.decode_nodes import (
    AnyNode,
    BoolNode,
    BytesNode,
    FloatNode,
    IntNode,
    IntOrStringNode,
    MapNode,
    Node,
    QuantityNode,
    SliceNode,
    StringNode,
    StructNode,
    TimeNode,
)
from ktui.api.gotypes import NAMED_TYPES

__all__ = ["node_for_definition"]

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
            return (
                BytesNode("[]uint8")
                if fmt == "byte"
                else TimeNode("v1.Time")
                if fmt == "date-time"
                else StringNode("string")
            )
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
