"""The namespace controller: empties a Terminating namespace, then finalizes it so it can go.

Follows pkg/controller/namespace/deletion/namespaced_resources_deleter.go and status_condition_utils.go
(v1.37): every namespaced resource that can be listed and deleted is deleted (background propagation),
what remains is counted into the ``NamespaceContentRemaining`` / ``NamespaceFinalizersRemaining``
conditions, and once nothing is left the ``kubernetes`` finalizer is removed from ``spec.finalizers``
through the ``namespaces/finalize`` subresource, after which the API server removes the namespace.
"""

from __future__ import annotations

from typing import Any

from ktui.api.errors import ApiError
from ktui.api.objects import copy_json, get_condition
from ktui.api.registry import REGISTRY, Resource
from ktui.components.base import Controller
from ktui.sim.timefmt import rfc3339

__all__ = ["NamespaceController", "deletable_resources", "content_conditions", "update_conditions"]

FINALIZER = "kubernetes"

CONDITION_TYPES = (
    "NamespaceDeletionDiscoveryFailure",
    "NamespaceDeletionGroupVersionParsingFailure",
    "NamespaceDeletionContentFailure",
    "NamespaceContentRemaining",
    "NamespaceFinalizersRemaining",
)
_OK = {
    "NamespaceDeletionDiscoveryFailure": ("ResourcesDiscovered", "All resources successfully discovered"),
    "NamespaceDeletionGroupVersionParsingFailure": ("ParsedGroupVersions", "All legacy kube types successfully parsed"),
    "NamespaceDeletionContentFailure": (
        "ContentDeleted",
        "All content successfully deleted, may be waiting on finalization",
    ),
    "NamespaceContentRemaining": ("ContentRemoved", "All content successfully removed"),
    "NamespaceFinalizersRemaining": ("ContentHasNoFinalizers", "All content-preserving finalizers finished"),
}


def deletable_resources() -> list[Resource]:
    """Namespaced resources that support list and delete, in discovery order."""
    return [r for r in REGISTRY if r.namespaced and "list" in r.verbs and "delete" in r.verbs]


def content_conditions(
    remaining: dict[str, int], finalizers: dict[str, int], errors: list[str], now: float
) -> list[dict]:
    """The failure conditions for this pass (``ProcessContentTotals`` and the delete-content errors)."""
    out = []
    if errors:
        out.append(
            {
                "type": "NamespaceDeletionContentFailure",
                "status": "True",
                "lastTransitionTime": rfc3339(now),
                "reason": "ContentDeletionFailed",
                "message": f"Failed to delete all resource types, {len(errors)} remaining: {', '.join(sorted(errors))}",
            }
        )
    parts = sorted(f"{gr} has {n} resource instances" for gr, n in remaining.items() if n)
    if parts:
        out.append(
            {
                "type": "NamespaceContentRemaining",
                "status": "True",
                "lastTransitionTime": rfc3339(now),
                "reason": "SomeResourcesRemain",
                "message": f"Some resources are remaining: {', '.join(parts)}",
            }
        )
    parts = sorted(f"{f} in {n} resource instances" for f, n in finalizers.items() if n)
    if parts:
        out.append(
            {
                "type": "NamespaceFinalizersRemaining",
                "status": "True",
                "lastTransitionTime": rfc3339(now),
                "reason": "SomeFinalizersRemain",
                "message": f"Some content in the namespace has finalizers remaining: {', '.join(parts)}",
            }
        )
    return out


def update_conditions(conditions: list[dict] | None, new: list[dict], now: float) -> tuple[list[dict], bool]:
    """``updateConditions``: every managed type present, the ok variant where nothing failed."""
    out = [dict(c) for c in conditions or []]
    changed = False
    for ctype in CONDITION_TYPES:
        want = get_condition(new, ctype)
        if want is None:
            reason, message = _OK[ctype]
            want = {
                "type": ctype,
                "status": "False",
                "lastTransitionTime": rfc3339(now),
                "reason": reason,
                "message": message,
            }
        old = get_condition(out, ctype)
        if old is None:
            out.append(want)
            changed = True
        elif (old.get("status"), old.get("message"), old.get("reason")) != (
            want["status"],
            want["message"],
            want["reason"],
        ):
            if old.get("status") != want["status"]:
                old["lastTransitionTime"] = rfc3339(now)
            old.update(status=want["status"], reason=want["reason"], message=want["message"])
            changed = True
    return out, changed


