"""The cloud's service controller: LoadBalancer Services get an external IP from a pool.

ktui has no cloud, so it plays the part cloud-provider-kind or MetalLB plays on a laptop: addresses come
from ``172.18.255.200``–``172.18.255.250`` (the node network's top), lowest free first, and are given back
when the Service is deleted or stops being a LoadBalancer. Events as the cloud service controller records
them: ``EnsuringLoadBalancer`` and ``EnsuredLoadBalancer``.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from ktui.api.objects import copy_json
from ktui.components.base import Controller

__all__ = ["ServiceLBController", "DEFAULT_POOL", "pool_addresses"]

DEFAULT_POOL = "172.18.255.200-172.18.255.250"


def pool_addresses(pool: str) -> list[str]:
    """Every address of ``first-last`` (or a CIDR), in order."""
    if "-" in pool:
        first, last = (ipaddress.ip_address(p.strip()) for p in pool.split("-", 1))
        return [str(ipaddress.ip_address(i)) for i in range(int(first), int(last) + 1)]
    return [str(a) for a in ipaddress.ip_network(pool, strict=False).hosts()]


def _ingress_ips(svc: dict) -> list[str]:
    return [i["ip"] for i in ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or [] if i.get("ip")]


class ServiceLBController(Controller):
    """Assigns ``status.loadBalancer.ingress[0].ip`` to each LoadBalancer Service, through services/status."""

    name = "service-controller"
    FLAGS = {"load-balancer-ip-pool": DEFAULT_POOL}
    """Flags this controller reads (ktui's own: the addresses LoadBalancer Services get), with defaults."""

    def __init__(self, ctx: Any, informers: Any = None) -> None:
        super().__init__(ctx, informers)
        self.pool = pool_addresses(str((ctx.flags or {}).get("load-balancer-ip-pool") or DEFAULT_POOL))
        self.services = self.informer("services")
        self.services.add_handler(self.enqueue, self._on_update, self._on_delete)
        self.assigned: dict[str, str] = {}
        """Service key -> its external IP."""

    def _on_update(self, old: dict, new: dict) -> None:
        self.enqueue(new)

    def _on_delete(self, svc: dict) -> None:
        self.assigned.pop(f"{svc['metadata']['namespace']}/{svc['metadata']['name']}", None)

    def reconcile(self, key: str) -> None:
        svc = self.services.get(key)
        if svc is None:
            self.assigned.pop(key, None)
            return
        is_lb = (svc.get("spec") or {}).get("type") == "LoadBalancer"
        current = _ingress_ips(svc)
        if not is_lb:
            self.assigned.pop(key, None)
            if current:
                self._write(svc, {})
            return
        ip = self.assigned.get(key) or (current[0] if current else None)
        if ip is None or ip in {v for k, v in self.assigned.items() if k != key}:
            ip = self._free_ip()
            if ip is None:
                self.recorder.event(
                    svc,
                    "Warning",
                    "SyncLoadBalancerFailed",
                    "Error syncing load balancer: failed to ensure load balancer: no addresses left in the pool",
                )
                return
        self.assigned[key] = ip
        if current != [ip]:
            self.recorder.event(svc, "Normal", "EnsuringLoadBalancer", "Ensuring load balancer")
            self._write(svc, {"ingress": [{"ip": ip, "ipMode": "VIP"}]})
            self.recorder.event(svc, "Normal", "EnsuredLoadBalancer", "Ensured load balancer")

    def _free_ip(self) -> str | None:
        used = set(self.assigned.values())
        return next((ip for ip in self.pool if ip not in used), None)

    def _write(self, svc: dict, lb: dict) -> None:
        new = copy_json(svc)
        new.setdefault("status", {})["loadBalancer"] = lb
        self.client.update("services", new, new["metadata"]["namespace"], subresource="status")
