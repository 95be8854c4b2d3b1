"""What the Endpoints and EndpointSlice controllers share: which Services a pod change concerns."""

from __future__ import annotations

from typing import Any

from ktui.api.labels import selector_from_set
from ktui.api.objects import is_pod_ready
from ktui.components.base import Controller

__all__ = ["ServicePodsController", "pod_endpoint_view"]


def pod_endpoint_view(pod: dict) -> tuple:
    """What of a pod a Service's endpoints depend on (podEndpointsChanged + label changes)."""
    md = pod.get("metadata") or {}
    status = pod.get("status") or {}
    spec = pod.get("spec") or {}
    return (
        md.get("labels"),
        bool(md.get("deletionTimestamp")),
        status.get("podIP"),
        status.get("phase"),
        is_pod_ready(pod),
        spec.get("nodeName"),
        spec.get("hostname"),
        spec.get("subdomain"),
        [c.get("ports") for c in spec.get("containers") or []],
    )


class ServicePodsController(Controller):
    """Watches Services and pods and queues the key of every Service whose selected pods changed, noting
    when the first unsynced change happened (``endpoints.kubernetes.io/last-change-trigger-time``)."""

    def __init__(self, ctx: Any, informers: Any = None) -> None:
        super().__init__(ctx, informers)
        self.services = self.informer("services")
        self.pods = self.informer("pods")
        self.services.add_handler(self._on_service, self._on_service_update, self._on_service)
        self.pods.add_handler(self._on_pod, self._on_pod_update, self._on_pod)
        self.trigger: dict[str, float] = {}
        """The earliest unsynced change per Service key (last-change-trigger-time)."""

    def _note(self, key: str) -> None:
        now = self.ctx.now
        if key not in self.trigger or self.trigger[key] > now:
            self.trigger[key] = now
        self.queue.add(key)

    def _on_service(self, svc: dict) -> None:
        self._note(f"{svc['metadata']['namespace']}/{svc['metadata']['name']}")

    def _on_service_update(self, old: dict, new: dict) -> None:
        self._on_service(new)

    def _services_for(self, pod: dict) -> list[str]:
        ns = pod["metadata"].get("namespace", "")
        labels = (pod.get("metadata") or {}).get("labels") or {}
        return [
            f"{ns}/{s['metadata']['name']}"
            for s in self.services.list(ns)
            if (s.get("spec") or {}).get("selector") and selector_from_set(s["spec"]["selector"]).matches(labels)
        ]

    def _on_pod(self, pod: dict) -> None:
        for key in self._services_for(pod):
            self._note(key)

    def _on_pod_update(self, old: dict, new: dict) -> None:
        if pod_endpoint_view(old) == pod_endpoint_view(new):
            return
        keys = dict.fromkeys(self._services_for(new))
        keys.update(dict.fromkeys(self._services_for(old)))
        for key in keys:
            self._note(key)
