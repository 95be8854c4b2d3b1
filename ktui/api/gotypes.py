"""What Go's JSON decoder says about a value: JSON value kinds, Go type names, base64 and RFC 3339 errors.

kube-apiserver decodes a body into Go structs with ``sigs.k8s.io/json`` (``encoding/json`` made
case-sensitive); its messages name the JSON value's kind (``number``, ``string``, ``object``...) and the Go
type's ``reflect`` name (``string``, ``int32``, ``[]v1.Container``, ``map[string]string``, ``v1.PodSpec``).
The schemas do not carry Go's named string types, so the common ones a learner meets are listed here.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

__all__ = ["NAMED_TYPES", "LongNumber", "bad_base64_at", "json_kind", "number_text", "time_error"]

NAMED_TYPES: dict[tuple[str, str], str] = {
    ("Container", "imagePullPolicy"): "v1.PullPolicy",
    ("EphemeralContainer", "imagePullPolicy"): "v1.PullPolicy",
    ("PodSpec", "restartPolicy"): "v1.RestartPolicy",
    ("PodSpec", "dnsPolicy"): "v1.DNSPolicy",
    ("PodSpec", "preemptionPolicy"): "v1.PreemptionPolicy",
    ("ContainerPort", "protocol"): "v1.Protocol",
    ("ServicePort", "protocol"): "v1.Protocol",
    ("EndpointPort", "protocol"): "v1.Protocol",
    ("ServiceSpec", "type"): "v1.ServiceType",
    ("ServiceSpec", "sessionAffinity"): "v1.ServiceAffinity",
    ("ServiceSpec", "externalTrafficPolicy"): "v1.ServiceExternalTrafficPolicy",
    ("ServiceSpec", "internalTrafficPolicy"): "v1.ServiceInternalTrafficPolicy",
    ("Toleration", "operator"): "v1.TolerationOperator",
    ("Toleration", "effect"): "v1.TaintEffect",
    ("Taint", "effect"): "v1.TaintEffect",
    ("NodeSelectorRequirement", "operator"): "v1.NodeSelectorOperator",
    ("LabelSelectorRequirement", "operator"): "v1.LabelSelectorOperator",
    ("DeploymentStrategy", "type"): "v1.DeploymentStrategyType",
    ("DaemonSetUpdateStrategy", "type"): "v1.DaemonSetUpdateStrategyType",
    ("StatefulSetUpdateStrategy", "type"): "v1.StatefulSetUpdateStrategyType",
    ("StatefulSetSpec", "podManagementPolicy"): "v1.PodManagementPolicyType",
    ("CronJobSpec", "concurrencyPolicy"): "v1.ConcurrencyPolicy",
    ("JobSpec", "completionMode"): "v1.CompletionMode",
    ("PodStatus", "phase"): "v1.PodPhase",
    ("NamespaceStatus", "phase"): "v1.NamespacePhase",
    ("PodCondition", "type"): "v1.PodConditionType",
    ("PodCondition", "status"): "v1.ConditionStatus",
    ("NodeCondition", "type"): "v1.NodeConditionType",
    ("NodeCondition", "status"): "v1.ConditionStatus",
    ("PersistentVolumeClaimSpec", "accessModes"): "[]v1.PersistentVolumeAccessMode",
    ("Capabilities", "add"): "[]v1.Capability",
    ("Capabilities", "drop"): "[]v1.Capability",
    ("NamespaceSpec", "finalizers"): "[]v1.FinalizerName",
}
"""``(Go struct, JSON field)`` -> the Go type name where it is a named type rather than ``string``."""


class LongNumber(str):
    """A JSON integer literal too long for Python's int (over 4,300 digits), kept as its text; Go reads it
    as a number that fits no integer type (a quantity field parses it as a quantity)."""


_KINDS = {
    str: "string",
    bool: "bool",
    int: "number",
    float: "number",
    dict: "object",
    list: "array",
    tuple: "array",
    LongNumber: "number",
}


def json_kind(value: Any) -> str:
    """The JSON kind Go names in ``cannot unmarshal KIND into ...`` (``string``, ``number``, ``object``...)."""
    return _KINDS.get(type(value)) or ("null" if value is None else type(value).__name__)


def number_text(value: int | float) -> str:
    """A JSON number's literal as Go quotes it in ``cannot unmarshal number 1.5 into ...``."""
    if isinstance(value, LongNumber):
        return str.__str__(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return repr(value)
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if value.bit_length() > 4000:
        return "(a number too long to show)"
    return str(value)


_B64 = re.compile(r"[A-Za-z0-9+/]*")


def bad_base64_at(text: str) -> int | None:
    """Where Go's ``base64.StdEncoding`` stops on ``text`` (``illegal base64 data at input byte N``), or None.

    Newlines are skipped as Go skips them; padding is required.
    """
    s = text.replace("\r", "").replace("\n", "")
    body = s.rstrip("=")
    pad = len(s) - len(body)
    m = _B64.match(body)
    end = m.end() if m else 0
    if end < len(body):
        return end
    if pad > 2 or (len(s) % 4) != 0 or (pad and len(body) % 4 in (0, 1)):
        return (len(body) // 4) * 4 if len(s) % 4 else len(body)
    return None


_LAYOUT = "2006-01-02T15:04:05Z07:00"
_STEPS = [
    ("2006", re.compile(r"\d{4}")),
    ("-", None),
    ("01", re.compile(r"\d{2}")),
    ("-", None),
    ("02", re.compile(r"\d{2}")),
    ("T", None),
    ("15", re.compile(r"\d{1,2}")),
    (":", None),
    ("04", re.compile(r"\d{2}")),
    (":", None),
    ("05", re.compile(r"\d{2}(?:\.\d+)?")),
    ("Z07:00", re.compile(r"Z|[+-]\d{2}:\d{2}")),
]
_RANGES = {
    "01": ("month", 1, 12),
    "02": ("day", 1, 31),
    "15": ("hour", 0, 23),
    "04": ("minute", 0, 59),
    "05": ("second", 0, 59),
}


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


_CANONICAL = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})"
)
"""The usual shape of a timestamp: when it matches and its fields are in range, the full parse agrees."""


