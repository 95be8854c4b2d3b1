"""``kubectl describe`` for any other kind: kubectl's generic describer (every field by its smart label)."""

from __future__ import annotations

from typing import Any

from ktui.kubectl.describe.base import (
    Writer,
    annotations_multiline,
    labels_multiline,
    smart_label,
)

__all__ = ["describe_generic"]


def _go_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "<nil>"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _unstructured(w: Writer, level: int, content: dict, prefix: str, skip: set[str]) -> None:
    for field in sorted(content):
        value = content[field]
        expr = f"{prefix}.{field}"
        if expr in skip:
            continue
        if isinstance(value, dict):
            w.write(level, f"{smart_label(field)}:\n")
            _unstructured(w, level + 1, value, expr, skip)
        elif isinstance(value, list):
            w.write(level, f"{smart_label(field)}:\n")
            for child in value:
                if isinstance(child, dict):
                    _unstructured(w, level + 1, child, expr, skip)
                else:
                    w.write(level + 1, f"{_go_value(child)}\n")
        else:
            w.write(level, f"{smart_label(field)}:\t{_go_value(value)}\n")


def describe_generic(w: Writer, obj: dict) -> None:
    """The generic describer: name, labels, annotations, then every other field by its smart label."""
    md = obj.get("metadata") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    _unstructured(
        w,
        0,
        obj,
        "",
        {
            ".metadata.managedFields",
            ".metadata.name",
            ".metadata.namespace",
            ".metadata.labels",
            ".metadata.annotations",
        },
    )
