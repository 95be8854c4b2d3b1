"""``kubectl describe horizontalpodautoscaler`` (autoscaling/v2): metrics as current / target, behavior, conditions."""

from __future__ import annotations

from ktui.api.quantity import canonical_quantity
from ktui.kubectl.describe.base import Writer, annotations_multiline, labels_multiline, rfc1123z

__all__ = ["describe_hpa"]

_UNKNOWN = "<unknown>"


def _q(value: object) -> str:
    return canonical_quantity(str(value)) if value is not None else "0"


def _current(hpa: dict, i: int, source: str) -> dict | None:
    current = (hpa.get("status") or {}).get("currentMetrics") or []
    if len(current) > i and current[i].get(source) is not None:
        return (current[i][source].get("current")) or {}
    return None


def _percent(w: Writer, hpa: dict, i: int, source: str, target: dict) -> None:
    """The ``(as a percentage of request)`` tail of a (container) resource metric, or its average value."""
    now = _current(hpa, i, source)
    if target.get("averageValue") is not None:
        w.write(
            0, f":\t{_q(now.get('averageValue')) if now is not None else _UNKNOWN} / {_q(target['averageValue'])}\n"
        )
        return
    shown = _UNKNOWN
    if now is not None and now.get("averageUtilization") is not None:
        shown = f"{now['averageUtilization']}% ({_q(now.get('averageValue'))})"
    goal = f"{target['averageUtilization']}%" if target.get("averageUtilization") is not None else "<auto>"
    w.write(1, f"(as a percentage of request):\t{shown} / {goal}\n")


def _metric(w: Writer, hpa: dict, i: int, m: dict) -> None:
    kind = m.get("type", "")
    if kind == "External":
        ext = m.get("external") or {}
        name, target, now = (
            (ext.get("metric") or {}).get("name", ""),
            ext.get("target") or {},
            _current(hpa, i, "external"),
        )
        if target.get("averageValue") is not None:
            shown = _q(now["averageValue"]) if now is not None and now.get("averageValue") is not None else _UNKNOWN
            w.write(1, f'"{name}" (target average value):\t{shown} / {_q(target["averageValue"])}\n')
        else:
            shown = _q(now.get("value")) if now is not None else _UNKNOWN
            w.write(1, f'"{name}" (target value):\t{shown} / {_q(target.get("value"))}\n')
    elif kind == "Pods":
        pods = m.get("pods") or {}
        now = _current(hpa, i, "pods")
        shown = _q(now.get("averageValue")) if now is not None else _UNKNOWN
        w.write(
            1,
            f'"{(pods.get("metric") or {}).get("name", "")}" on pods:\t{shown} / '
            f"{_q((pods.get('target') or {}).get('averageValue'))}\n",
        )
    elif kind == "Object":
        obj = m.get("object") or {}
        described, target, now = obj.get("describedObject") or {}, obj.get("target") or {}, _current(hpa, i, "object")
        w.write(
            1,
            f'"{(obj.get("metric") or {}).get("name", "")}" on {described.get("kind", "")}/'
            f"{described.get('name', '')} ",
        )
        if target.get("type") == "AverageValue":
            shown = _q(now.get("averageValue")) if now is not None else _UNKNOWN
            w.write(0, f"(target average value):\t{shown} / {_q(target.get('averageValue'))}\n")
        else:
            shown = _q(now.get("value")) if now is not None else _UNKNOWN
            w.write(0, f"(target value):\t{shown} / {_q(target.get('value'))}\n")
    elif kind == "Resource":
        res = m.get("resource") or {}
        w.write(1, f"resource {res.get('name', '')} on pods")
        _percent(w, hpa, i, "resource", res.get("target") or {})
    elif kind == "ContainerResource":
        res = m.get("containerResource") or {}
        w.write(1, f'resource {res.get("name", "")} of container "{res.get("container", "")}" on pods')
        _percent(w, hpa, i, "containerResource", res.get("target") or {})
    else:
        w.write(1, f'<unknown metric type "{kind}">\n')


def _direction(w: Writer, title: str, rules: dict | None) -> None:
    if rules is None:
        return
    w.write(1, f"{title}:\n")
    if rules.get("stabilizationWindowSeconds") is not None:
        w.write(2, f"Stabilization Window: {rules['stabilizationWindowSeconds']} seconds\n")
    policies = rules.get("policies") or []
    if policies:
        w.write(2, f"Select Policy: {rules.get('selectPolicy') or 'Max'}\n")
        w.write(2, "Policies:\n")
        for p in policies:
            w.write(
                3,
                f"- Type: {p.get('type', '')}\tValue: {p.get('value', 0)}\tPeriod: {p.get('periodSeconds', 0)} seconds\n",
            )


def describe_hpa(w: Writer, hpa: dict) -> None:
    """``describeHorizontalPodAutoscalerV2``."""
    md, spec, st = hpa.get("metadata") or {}, hpa.get("spec") or {}, hpa.get("status") or {}
    ref = spec.get("scaleTargetRef") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{rfc1123z(md.get('creationTimestamp'))}\n")
    w.write(0, f"Reference:\t{ref.get('kind', '')}/{ref.get('name', '')}\n")
    w.write(0, "Metrics:\t( current / target )\n")
    for i, m in enumerate(spec.get("metrics") or []):
        _metric(w, hpa, i, m)
    minimum = spec.get("minReplicas")
    w.write(0, f"Min replicas:\t{minimum if minimum is not None else '<unset>'}\n")
    w.write(0, f"Max replicas:\t{spec.get('maxReplicas', 0)}\n")
    behavior = spec.get("behavior")
    if behavior is not None:
        w.write(0, "Behavior:\n")
        _direction(w, "Scale Up", behavior.get("scaleUp"))
        _direction(w, "Scale Down", behavior.get("scaleDown"))
    w.write(0, f"{ref.get('kind', '')} pods:\t")
    w.write(0, f"{st.get('currentReplicas', 0)} current / {st.get('desiredReplicas', 0)} desired\n")
    conditions = st.get("conditions") or []
    if conditions:
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tReason\tMessage\n")
        w.write(1, "----\t------\t------\t-------\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')}\t{c.get('status', '')}\t{c.get('reason', '')}\t{c.get('message', '')}\n")
