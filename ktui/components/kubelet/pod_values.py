"""The values a pod's files and environment take from the API: Secret data, downward API fields, resource fields."""

from __future__ import annotations

import base64
import math
from typing import Any

from ktui.api.quantity import parse_quantity

__all__ = ["SourceError", "decode_secret_value", "downward_value", "format_map", "resource_value"]


class SourceError(Exception):
    """A volume or environment source the kubelet could not resolve; the text is the kubelet's error."""


def decode_secret_value(value: Any) -> str:
    """A Secret's ``data`` value (base64) as the text a container reads."""
    try:
        raw = base64.b64decode(str(value or ""), validate=False)
    except (ValueError, TypeError):
        return ""
    return raw.decode("utf-8", errors="replace")


def _go_quote(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def format_map(m: dict[str, str]) -> str:
    """pkg/fieldpath ``FormatMap``: ``key="value"`` lines in key order, no trailing newline."""
    return "\n".join(f"{k}={_go_quote(str(m[k]))}" for k in sorted(m))


def downward_value(path: str, pod: dict) -> str:
    """A downwardAPI volume item's ``fieldRef`` (metadata only, as the volume plugin allows)."""
    md = pod.get("metadata") or {}
    if path == "metadata.labels":
        return format_map(md.get("labels") or {})
    if path == "metadata.annotations":
        return format_map(md.get("annotations") or {})
    for kind in ("labels", "annotations"):
        prefix = f"metadata.{kind}['"
        if path.startswith(prefix) and path.endswith("']"):
            return str((md.get(kind) or {}).get(path[len(prefix) : -2], ""))
    return {
        "metadata.name": md.get("name", ""),
        "metadata.namespace": md.get("namespace", ""),
        "metadata.uid": md.get("uid", ""),
    }.get(path, "")


def resource_value(ref: dict, pod: dict, container: dict | None, allocatable: dict[str, str]) -> str:
    """A ``resourceFieldRef``: pkg/api/v1/resource ``ExtractContainerResourceValue`` after the kubelet's
    ``defaultPodLimitsForDownwardAPI`` (an unset cpu/memory/ephemeral-storage limit is the node's allocatable).

    Raises:
        SourceError: an unknown resource or container.
    """
    name = ref.get("containerName") or ""
    if name:
        spec = pod.get("spec") or {}
        container = next(
            (c for c in (spec.get("containers") or []) + (spec.get("initContainers") or []) if c.get("name") == name),
            None,
        )
        if container is None:
            raise SourceError(f"container {name} not found")
    resources = (container or {}).get("resources") or {}
    limits = dict(resources.get("limits") or {})
    for key in ("cpu", "memory", "ephemeral-storage"):
        if key not in limits and allocatable.get(key):
            limits[key] = allocatable[key]
    requests = resources.get("requests") or {}
    resource = ref.get("resource", "")
    divisor_text = ref.get("divisor")
    divisor = parse_quantity(str(divisor_text)) if divisor_text not in (None, "", "0", 0) else 1
    if not divisor:
        divisor = 1
    kind, _, res = resource.partition(".")
    table = {"limits": limits, "requests": requests}.get(kind)
    if table is None or not (res in ("cpu", "memory", "ephemeral-storage") or res.startswith("hugepages-")):
        raise SourceError(f"unsupported container resource : {resource}")
    value = parse_quantity(str(table[res])) if table.get(res) not in (None, "") else 0
    if res == "cpu":  # MilliValue() / divisor.MilliValue(), rounded up
        milli = math.ceil(value * 1000)
        return str(math.ceil(milli / max(1, math.ceil(divisor * 1000))))
    return str(math.ceil(math.ceil(value) / max(1, math.ceil(divisor))))
