"""What kubectl refuses in a manifest before it asks the server: YAML values JSON cannot hold, and type and
metadata fields of the wrong type (kubectl decodes them into Go structs: ``unable to decode "f.yaml": json:
cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string``)."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["json_data", "go_type", "type_problems", "decode_problem"]

_STRING_FIELDS = ("name", "namespace", "generateName", "uid", "resourceVersion", "selfLink")
_MAP_FIELDS = ("labels", "annotations")


def go_type(value: Any) -> str:
    """How encoding/json names a JSON value's type in its errors."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return {dict: "object", list: "array", str: "string"}.get(type(value), "null")  # type: ignore[call-overload]


def json_data(value: Any) -> Any:
    """``value`` as sigs.k8s.io/yaml turns YAML into JSON: binary becomes text, a set a map of nulls.

    Raises:
        ValueError: ``json: unsupported value: +Inf`` (or ``-Inf``, ``NaN``) for a float JSON cannot write.
    """
    if isinstance(value, dict):
        return {k: json_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_data(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return {str(k): None for k in sorted(value, key=str)}
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(
            "json: unsupported value: " + ("NaN" if math.isnan(value) else "+Inf" if value > 0 else "-Inf")
        )
    return value


def type_problems(obj: dict) -> list[str]:
    """kubectl's validation of ``apiVersion`` and ``kind`` (``apiVersion isn't string type``)."""
    return [f"{k} isn't string type" for k in ("apiVersion", "kind") if k in obj and not isinstance(obj[k], str)]


def decode_problem(obj: dict) -> str:
    """Why decoding ``obj``'s type and metadata into Go structs fails, or ""."""
    import json

    if "apiVersion" in obj and not isinstance(obj["apiVersion"], str):
        return (
            f"json: cannot unmarshal {go_type(obj['apiVersion'])} into Go struct field "
            "metadataOnlyObject.TypeMeta.apiVersion of type string"
        )
    if "kind" in obj and not isinstance(obj["kind"], str):
        return (
            f"Object 'Kind' is missing in '"
            f"{json.dumps(obj, separators=(',', ':'), sort_keys=True, ensure_ascii=False)}'"
        )
    md = obj.get("metadata")
    if md is None:
        return ""
    if not isinstance(md, dict):
        return (
            f"json: cannot unmarshal {go_type(md)} into Go struct field metadataOnlyObject.metadata of type "
            "v1.ObjectMeta"
        )
    for field in _STRING_FIELDS:
        if field in md and md[field] is not None and not isinstance(md[field], str):
            return (
                f"json: cannot unmarshal {go_type(md[field])} into Go struct field ObjectMeta.metadata.{field} "
                "of type string"
            )
    for field in _MAP_FIELDS:
        value = md.get(field)
        if value is None:
            continue
        if not isinstance(value, dict):
            return (
                f"json: cannot unmarshal {go_type(value)} into Go struct field ObjectMeta.metadata.{field} of "
                "type map[string]string"
            )
        for v in value.values():
            if v is not None and not isinstance(v, str):
                return (
                    f"json: cannot unmarshal {go_type(v)} into Go struct field ObjectMeta.metadata.{field} of "
                    "type string"
                )
    return ""
