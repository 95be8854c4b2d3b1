"""The cells ``kubectl get`` tables share: ages, labels, selectors, container lists, counts (pure functions).

Ages follow apimachinery's ``duration.HumanDuration``; the rest follow the helpers of v1.37's
``pkg/printers/internalversion/printers.go``. The row modules (``rows_*``) build on these.
"""

from __future__ import annotations

from typing import Any

from ktui.api.labels import format_label_selector
from ktui.sim.timefmt import parse_rfc3339

__all__ = [
    "human_duration",
    "age",
    "meta_of",
    "spec_of",
    "status_of",
    "created",
    "format_labels",
    "selector_text",
    "containers",
    "template_spec",
    "number",
    "load_balancer_ips",
]


LOAD_BALANCER_WIDTH = 16


def human_duration(seconds: float) -> str:
    """``duration.HumanDuration``: ``45s``, ``5m40s``, ``12m``, ``3h12m``, ``10h``, ``2d5h``, ``30d``, ``2y3d``."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        return f"{minutes}m" if s % 60 == 0 else f"{minutes}m{s % 60}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        return f"{hours}h" if minutes % 60 == 0 else f"{hours}h{minutes % 60}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        return f"{hours // 24}d" if hours % 24 == 0 else f"{hours // 24}d{hours % 24}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if days == 0 else f"{hours // 24 // 365}y{days}d"
    return f"{hours // 24 // 365}y"


def age(created_rfc3339: str | None, now: float) -> str:
    """``translateTimestampSince``: the HumanDuration since a timestamp, ``<unknown>`` without one."""
    if not created_rfc3339:
        return "<unknown>"
    return human_duration(now - parse_rfc3339(created_rfc3339))


def meta_of(obj: dict) -> dict:
    """The metadata (empty when missing)."""
    return obj.get("metadata") or {}


def spec_of(obj: dict) -> dict:
    """The spec (empty when missing)."""
    return obj.get("spec") or {}


def status_of(obj: dict) -> dict:
    """The status (empty when missing)."""
    return obj.get("status") or {}


def created(obj: dict, now: float) -> str:
    """The AGE cell: the HumanDuration since the creation timestamp."""
    return age(meta_of(obj).get("creationTimestamp"), now)


def format_labels(labels: dict | None) -> str:
    """``labels.FormatLabels``: ``a=1,b=2`` sorted by key, ``<none>`` when empty."""
    if not labels:
        return "<none>"
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def selector_text(selector: dict | None) -> str:
    """``metav1.LabelSelectorAsSelector(sel).String()`` (empty for an empty selector)."""
    text = format_label_selector(selector)
    return "" if text == "<none>" else text


def containers(pod_spec: dict) -> tuple[str, str]:
    """The CONTAINERS and IMAGES cells of ``-o wide``: names and images joined by commas."""
    cs = pod_spec.get("containers") or []
    return ",".join(c.get("name", "") for c in cs), ",".join(c.get("image", "") for c in cs)


def template_spec(obj: dict) -> dict:
    """A workload's pod template spec (empty when missing)."""
    return ((spec_of(obj).get("template") or {}).get("spec")) or {}


def number(value: Any) -> str:
    """A count as its cell: ``0`` when unset."""
    return str(int(value or 0))


def load_balancer_ips(lb: dict | None, wide: bool) -> str:
    """``loadBalancerStatusStringer``: ingress IPs/hostnames, cut to 13 characters + ``...`` unless wide."""
    ips = [i.get("ip") or i.get("hostname") or "" for i in (lb or {}).get("ingress") or []]
    text = ",".join(i for i in ips if i)
    if not wide and len(text) > LOAD_BALANCER_WIDTH:
        text = text[: LOAD_BALANCER_WIDTH - 3] + "..."
    return text
