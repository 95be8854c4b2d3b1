"""The HPA controller's metrics step: a replica proposal per metric of an HPA, its status, its failure.

As horizontal.go's ``computeReplicasForMetrics`` (v1.37): Resource and ContainerResource metrics come from
``metrics.k8s.io`` (served while metrics-server runs) through the replica calculator (:mod:`hpa_replicas`);
Pods and Object metrics need a custom metrics adapter and External ones an external metrics adapter, which ktui
does not run, so they fail with the controller's messages. A failed metric leaves an empty status entry, an
Event, and (when it decides) the ``ScalingActive`` condition.
"""

from __future__ import annotations

from typing import Any, Callable

from ktui.api.errors import ApiError
from ktui.api.label_parser import parse_label_selector
from ktui.api.quantity import Quantity
from ktui.components.controllers.hpa_replicas import (
    MetricsError,
    Tolerance,
    pod_metrics_from_api,
    raw_resource_replicas,
    resource_replicas,
)
from ktui.sim.timefmt import rfc3339

__all__ = ["MetricsStep", "set_condition"]

_NO_CUSTOM = "unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered"


class _Failed(Exception):
    """One metric that could not be computed: the reason, the inner error (its Event and the condition's
    message) and the error ``computeReplicasForMetric`` returns (``outer``, the inner one wrapped)."""

    def __init__(self, reason: str, message: str, outer: str = "") -> None:
        super().__init__(message)
        self.reason, self.outer = reason, outer or message


def set_condition(hpa: dict, ctype: str, status: str, reason: str, message: str, now: float) -> None:
    """``setCondition``: update or append a condition; ``lastTransitionTime`` moves only when the status does."""
    conds = hpa["status"].setdefault("conditions", [])
    cond = next((c for c in conds if c.get("type") == ctype), None)
    if cond is None:
        cond = {"type": ctype}
        conds.append(cond)
    if cond.get("status") != status:
        cond["lastTransitionTime"] = rfc3339(now)
    new = {"type": ctype, "status": status, "lastTransitionTime": cond.get("lastTransitionTime")}
    new.update(reason=reason, message=message)
    cond.clear()
    cond.update(new)


