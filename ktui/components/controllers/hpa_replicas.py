"""The HPA's replica calculator: desired replicas from per-pod metrics (pure functions).

As pkg/controller/podautoscaler/replica_calculator.go (v1.37): pods are grouped into ready, unready
(Pending, or for CPU not Ready / still warming up), missing (no metric) and ignored (deleted or Failed);
the usage ratio is computed over the pods with metrics; within the tolerance (0.1) nothing changes; with
missing or unready pods the ratio is recomputed assuming the worst for the proposed direction (missing pods
at 100% of their request on a scale down, 0 on a scale up), and a change that would flip direction is
dropped. Errors carry the controller's exact messages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ktui.api.quantity import Quantity
from ktui.sim.timefmt import parse_rfc3339

__all__ = [
    "MetricsError",
    "PodMetric",
    "Tolerance",
    "group_pods",
    "pod_requests",
    "resource_replicas",
    "raw_resource_replicas",
    "pod_metrics_from_api",
]


class MetricsError(Exception):
    """A replica count that cannot be computed; ``str()`` is the controller's message."""


@dataclass(frozen=True)
class PodMetric:
    """One pod's usage (milli-units) at ``timestamp`` over ``window`` seconds."""

    value: int
    timestamp: float = 0.0
    window: float = 0.0


@dataclass(frozen=True)
class Tolerance:
    """``--horizontal-pod-autoscaler-tolerance`` (or a behavior's ``tolerance``) for each direction."""

    scale_down: float = 0.1
    scale_up: float = 0.1

    def within(self, ratio: float) -> bool:
        return (1.0 - self.scale_down) <= ratio <= (1.0 + self.scale_up)


def pod_metrics_from_api(items: list[dict], resource: str, container: str = "") -> dict[str, PodMetric]:
    """``getPodMetrics``/``getContainerMetrics``: each PodMetrics' summed usage of ``resource`` in milli-units.

    Raises:
        MetricsError: a named container missing from a pod's metrics.
    """
    out: dict[str, PodMetric] = {}
    for m in items:
        containers = m.get("containers") or []
        total, missing = 0, not containers
        if container:
            found = False
            for c in containers:
                if c.get("name") == container:
                    usage = (c.get("usage") or {}).get(resource)
                    if usage is None:
                        missing = True
                    else:
                        total, found = Quantity.parse(usage).milli_value(), True
                    break
            if not found and not missing:
                md = m.get("metadata") or {}
                raise MetricsError(
                    f"failed to get container metrics: container {container} not present in metrics for pod "
                    f"{md.get('namespace', '')}/{md.get('name', '')}"
                )
        else:
            for c in containers:
                usage = (c.get("usage") or {}).get(resource)
                if usage is None:
                    missing = True
                    break
                total += Quantity.parse(usage).milli_value()
        if not missing:
            window = str(m.get("window") or "0s").rstrip("s") or "0"
            out[m["metadata"]["name"]] = PodMetric(total, parse_rfc3339(m["timestamp"]), float(window))
    return out


def _condition(pod: dict, ctype: str) -> dict | None:
    return next((c for c in (pod.get("status") or {}).get("conditions") or [] if c.get("type") == ctype), None)


def group_pods(
    pods: list[dict],
    metrics: dict[str, PodMetric],
    resource: str,
    now: float,
    cpu_initialization_period: float,
    initial_readiness_delay: float,
) -> tuple[int, set[str], set[str], set[str]]:
    """``groupPods``: (ready count, unready, missing, ignored) pod names."""
    ready, unready, missing, ignored = 0, set(), set(), set()
    for pod in pods:
        name, status = pod["metadata"]["name"], pod.get("status") or {}
        if pod["metadata"].get("deletionTimestamp") or status.get("phase") == "Failed":
            ignored.add(name)
            continue
        if status.get("phase") == "Pending":
            unready.add(name)
            continue
        metric = metrics.get(name)
        if metric is None:
            missing.add(name)
            continue
        if resource == "cpu":
            cond, start = _condition(pod, "Ready"), status.get("startTime")
            if cond is None or not start:
                not_ready = True
            else:
                started, moved = parse_rfc3339(start), parse_rfc3339(cond.get("lastTransitionTime") or start)
                if started + cpu_initialization_period > now:
                    not_ready = cond.get("status") == "False" or metric.timestamp < moved + metric.window
                else:
                    not_ready = cond.get("status") == "False" and started + initial_readiness_delay > moved
            if not_ready:
                unready.add(name)
                continue
        ready += 1
    return ready, unready, missing, ignored


def _restartable_init(c: dict) -> bool:
    return c.get("restartPolicy") == "Always"