class NamespaceController(Controller):
    """kube-controller-manager's ``namespace-controller``.

    Args:
        ctx: the component context.
        informers: the shared informer factory.
    """

    name = "namespace-controller"

    def __init__(self, ctx, informers=None) -> None:
        super().__init__(ctx, informers)
        self.namespaces = self.informer("namespaces")
        self.namespaces.add_handler(self._on_ns, self._on_ns_update, None)

    def _on_ns(self, ns: dict) -> None:
        if (ns.get("metadata") or {}).get("deletionTimestamp"):
            self.enqueue(ns)

    def _on_ns_update(self, old: dict, new: dict) -> None:
        self._on_ns(new)

    def reconcile(self, key: str) -> None:
        ns = self.namespaces.get(key)
        if ns is None or not (ns.get("metadata") or {}).get("deletionTimestamp"):
            return
        if FINALIZER not in ((ns.get("spec") or {}).get("finalizers") or []):
            return
        remaining, finalizers, errors, estimate = self._delete_all_content(key)
        now = self.ctx.now
        conditions, changed = update_conditions(
            (ns.get("status") or {}).get("conditions"), content_conditions(remaining, finalizers, errors, now), now
        )
        if changed:
            new = copy_json(ns)
            new.setdefault("status", {})["conditions"] = conditions
            try:
                ns = self.client.update("namespaces", new, subresource="status")
            except ApiError as e:
                if e.code == 404:
                    return
                raise
        if errors:
            self.queue.add_after(key, 5.0)
            return
        if any(remaining.values()):
            self.queue.add_after(key, estimate / 2 + 1 if estimate > 0 else 10.0)
            return
        self._finalize(key)

    def _delete_all_content(self, namespace: str) -> tuple[dict[str, int], dict[str, int], list[str], float]:
        """Delete everything in the namespace; what remains, by resource and by finalizer, and an estimate."""
        remaining: dict[str, int] = {}
        finalizers: dict[str, int] = {}
        errors: list[str] = []
        estimate = 0.0
        for r in deletable_resources():
            try:
                items = self.client.list(r.group_resource, namespace)["items"]
            except ApiError as e:
                errors.append(f"{r.group_resource}: {e.message}")
                continue
            for item in items:
                md = item.get("metadata") or {}
                if md.get("deletionTimestamp"):
                    continue
                try:
                    self.client.delete(r.group_resource, md["name"], namespace, propagation_policy="Background")
                except ApiError as e:
                    if e.code != 404:
                        errors.append(f"{r.group_resource}: {e.message}")
            left = self.client.list(r.group_resource, namespace)["items"]
            if left:
                remaining[f"{r.plural}.{r.group}"] = len(left)
                for item in left:
                    md = item.get("metadata") or {}
                    for f in md.get("finalizers") or []:
                        finalizers[f] = finalizers.get(f, 0) + 1
                    grace = md.get("deletionGracePeriodSeconds")
                    if r.plural == "pods" and grace:
                        estimate = max(estimate, float(grace))
        return remaining, finalizers, errors, estimate

    def _finalize(self, name: str) -> None:
        """Remove the ``kubernetes`` finalizer through ``namespaces/finalize``."""
        try:
            ns = self.client.get("namespaces", name)
        except ApiError as e:
            if e.code == 404:
                return
            raise
        spec: dict[str, Any] = ns.setdefault("spec", {})
        spec["finalizers"] = [f for f in spec.get("finalizers") or [] if f != FINALIZER]
        try:
            self.client.update("namespaces", ns, subresource="finalize")
        except ApiError as e:
            if e.code != 404:
                raise
