"""The HorizontalPodAutoscaler controller: every 15 s, the target's replicas from the metrics API.

As pkg/controller/podautoscaler/horizontal.go (v1.37). Each HPA is synced ``--horizontal-pod-autoscaler-
sync-period`` (15s) after it is first seen and then every period: read the target's ``/scale``; if its
replicas are outside [min, max] bring them back; else compute a proposal per metric (Resource and
ContainerResource from ``metrics.k8s.io``, which answers only while metrics-server runs; Pods, Object and
External metrics need adapters ktui does not run, so they fail with the real messages), take the largest,
normalize it (:mod:`hpa_behavior`), write ``/scale`` and the HPA's status, and record the Events
(``SuccessfulRescale``, ``FailedGetScale``, ``FailedGetResourceMetric``, ``FailedComputeMetricsReplicas``).

Simulated usage is what :mod:`ktui.api.metrics` reports: a fixed share of each container's request (CPU 30%,
memory 60%), so utilization never changes with load and an HPA settles deterministically. ktui has no load
generator or load fault: a scenario makes an HPA scale by moving its target across that usage (a 20% CPU
target scales up, 90% scales down), or, for an ``AverageValue`` target, by changing the pods' requests.
"""

from __future__ import annotations

from ktui.api.errors import ApiError
from ktui.api.labels import parse_label_selector
from ktui.api.objects import copy_json
from ktui.api.quantity import Quantity
from ktui.api.registry import REGISTRY
from ktui.components.base import Controller
from ktui.components.controllers.hpa_behavior import History, normalize, normalize_with_behavior
from ktui.components.controllers.hpa_replicas import (
    MetricsError,
    Tolerance,
    pod_metrics_from_api,
    raw_resource_replicas,
    resource_replicas,
)
from ktui.sim.timefmt import parse_duration, rfc3339

__all__ = ["HorizontalPodAutoscalerController", "set_condition"]

_NO_CUSTOM = "unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered"


class _Failed(Exception):
    """One metric that could not be computed: the reason, the inner error (its Event and the condition's
    message) and the error ``computeReplicasForMetric`` returns (``outer``, the inner one wrapped)."""

    def __init__(self, reason: str, message: str, outer: str = "") -> None:
        super().__init__(message)
        self.reason, self.outer = reason, outer or message


class _NoMatch(Exception):
    """A scale target kind the REST mapper does not know."""


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


