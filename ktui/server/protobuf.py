"""Decode ``application/vnd.kubernetes.protobuf`` request bodies into the JSON-shaped object a JSON body gives.

kubectl's typed clients send protobuf: the four bytes ``k8s\\x00``, then a ``runtime.Unknown`` envelope
holding the TypeMeta (apiVersion, kind) and the object's own message bytes. The message descriptors are built
at import from ``data/protobuf_fields.txt`` (field numbers written from the published API definitions) and the
v1.37 schemas (field types), then parsed with the ``protobuf`` package. The result follows Go's JSON encoding
of the decoded struct: zero values of ``omitempty`` fields are left out, pointers and fields without
``omitempty`` are kept, Quantity is a string, IntOrString an int or a string, Time an RFC 3339 string.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, unknown_fields
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import DecodeError, Message

from ktui.api import schemas

__all__ = ["MAGIC", "MEDIA_TYPE", "ProtobufError", "decode", "supported_kinds"]

MAGIC = b"k8s\x00"
"""The prefix of every Kubernetes protobuf body."""

MEDIA_TYPE = "application/vnd.kubernetes.protobuf"

_PACKAGE = "ktui.k8s"
_TIME = ("io.k8s.apimachinery.pkg.apis.meta.v1.Time", "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime")
# Types whose wire form differs from their JSON form: name -> (fields: (name, number, proto type)).
_SPECIAL: dict[str, tuple[tuple[str, int, int], ...]] = {
    _TIME[0]: (("seconds", 1, FieldDescriptor.TYPE_INT64), ("nanos", 2, FieldDescriptor.TYPE_INT32)),
    _TIME[1]: (("seconds", 1, FieldDescriptor.TYPE_INT64), ("nanos", 2, FieldDescriptor.TYPE_INT32)),
    "io.k8s.apimachinery.pkg.api.resource.Quantity": (("string", 1, FieldDescriptor.TYPE_STRING),),
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": (
        ("type", 1, FieldDescriptor.TYPE_INT64),
        ("intVal", 2, FieldDescriptor.TYPE_INT32),
        ("strVal", 3, FieldDescriptor.TYPE_STRING),
    ),
    "io.k8s.apimachinery.pkg.runtime.RawExtension": (("raw", 1, FieldDescriptor.TYPE_BYTES),),
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": (("raw", 1, FieldDescriptor.TYPE_BYTES),),
    "_StringList": (("items", 1, -FieldDescriptor.TYPE_STRING),),  # a map's list value (UserInfo.extra)
    "_TypeMeta": (("apiVersion", 1, FieldDescriptor.TYPE_STRING), ("kind", 2, FieldDescriptor.TYPE_STRING)),
}
_SCALARS = {
    ("integer", "int32"): FieldDescriptor.TYPE_INT32,
    ("integer", "int64"): FieldDescriptor.TYPE_INT64,
    ("integer", None): FieldDescriptor.TYPE_INT64,
    ("boolean", None): FieldDescriptor.TYPE_BOOL,
    ("number", "double"): FieldDescriptor.TYPE_DOUBLE,
    ("number", None): FieldDescriptor.TYPE_DOUBLE,
    ("string", "byte"): FieldDescriptor.TYPE_BYTES,
}


class ProtobufError(ValueError):
    """A body that cannot be decoded; ``code`` is what kube-apiserver answers (400 malformed, 415 unsupported)."""

    def __init__(self, message: str, code: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class _Field:
    name: str
    number: int
    always: bool
    inline: bool
    type_name: str | None


def _table() -> dict[str, tuple[_Field, ...]]:
    text = resources.files("ktui.server").joinpath("data", "protobuf_fields.txt").read_text("utf-8")
    out: dict[str, tuple[_Field, ...]] = {}
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        fields = []
        for word in words[1:]:
            name, _, rest = word.partition("=")
            number, _, type_name = rest.partition(":")
            marks = number.lstrip("0123456789")
            fields.append(_Field(name, int(number.rstrip("!~")), "!" in marks, "~" in marks, type_name or None))
        out[words[0]] = tuple(fields)
    return out


def _message_name(type_name: str) -> str:
    return type_name.replace(".", "_").replace("-", "_")


class _Builder:
    """Builds one FileDescriptorProto from the table and the schemas."""

    def __init__(self, table: dict[str, tuple[_Field, ...]]) -> None:
        self.table = table
        self.file = descriptor_pb2.FileDescriptorProto(name="ktui_k8s.proto", package=_PACKAGE, syntax="proto2")
        self.done: set[str] = set()
        self.layouts: dict[str, dict[int, tuple[_Field, Any]]] = {}

    def message(self, type_name: str) -> str:
        """Declare ``type_name`` (once) and return its full protobuf name."""
        full = f".{_PACKAGE}.{_message_name(type_name)}"
        if type_name in self.done:
            return full
        self.done.add(type_name)
        msg = self.file.message_type.add(name=_message_name(type_name))
        if type_name in _SPECIAL:
            for name, number, kind in _SPECIAL[type_name]:
                label = FieldDescriptor.LABEL_REPEATED if kind < 0 else FieldDescriptor.LABEL_OPTIONAL
                msg.field.add(name=name, number=number, type=abs(kind), label=label)
            return full
        props = (schemas.definition(type_name) or {}).get("properties", {})
        layout: dict[int, tuple[_Field, Any]] = {}
        for f in self.table.get(type_name, ()):
            prop = {"$ref": f.type_name} if f.type_name else props.get(f.name)
            if prop is None:
                raise RuntimeError(f"protobuf table: {type_name} has no field {f.name!r} in the v1.37 schema")
            layout[f.number] = (f, prop)
            self._field(msg, f, prop)
        self.layouts[type_name] = layout
        return full

    def _field(self, msg: descriptor_pb2.DescriptorProto, f: _Field, prop: dict[str, Any]) -> None:
        field = msg.field.add(
            name=f"f{f.number}", json_name=f.name, number=f.number, label=FieldDescriptor.LABEL_OPTIONAL
        )
        kind = _kind(prop)
        if kind == "array":
            field.label = FieldDescriptor.LABEL_REPEATED
            prop, kind = prop["items"], _kind(prop["items"])
        if kind == "map":
            entry = msg.nested_type.add(name=f"F{f.number}Entry")
            entry.options.map_entry = True
            entry.field.add(
                name="key", number=1, type=FieldDescriptor.TYPE_STRING, label=FieldDescriptor.LABEL_OPTIONAL
            )
            value = entry.field.add(name="value", number=2, label=FieldDescriptor.LABEL_OPTIONAL)
            self._type(value, prop["additionalProperties"])
            field.label = FieldDescriptor.LABEL_REPEATED
            field.type = FieldDescriptor.TYPE_MESSAGE
            field.type_name = f"{msg.name}.F{f.number}Entry"
            return
        self._type(field, prop)

    def _type(self, field: descriptor_pb2.FieldDescriptorProto, prop: dict[str, Any]) -> None:
        kind = _kind(prop)
        if kind == "ref":
            field.type = FieldDescriptor.TYPE_MESSAGE
            field.type_name = self.message(schemas.ref_name(prop["$ref"]))
        elif kind == "array":  # a list as a map value: a message holding the list
            field.type = FieldDescriptor.TYPE_MESSAGE
            field.type_name = self.message("_StringList")
        else:
            fmt = prop.get("format")
            field.type = _SCALARS.get((kind, fmt), _SCALARS.get((kind, None), FieldDescriptor.TYPE_STRING))


def _kind(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return "ref"
    types = prop.get("type", "object")
    kind = next((t for t in ([types] if isinstance(types, str) else types) if t != "null"), "object")
    if kind == "object" and "additionalProperties" in prop:
        return "map"
    return kind


@lru_cache(maxsize=1)
def _decoder() -> tuple[dict[str, type[Message]], dict[str, dict[int, tuple[_Field, Any]]]]:
    table = _table()
    builder = _Builder(table)
    for type_name in (*table, "_TypeMeta"):
        builder.message(type_name)
    envelope = builder.file.message_type.add(name="_Unknown")
    for name, number, kind, ref in (
        ("typeMeta", 1, FieldDescriptor.TYPE_MESSAGE, f".{_PACKAGE}._TypeMeta"),
        ("raw", 2, FieldDescriptor.TYPE_BYTES, None),
        ("contentEncoding", 3, FieldDescriptor.TYPE_STRING, None),
        ("contentType", 4, FieldDescriptor.TYPE_STRING, None),
    ):
        envelope.field.add(name=name, number=number, type=kind, label=FieldDescriptor.LABEL_OPTIONAL, type_name=ref)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(builder.file)
    classes = {
        t: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{_PACKAGE}.{_message_name(t)}"))
        for t in (*builder.done, "_Unknown")
    }
    return classes, builder.layouts


def supported_kinds() -> list[tuple[str, str]]:
    """The ``(apiVersion, kind)`` pairs whose protobuf bodies :func:`decode` reads."""
    table = _table()
    return sorted(k for k, name in schemas.kinds().items() if name in table)


def decode(body: bytes) -> dict[str, Any]:
    """The object a protobuf request body holds, as the dict its JSON form would give.

    Raises:
        ProtobufError: the body is not a Kubernetes protobuf message (400), or holds a kind or a field ktui
            has no table for (415).
    """
    if not body.startswith(MAGIC):
        prefix = " ".join(str(b) for b in MAGIC)
        raise ProtobufError(f"provided data does not appear to be a protobuf message, expected prefix [{prefix}]")
    classes, layouts = _decoder()
    envelope = _parse(classes["_Unknown"], body[len(MAGIC) :], "runtime.Unknown")
    if envelope.contentEncoding:
        raise ProtobufError(f"unsupported content encoding {envelope.contentEncoding!r}", 415)
    api_version, kind = envelope.typeMeta.apiVersion, envelope.typeMeta.kind
    if not kind or not api_version:
        raise ProtobufError(
            "Object 'Kind' is missing in protobuf body"
            if not kind
            else "Object 'apiVersion' is missing in protobuf body"
        )
    type_name = schemas.definition_for_kind(api_version, kind)
    if type_name is None or type_name not in layouts:
        raise ProtobufError(
            f"ktui cannot decode {kind} ({api_version}) from protobuf; send it as application/json", 415
        )
    obj = _parse(classes[type_name], envelope.raw, kind)
    out: dict[str, Any] = {"kind": kind, "apiVersion": api_version}
    out.update(_object(obj, type_name, layouts, kind))
    return out


def _parse(cls: type[Message], data: bytes, what: str) -> Message:
    msg = cls()
    try:
        msg.ParseFromString(data)
    except DecodeError as e:
        raise ProtobufError(f"unable to decode {what} from protobuf: {e}") from None
    return msg


def _object(msg: Message, type_name: str, layouts: dict, path: str) -> dict[str, Any]:
    layout = layouts.get(type_name)
    unknown = [f.field_number for f in unknown_fields.UnknownFieldSet(msg)]
    if unknown:
        where = type_name.rsplit(".", 1)[-1]
        raise ProtobufError(f"ktui cannot decode field {unknown[0]} of {where} at {path} from protobuf", 415)
    out: dict[str, Any] = {}
    for number, (f, prop) in (layout or {}).items():
        fd = msg.DESCRIPTOR.fields_by_number[number]
        at = f"{path}.{f.name}"
        if fd.is_repeated:
            values = getattr(msg, fd.name)
            if fd.message_type is not None and fd.message_type.GetOptions().map_entry:
                value_prop = prop["additionalProperties"]
                value: Any = {k: _value(v, value_prop, layouts, f"{at}[{k}]") for k, v in values.items()}
            else:
                item = prop.get("items", prop)
                value = [_value(v, item, layouts, f"{at}[{i}]") for i, v in enumerate(values)]
            if value:
                out[f.name] = value
            elif f.always:
                out[f.name] = None
            continue
        if not msg.HasField(fd.name):
            continue
        value = _value(getattr(msg, fd.name), prop, layouts, at)
        if f.inline:
            out.update(value)
        elif value is _ZERO_TIME:
            if f.always:
                out[f.name] = None
        elif f.always or fd.type == FieldDescriptor.TYPE_MESSAGE or value not in ("", 0, False):
            out[f.name] = value
    return out


_ZERO_TIME = object()


def _value(v: Any, prop: dict[str, Any], layouts: dict, path: str) -> Any:
    if "$ref" not in prop:
        if isinstance(v, bytes):
            return base64.b64encode(v).decode("ascii")
        if isinstance(v, Message):  # a list as a map value
            return list(v.items)
        return v
    name = schemas.ref_name(prop["$ref"])
    if name in _TIME:
        if not v.seconds and not v.nanos:
            return _ZERO_TIME
        t = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc) + _dt.timedelta(
            seconds=v.seconds, microseconds=v.nanos // 1000
        )
        return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if name == _TIME[1] else "%Y-%m-%dT%H:%M:%SZ")
    if name == "io.k8s.apimachinery.pkg.api.resource.Quantity":
        return v.string
    if name == "io.k8s.apimachinery.pkg.util.intstr.IntOrString":
        return v.strVal if v.type == 1 else v.intVal
    if name in ("io.k8s.apimachinery.pkg.runtime.RawExtension", "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1"):
        try:
            return json.loads(v.raw) if v.raw else None
        except ValueError:
            raise ProtobufError(f"{path}: the embedded object is not JSON") from None
    return _object(v, name, layouts, path)