class MetricsStep:
    """The metric computations of :class:`~ktui.components.controllers.hpa.HorizontalPodAutoscalerController`
    (a mixin: it uses the controller's client, pods informer, event recorder and flags)."""

    client: Any
    pods: Any
    """The pods informer."""
    tolerance: float
    cpu_init: float
    readiness_delay: float

    _event: Callable[[dict, str, str, str], None]
    """The controller's Event recorder: ``(hpa, type, reason, message)``."""

    # ------------------------------------------------------------------------------------------ metrics

    def _metrics(self, hpa: dict, scale: dict, now: float) -> tuple[int, str, list[dict], str]:
        """``computeReplicasForMetrics``: (replicas or -1, the metric that decided, statuses, error)."""
        specs = hpa["spec"].get("metrics") or []
        selector_text = (scale.get("status") or {}).get("selector") or ""
        if not selector_text:
            self._event(hpa, "Warning", "SelectorRequired", "selector is required")
            set_condition(
                hpa, "ScalingActive", "False", "InvalidSelector", "the HPA target's scale is missing a selector", now
            )
            return -1, "", [], "selector is required"
        selector = parse_label_selector(selector_text)
        spec_replicas = int((scale.get("spec") or {}).get("replicas") or 0)
        statuses: list[dict] = [{"type": ""} for _ in specs]
        replicas, metric, invalid, first_error, first_cond = 0, "", 0, "", None
        for i, m in enumerate(specs):
            try:
                proposal, name, statuses[i] = self._metric(hpa, m, spec_replicas, selector, selector_text, now)
            except _Failed as e:
                self._event(hpa, "Warning", e.reason, str(e))
                if invalid == 0:
                    first_error = e.outer
                    first_cond = (e.reason, f"the HPA was unable to compute the replica count: {e}")
                invalid += 1
                continue
            if replicas == 0 or proposal > replicas:
                replicas, metric = proposal, name
        error = (
            f"invalid metrics ({invalid} invalid out of {len(specs)}), first error is: {first_error}" if invalid else ""
        )
        if first_cond is not None and (invalid >= len(specs) or replicas < spec_replicas):
            set_condition(hpa, "ScalingActive", "False", first_cond[0], first_cond[1], now)
            return -1, "", statuses, error
        set_condition(
            hpa,
            "ScalingActive",
            "True",
            "ValidMetricFound",
            f"the HPA was able to successfully calculate a replica count from {metric}",
            now,
        )
        return replicas, metric, statuses, error

    def _metric(
        self, hpa: dict, m: dict, current: int, selector, selector_text: str, now: float
    ) -> tuple[int, str, dict]:
        """``computeReplicasForMetric``: one metric's (proposal, name, status).

        Raises:
            _Failed: the metric could not be computed.
        """
        kind = m.get("type", "")
        ns = hpa["metadata"]["namespace"]
        if kind in ("Resource", "ContainerResource"):
            source = m.get("resource" if kind == "Resource" else "containerResource") or {}
            container = source.get("container", "") if kind == "ContainerResource" else ""
            reason = "FailedGetResourceMetric" if kind == "Resource" else "FailedGetContainerResourceMetric"
            try:
                proposal, name, current_value = self._resource(
                    source, container, current, ns, selector, selector_text, now, kind, hpa["spec"].get("behavior")
                )
            except MetricsError as e:
                raise _Failed(reason, str(e)) from None
            key = "resource" if kind == "Resource" else "containerResource"
            status = {"name": source.get("name", "")}
            if container:
                status["container"] = container
            status["current"] = current_value
            return proposal, name, {"type": kind, key: status}
        if kind == "Pods":
            name = ((m.get("pods") or {}).get("metric") or {}).get("name", "")
            inner = f"unable to get metric {name}: {_NO_CUSTOM}"
            raise _Failed("FailedGetPodsMetric", inner, f"failed to get pods metric value: {inner}")
        if kind == "Object":
            obj = m.get("object") or {}
            name = (obj.get("metric") or {}).get("name", "")
            described = obj.get("describedObject") or {}
            inner = (
                f"unable to get metric {name}: {described.get('kind', '')} on {ns} {described.get('name', '')}/"
                f"{_NO_CUSTOM}"
            )
            raise _Failed("FailedGetObjectMetric", inner, f"failed to get object metric value: {inner}")
        if kind == "External":
            ext = m.get("external") or {}
            name = (ext.get("metric") or {}).get("name", "")
            inner = (
                f"unable to get external metric {ns}/{name}/nil: unable to fetch metrics from external metrics API: "
                f"the server could not find the requested resource (get {name}.external.metrics.k8s.io)"
            )
            per_pod = (ext.get("target") or {}).get("averageValue") is not None
            outer = (
                f"failed to get {name} external metric: {inner}"
                if per_pod
                else (f"failed to get external metric {name}: {inner}")
            )
            raise _Failed("FailedGetExternalMetric", inner, outer)
        raise _Failed("InvalidMetricSourceType", f'unknown metric source type "{kind}"')

    def _resource(
        self,
        source: dict,
        container: str,
        current: int,
        ns: str,
        selector,
        selector_text: str,
        now: float,
        kind: str,
        behavior: dict | None,
    ) -> tuple[int, str, dict]:
        """``computeStatusForResourceMetricGeneric``: (proposal, metric name, ``current`` of the status)."""
        resource, target = source.get("name", ""), source.get("target") or {}
        tolerance = self._tolerance(behavior)
        pods = [p for p in self.pods.list(ns) if selector.matches(p["metadata"].get("labels") or {})]
        pods.sort(key=lambda p: p["metadata"]["name"])
        if target.get("averageValue") is not None:
            try:
                metrics = self._fetch(resource, ns, selector_text, container)
                replicas, usage = self._raw(current, target, resource, metrics, pods, now, tolerance)
            except MetricsError as e:
                raise MetricsError(f"failed to get {resource} usage: {e}") from None
            return replicas, f"{resource} resource", {"averageValue": _milli(usage)}
        if target.get("averageUtilization") is None:
            raise MetricsError(
                "invalid resource metric source: neither an average utilization target nor an average value "
                "(usage) target was set"
            )
        try:
            metrics = self._fetch(resource, ns, selector_text, container)
            replicas, utilization, raw = resource_replicas(
                current,
                int(target["averageUtilization"]),
                resource,
                metrics,
                pods,
                now,
                tolerance,
                container,
                self.cpu_init,
                self.readiness_delay,
            )
        except MetricsError as e:
            raise MetricsError(f"failed to get {resource} utilization: {e}") from None
        where = "container resource" if kind == "ContainerResource" else "resource"
        return (
            replicas,
            f"{resource} {where} utilization (percentage of request)",
            {"averageValue": _milli(raw), "averageUtilization": utilization},
        )

    def _raw(self, current, target, resource, metrics, pods, now, tolerance) -> tuple[int, int]:
        return raw_resource_replicas(
            current,
            Quantity.parse(target["averageValue"]).milli_value(),
            resource,
            metrics,
            pods,
            now,
            tolerance,
            self.cpu_init,
            self.readiness_delay,
        )

    def _tolerance(self, behavior: dict | None) -> Tolerance:
        """The flag's tolerance, or a behavior rule's ``tolerance`` (HPAConfigurableTolerance) for its direction."""
        down = up = self.tolerance
        for key in ("scaleDown", "scaleUp"):
            given = ((behavior or {}).get(key) or {}).get("tolerance")
            if given is not None:
                value = float(Quantity.parse(given).value)
                down, up = (value, up) if key == "scaleDown" else (down, value)
        return Tolerance(down, up)

    def _fetch(self, resource: str, ns: str, selector_text: str, container: str) -> dict:
        """``GetResourceMetric``: the pods' usage from ``metrics.k8s.io``."""
        prefix = f"unable to get metrics for resource {resource}: "
        try:
            items = self.client.metrics("pods", ns, label_selector=selector_text).get("items") or []
        except ApiError as e:
            detail = e.message
            if e.code == 404 and detail == "the server could not find the requested resource":
                detail += " (get pods.metrics.k8s.io)"
            raise MetricsError(f"{prefix}unable to fetch metrics from resource metrics API: {detail}") from None
        if not items:
            raise MetricsError(f"{prefix}no metrics returned from resource metrics API")
        try:
            return pod_metrics_from_api(items, resource, container)
        except MetricsError as e:
            raise MetricsError(f"{prefix}{e}") from None


def _milli(value: int) -> str:
    """A milli-unit amount as ``resource.NewMilliQuantity(v, DecimalSI)`` prints it."""
    return str(Quantity.parse(f"{value}m")) if value % 1000 else str(value // 1000)
