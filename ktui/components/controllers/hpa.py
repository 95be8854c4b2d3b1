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
from ktui.api.objects import copy_json
from ktui.api.registry import REGISTRY
from ktui.components.base import Controller
from ktui.components.controllers.hpa_behavior import History, normalize, normalize_with_behavior
from ktui.components.controllers.hpa_metrics import MetricsStep, set_condition
from ktui.sim.timefmt import parse_duration, rfc3339

__all__ = ["HorizontalPodAutoscalerController", "set_condition"]


class _NoMatch(Exception):
    """A scale target kind the REST mapper does not know."""


class HorizontalPodAutoscalerController(MetricsStep, Controller):
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
