"""The ResourceQuota controller: keeps each quota's ``status.hard`` and ``status.used`` current.

Follows pkg/controller/resourcequota/resource_quota_controller.go (v1.37): ``status.hard`` mirrors
``spec.hard`` and ``status.used`` holds, for each hard resource name, the namespace's total as the quota
evaluators measure it (:func:`ktui.api.quota_usage.usage_of`; pod scopes as the admission plugin
applies them). Quotas are re-synced when an object they count changes (the replenishment controllers)
and every ``--resource-quota-sync-period`` (5m0s).
"""

from __future__ import annotations

from fractions import Fraction

from ktui.api.admission.resource_quota import pod_matches_scope, quota_scope_selectors
from ktui.api.errors import ApiError
from ktui.api.objects import copy_json
from ktui.api.quantity import Quantity
from ktui.api.quota_usage import add_quantity, tracks, usage_of
from ktui.api.registry import REGISTRY, UnknownResource
from ktui.components.base import Controller
from ktui.sim.timefmt import parse_duration

__all__ = ["ResourceQuotaController", "compute_used", "resources_for"]

_EVALUATED = (
    "pods",
    "services",
    "persistentvolumeclaims",
    "configmaps",
    "secrets",
    "replicationcontrollers",
    "resourcequotas",
)
"""Resources with their own evaluator (and a replenishment watch)."""


def resources_for(name: str) -> list[str]:
    """The resources (``plural`` or ``plural.group``) whose objects a quota resource name counts."""
    if name.startswith("count/"):
        target = name[len("count/") :]
        try:
            r = REGISTRY.resolve(target)
        except UnknownResource:
            return []
        return [r.group_resource]
    return [r for r in _EVALUATED if tracks(r, name)]


def compute_used(quota: dict, objects: dict[str, list[dict]], now: float | None = None) -> dict[str, str]:
    """``status.used``: for every hard name, what ``objects`` (by resource) charge against it.

    Args:
        quota: the ResourceQuota.
        objects: the namespace's objects by resource (``pods``, ``deployments.apps`` ...).
        now: simulated seconds, for pods past their deletion grace period.
    """
    hard = (quota.get("spec") or {}).get("hard") or {}
    selectors = quota_scope_selectors(quota)
    used: dict[str, Quantity] = {}
    for name in sorted(hard):
        total = Quantity(Fraction(0))
        for resource in resources_for(name):
            if selectors and resource != "pods":
                continue
            for obj in objects.get(resource, []):
                if selectors and not all(pod_matches_scope(s, obj) for s in selectors):
                    continue
                amount = usage_of(resource, obj, now).get(name)
                if amount is not None:
                    total = add_quantity(total, amount)
        used[name] = total
    return {k: str(used[k]) for k in sorted(used)}


class ResourceQuotaController(Controller):
    """kube-controller-manager's ``resourcequota-controller``.

    Args:
        ctx: the component context; flag ``resource-quota-sync-period`` (5m0s).
        informers: the shared informer factory.
    """

    name = "resourcequota-controller"
    FLAGS = {"resource-quota-sync-period": "5m0s"}
    """kube-controller-manager flags this controller reads, with their defaults."""

    def __init__(self, ctx, informers=None) -> None:
        super().__init__(ctx, informers)
        self.sync_period = parse_duration(
            (ctx.flags or {}).get("resource-quota-sync-period", self.FLAGS["resource-quota-sync-period"])
        )
        self.quotas = self.informer("resourcequotas")
        self.quotas.add_handler(self.enqueue, self._on_quota_update, None)
        for resource in _EVALUATED:
            if resource == "resourcequotas":
                continue
            self.informer(resource).add_handler(self._replenish, self._replenish_update, self._replenish)
        self._tick = None

    def start(self) -> None:
        super().start()
        if self._tick is None:
            self._tick = self.ctx.kernel.schedule(self.sync_period, self.resync)

    def resync(self) -> None:
        """Queue every quota (the full resync); runs every ``resource-quota-sync-period``."""
        self._tick = self.ctx.kernel.schedule(self.sync_period, self.resync)
        for q in sorted(self.quotas.list(), key=lambda o: (o["metadata"]["namespace"], o["metadata"]["name"])):
            self.enqueue(q)

    def _on_quota_update(self, old: dict, new: dict) -> None:
        if (old.get("spec") or {}) != (new.get("spec") or {}) or (new.get("status") or {}).get("hard") != (
            new.get("spec") or {}
        ).get("hard"):
            self.enqueue(new)

    def _replenish(self, obj: dict) -> None:
        ns = (obj.get("metadata") or {}).get("namespace")
        for q in self.quotas.list(ns):
            self.enqueue(q)

    def _replenish_update(self, old: dict, new: dict) -> None:
        if (
            old.get("spec") != new.get("spec")
            or (old.get("status") or {}).get("phase") != (new.get("status") or {}).get("phase")
            or bool(old["metadata"].get("deletionTimestamp")) != bool(new["metadata"].get("deletionTimestamp"))
        ):
            self._replenish(new)

    def reconcile(self, key: str) -> None:
        quota = self.quotas.get(key)
        if quota is None:
            return
        ns = quota["metadata"]["namespace"]
        hard = (quota.get("spec") or {}).get("hard") or {}
        needed = sorted({r for name in hard for r in resources_for(name)})
        objects = {r: self.client.list(r, ns)["items"] for r in needed}
        used = compute_used(quota, objects, self.ctx.now)
        status = quota.get("status") or {}
        new_hard = {k: hard[k] for k in sorted(hard)}
        if status.get("hard") == new_hard and status.get("used") == used:
            return
        new = copy_json(quota)
        new["status"] = {"hard": new_hard, "used": used}
        try:
            self.client.update("resourcequotas", new, subresource="status")
        except ApiError as e:
            if e.code != 404:
                raise