class HorizontalPodAutoscalerController(Controller):
    """kube-controller-manager's ``horizontalpodautoscaling`` controller.

    Args:
        ctx: the component context; its ``horizontal-pod-autoscaler-*`` flags.
        informers: the shared informer factory.
    """

    name = "horizontal-pod-autoscaler"
    FLAGS = {
        "horizontal-pod-autoscaler-sync-period": "15s",
        "horizontal-pod-autoscaler-downscale-stabilization": "5m0s",
        "horizontal-pod-autoscaler-tolerance": 0.1,
        "horizontal-pod-autoscaler-cpu-initialization-period": "5m0s",
        "horizontal-pod-autoscaler-initial-readiness-delay": "30s",
    }
    """kube-controller-manager flags this controller reads, with their defaults."""

    def __init__(self, ctx, informers=None) -> None:
        super().__init__(ctx, informers)
        flags = {**self.FLAGS, **(ctx.flags or {})}
        self.sync_period = parse_duration(str(flags["horizontal-pod-autoscaler-sync-period"]))
        self.downscale_window = parse_duration(str(flags["horizontal-pod-autoscaler-downscale-stabilization"]))
        self.tolerance = float(flags["horizontal-pod-autoscaler-tolerance"])
        self.cpu_init = parse_duration(str(flags["horizontal-pod-autoscaler-cpu-initialization-period"]))
        self.readiness_delay = parse_duration(str(flags["horizontal-pod-autoscaler-initial-readiness-delay"]))
        self.history: dict[str, History] = {}
        self.hpas = self.informer("horizontalpodautoscalers")
        self.hpas.add_handler(self._later, self._on_update, None)
        self.pods = self.informer("pods")

    def _later(self, hpa: dict) -> None:
        """``AddRateLimited``: every sync waits one period (a key already waiting keeps its earlier time)."""
        md = hpa.get("metadata") or {}
        self.queue.add_after(f"{md.get('namespace')}/{md.get('name')}", self.sync_period)

    def _on_update(self, old: dict, new: dict) -> None:
        self._later(new)

    def reconcile(self, key: str) -> None:
        shared = self.hpas.get(key)
        if shared is None:
            self.history.pop(key, None)
            return
        self.queue.add_after(key, self.sync_period)
        self._sync(key, shared)

    # ------------------------------------------------------------------------------------------ one sync

    def _event(self, hpa: dict, type_: str, reason: str, message: str) -> None:
        self.recorder.event(hpa, type_, reason, message)

    def _save(self, original: dict, hpa: dict) -> None:
        """``updateStatusIfNeeded``."""
        if hpa["status"] == original:
            return
        try:
            self.client.update("horizontalpodautoscalers", hpa, subresource="status")
        except ApiError as e:
            self._event(hpa, "Warning", "FailedUpdateStatus", e.message)

    def _scale_target(self, hpa: dict) -> tuple[str, dict]:
        """The target's resource and its ``Scale`` (``scaleForResourceMappings``)."""
        ref = hpa["spec"].get("scaleTargetRef") or {}
        api_version = ref.get("apiVersion") or ""
        group = api_version.split("/")[0] if "/" in api_version else ""
        kind = ref.get("kind", "")
        r = next((r for r in REGISTRY if r.kind == kind and r.group == group), None)
        if r is None:
            raise _NoMatch(f'no matches for kind "{kind}" in group "{group}"')
        scale = self.client.get(
            r.group_resource, ref.get("name", ""), hpa["metadata"]["namespace"], subresource="scale"
        )
        return r.group_resource, scale

    def _sync(self, key: str, shared: dict) -> None:
        now = self.ctx.now
        hpa = copy_json(shared)
        hpa.setdefault("status", {})
        original = copy_json(hpa["status"])
        spec = hpa["spec"]
        try:
            resource, scale = self._scale_target(hpa)
        except (ApiError, _NoMatch) as e:
            why = e.message if isinstance(e, ApiError) else str(e)
            self._event(hpa, "Warning", "FailedGetScale", why)
            set_condition(
                hpa,
                "AbleToScale",
                "False",
                "FailedGetScale",
                f"the HPA controller was unable to get the target's current scale: {why}",
                now,
            )
            self._save(original, hpa)
            return
        set_condition(
            hpa,
            "AbleToScale",
            "True",
            "SucceededGetScale",
            "the HPA controller was able to get the target's current scale",
            now,
        )
        current = int((scale.get("spec") or {}).get("replicas") or 0)
        history = self.history.setdefault(key, History())
        history.record_initial(current, now)
        minimum = spec.get("minReplicas")
        minimum = 1 if minimum is None else int(minimum)
        maximum = int(spec.get("maxReplicas") or 0)
        statuses: list[dict] = []
        rescale, reason, desired = True, "", 0
        if current == 0 and minimum != 0:
            rescale = False
            set_condition(
                hpa,
                "ScalingActive",
                "False",
                "ScalingDisabled",
                "scaling is disabled since the replica count of the target is zero",
                now,
            )
        elif current > maximum:
            reason, desired = "Current number of replicas above Spec.MaxReplicas", maximum
        elif current < minimum:
            reason, desired = "Current number of replicas below Spec.MinReplicas", minimum
        else:
            proposal, metric, statuses, error = self._metrics(hpa, scale, now)
            if proposal == -1:
                self._set_status(hpa, current, hpa["status"].get("desiredReplicas", 0), statuses, False, now)
                self._save(original, hpa)
                self._event(hpa, "Warning", "FailedComputeMetricsReplicas", error)
                return
            desired = max(desired, proposal)
            if desired > current:
                reason = f"{metric} above target"
            if desired < current:
                reason = "All metrics below target"
            behavior = spec.get("behavior")
            if behavior is None:
                desired, conds = normalize(history, now, self.downscale_window, current, desired, minimum, maximum)
            else:
                desired, conds = normalize_with_behavior(
                    history, now, behavior, self.downscale_window, current, desired, minimum, maximum
                )
            for c in conds:
                set_condition(hpa, *c, now)
            rescale = desired != current
        if rescale:
            new_scale = copy_json(scale)
            new_scale["spec"]["replicas"] = desired
            try:
                self.client.update(resource, new_scale, hpa["metadata"]["namespace"], subresource="scale")
            except ApiError as e:
                self._event(
                    hpa, "Warning", "FailedRescale", f"New size: {desired}; reason: {reason}; error: {e.message}"
                )
                set_condition(
                    hpa,
                    "AbleToScale",
                    "False",
                    "FailedUpdateScale",
                    f"the HPA controller was unable to update the target scale: {e.message}",
                    now,
                )
                self._set_status(hpa, current, hpa["status"].get("desiredReplicas", 0), statuses, False, now)
                self._save(original, hpa)
                return
            set_condition(
                hpa,
                "AbleToScale",
                "True",
                "SucceededRescale",
                f"the HPA controller was able to update the target scale to {desired}",
                now,
            )
            self._event(hpa, "Normal", "SuccessfulRescale", f"New size: {desired}; reason: {reason}")
            history.store_scale_event(spec.get("behavior"), current, desired, now)
        else:
            desired = current
        self._set_status(hpa, current, desired, statuses, rescale, now)
        self._save(original, hpa)

    @staticmethod
    def _set_status(hpa: dict, current: int, desired: int, metrics: list[dict], rescale: bool, now: float) -> None:
        """``setStatus``: the fields in the order the API serializes them."""
        old = hpa["status"]
        status: dict = {}
        if old.get("observedGeneration") is not None:
            status["observedGeneration"] = old["observedGeneration"]
        last = rfc3339(now) if rescale else old.get("lastScaleTime")
        if last:
            status["lastScaleTime"] = last
        if current:
            status["currentReplicas"] = current
        status["desiredReplicas"] = desired
        status["currentMetrics"] = metrics or None
        if old.get("conditions"):
            status["conditions"] = old["conditions"]
        hpa["status"] = status

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