def pod_requests(pods: list[dict], resource: str, container: str = "") -> dict[str, int]:
    """``calculatePodRequests``: each pod's request of ``resource`` in milli-units.

    Raises:
        MetricsError: a container without a request for ``resource``.
    """
    out: dict[str, int] = {}
    for pod in pods:
        spec = pod.get("spec") or {}
        total = 0
        for c in list(spec.get("containers") or []) + [
            c for c in spec.get("initContainers") or [] if _restartable_init(c)
        ]:
            if container and c.get("name") != container:
                continue
            req = ((c.get("resources") or {}).get("requests") or {}).get(resource)
            if req is None:
                raise MetricsError(
                    f"missing request for {resource} in container {c.get('name', '')} of Pod {pod['metadata']['name']}"
                )
            total += Quantity.parse(req).milli_value()
        out[pod["metadata"]["name"]] = total
    return out


def _utilization(metrics: dict[str, PodMetric], requests: dict[str, int], target: int) -> tuple[float, int, int]:
    """``GetResourceUtilizationRatio``: (ratio to the target, utilization %, average raw value)."""
    used = asked = entries = 0
    for name, m in metrics.items():
        if name not in requests:
            continue
        used, asked, entries = used + m.value, asked + requests[name], entries + 1
    if asked == 0:
        raise MetricsError("no metrics returned matched known pods")
    utilization = used * 100 // asked
    return utilization / target, utilization, used // entries


def _no_pods(pods: list[dict]) -> None:
    if not pods:
        raise MetricsError("no pods returned by selector while calculating replica count")


def _drop(metrics: dict[str, PodMetric], names: set[str]) -> None:
    for n in names:
        metrics.pop(n, None)


def resource_replicas(
    current: int,
    target_utilization: int,
    resource: str,
    metrics: dict[str, PodMetric],
    pods: list[dict],
    now: float,
    tolerance: Tolerance,
    container: str = "",
    cpu_initialization_period: float = 300.0,
    initial_readiness_delay: float = 30.0,
) -> tuple[int, int, int]:
    """``GetResourceReplicas`` after the metrics were fetched: (replicas, utilization %, raw average).

    Raises:
        MetricsError: no pods, no usable metrics, or a missing request.
    """
    _no_pods(pods)
    metrics = dict(metrics)
    ready, unready, missing, ignored = group_pods(
        pods, metrics, resource, now, cpu_initialization_period, initial_readiness_delay
    )
    _drop(metrics, ignored)
    _drop(metrics, unready)
    if not metrics:
        raise MetricsError("did not receive metrics for targeted pods (pods might be unready)")
    requests = pod_requests(pods, resource, container)
    ratio, utilization, raw = _utilization(metrics, requests, target_utilization)
    up_with_unready = bool(unready) and ratio > 1.0
    if not up_with_unready and not missing:
        if tolerance.within(ratio):
            return current, utilization, raw
        return math.ceil(ratio * ready), utilization, raw
    if missing:
        fallback = max(100, target_utilization)
        for n in sorted(missing):
            metrics[n] = PodMetric(requests[n] * fallback // 100 if ratio < 1.0 else 0)
    if up_with_unready:
        for n in sorted(unready):
            metrics[n] = PodMetric(0)
    new_ratio = _utilization(metrics, requests, target_utilization)[0]
    return _settle(current, ratio, new_ratio, len(metrics), tolerance), utilization, raw


def _settle(current: int, ratio: float, new_ratio: float, counted: int, tolerance: Tolerance) -> int:
    """The common end of both calculators: no change within tolerance or when the direction would flip."""
    if tolerance.within(new_ratio) or (ratio < 1.0 < new_ratio) or (ratio > 1.0 > new_ratio):
        return current
    replicas = math.ceil(new_ratio * counted)
    if (new_ratio < 1.0 and replicas > current) or (new_ratio > 1.0 and replicas < current):
        return current
    return replicas


def raw_resource_replicas(
    current: int,
    target_milli: int,
    resource: str,
    metrics: dict[str, PodMetric],
    pods: list[dict],
    now: float,
    tolerance: Tolerance,
    cpu_initialization_period: float = 300.0,
    initial_readiness_delay: float = 30.0,
) -> tuple[int, int]:
    """``GetRawResourceReplicas`` (``calcPlainMetricReplicas``): (replicas, average usage in milli-units).

    Raises:
        MetricsError: no pods or no usable metrics.
    """
    _no_pods(pods)
    metrics = dict(metrics)
    ready, unready, missing, ignored = group_pods(
        pods, metrics, resource, now, cpu_initialization_period, initial_readiness_delay
    )
    _drop(metrics, ignored)
    _drop(metrics, unready)
    if not metrics:
        raise MetricsError("did not receive metrics for targeted pods (pods might be unready)")
    usage = sum(m.value for m in metrics.values()) // len(metrics)
    ratio = usage / target_milli
    up_with_unready = bool(unready) and ratio > 1.0
    if not up_with_unready and not missing:
        if tolerance.within(ratio):
            return current, usage
        return math.ceil(ratio * ready), usage
    for n in sorted(missing):
        metrics[n] = PodMetric(target_milli if ratio < 1.0 else 0)
    if up_with_unready:
        for n in sorted(unready):
            metrics[n] = PodMetric(0)
    new_ratio = (sum(m.value for m in metrics.values()) // len(metrics)) / target_milli
    return _settle(current, ratio, new_ratio, len(metrics), tolerance), usage