def time_error(text: str) -> str | None:
    """Go's ``time.Parse(time.RFC3339, text)`` error text, or None when ``text`` is a valid timestamp."""
    if type(text) is str:
        return _time_error_cached(text)  # a kubelet stamps many fields with the same second
    return _time_error(text)


@functools.lru_cache(maxsize=4096)
def _time_error_cached(text: str) -> str | None:
    return _time_error(text)


def _time_error(text: str) -> str | None:
    m = _CANONICAL.fullmatch(text)
    if m is not None:
        _, mo, d, h, mi, sec = m.groups()
        if "01" <= mo <= "12" and "01" <= d <= "31" and h <= "23" and mi <= "59" and sec <= "59":
            return None
    rest = text
    for i, (elem, rx) in enumerate(_STEPS):
        if rx is None:
            if not rest.startswith(elem):
                layout_rest = _LAYOUT[sum(len(e) for e, _ in _STEPS[:i]) :]
                literal = layout_rest[: len(elem)] if _STEPS[i + 1][1] is not None else layout_rest
                return f"parsing time {_quote(text)} as {_quote(_LAYOUT)}: cannot parse {_quote(rest)} as {_quote(literal)}"
            rest = rest[len(elem) :]
            continue
        m = rx.match(rest)
        if m is None:
            return f"parsing time {_quote(text)} as {_quote(_LAYOUT)}: cannot parse {_quote(rest)} as {_quote(elem)}"
        if elem in _RANGES:
            name, lo, hi = _RANGES[elem]
            if not lo <= int(float(m.group(0))) <= hi:
                return f"parsing time {_quote(text)}: {name} out of range"
        rest = rest[m.end() :]
    if rest:
        return f"parsing time {_quote(text)}: extra text: {_quote(rest)}"
    return None
