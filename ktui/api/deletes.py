"""The API server's deletes: one object (preconditions, finalizers, grace periods) or a collection."""

from __future__ import annotations

import builtins
from typing import Any

from ktui.api import errors
from ktui.api.auth.user import UserInfo
from ktui.api.object_rules import order_meta
from ktui.api.objects import copy_json
from ktui.api.reads import ListOptions, Reads
from ktui.api.registry import Resource
from ktui.sim.timefmt import rfc3339
from ktui.store.errors import RevisionConflict

__all__ = ["Deletes"]


class Deletes(Reads):
    """The delete part of :class:`ktui.api.server.APIServer`."""

    def delete(
        self,
        user: UserInfo,
        r: Resource,
        namespace: str | None,
        name: str,
        *,
        grace_period_seconds: int | None = None,
        propagation_policy: str | None = None,
        preconditions: dict | None = None,
        dry_run: bool = False,
        authorized: bool = False,
    ) -> dict:
        """Delete one object. Returns the object as left: gone (its last state) or marked for deletion."""
        self.requests += 1
        ns = self.namespace_for(r, namespace)
        if not authorized:
            self.authorize(user, "delete", r, ns, name)
        kv = self.store.get(r.key(ns, name))
        if kv is None:
            raise errors.not_found(r.plural, name, r.group)
        if self._corrupt and kv.key in self._corrupt:
            # An undecodable object can only be removed as it is (kube-apiserver asks for
            # ignoreStoreReadErrorWithClusterBreakingPotential; ktui lets a learner clean up).
            if not dry_run:
                self.store.delete(kv.key)
            return {"kind": r.kind, "apiVersion": r.api_version, "metadata": {"name": name}}
        old = kv.value
        pre = preconditions or {}
        if pre.get("uid") and pre["uid"] != old["metadata"].get("uid"):
            raise errors.conflict(
                r.plural,
                name,
                r.group,
                f"Precondition failed: UID in precondition: {pre['uid']}, UID in object meta: {old['metadata'].get('uid')}",
            )
        if pre.get("resourceVersion") and pre["resourceVersion"] != old["metadata"].get("resourceVersion"):
            raise errors.conflict(
                r.plural,
                name,
                r.group,
                f"Precondition failed: ResourceVersion in precondition: {pre['resourceVersion']}, "
                f"ResourceVersion in object meta: {old['metadata'].get('resourceVersion')}",
            )
        self.validate_admission("DELETE", r, "", ns, name, None, old, user, dry_run)
        new = copy_json(old)
        md = new["metadata"]
        finalizers = list(md.get("finalizers") or [])
        if propagation_policy == "Orphan" and "orphan" not in finalizers:
            finalizers.append("orphan")
        elif propagation_policy == "Foreground" and "foregroundDeletion" not in finalizers:
            finalizers.append("foregroundDeletion")
        grace = self._grace_period(r, old, grace_period_seconds)
        if r.kind == "Namespace":
            # Terminating until the namespace controller has emptied it and removed spec.finalizers.
            if dry_run:
                return new
            if not md.get("deletionTimestamp"):
                md["deletionTimestamp"] = rfc3339(self.kernel.now)
                new["status"] = {**(new.get("status") or {}), "phase": "Terminating"}
            md["deletionGracePeriodSeconds"] = 0
            if finalizers:
                md["finalizers"] = finalizers
            if (new.get("spec") or {}).get("finalizers") or finalizers:
                return self._store_mark(r, ns, name, new, kv.mod_revision)
        elif finalizers or grace:
            # Graceful (a kubelet confirms) or held by finalizers: marked now, removed later.
            if dry_run:
                return new
            existing_grace = md.get("deletionGracePeriodSeconds")
            if (
                md.get("deletionTimestamp")
                and existing_grace is not None
                and grace >= existing_grace
                and finalizers == list(md.get("finalizers") or [])
            ):
                return new  # already being deleted at least this fast
            md["deletionTimestamp"] = rfc3339(self.kernel.now + grace)
            md["deletionGracePeriodSeconds"] = grace
            if finalizers:
                md["finalizers"] = finalizers
            return self._store_mark(r, ns, name, new, kv.mod_revision)
        if dry_run:
            return new
        try:
            self.store.delete(r.key(ns, name), expected_mod_revision=kv.mod_revision)
        except RevisionConflict:
            raise errors.conflict(r.plural, name, r.group)
        return copy_json(old)

    def _store_mark(self, r: Resource, ns: str, name: str, new: dict, expected_rev: int) -> dict:
        new["metadata"] = order_meta(new["metadata"])
        new["metadata"]["resourceVersion"] = self._next_rv()
        self._trusted = new
        self.store.update(r.key(ns, name), new, expected_mod_revision=expected_rev)
        return copy_json(new)

    def _grace_period(self, r: Resource, obj: dict, requested: int | None) -> int:
        """Pods are deleted gracefully once a kubelet may be running them; everything else at once."""
        if r.kind != "Pod":
            return 0
        spec, status = obj.get("spec") or {}, obj.get("status") or {}
        if not spec.get("nodeName") or status.get("phase") in ("Succeeded", "Failed"):
            return 0
        if requested is not None:
            return max(0, int(requested))
        return int(spec.get("terminationGracePeriodSeconds", 30))

    def delete_collection(
        self, user: UserInfo, r: Resource, namespace: str | None, opts: ListOptions | None = None, **kwargs: Any
    ) -> builtins.list[dict]:
        ns = namespace if r.namespaced else ""
        self.authorize(user, "deletecollection", r, ns or "")
        items = self.list(user, r, ns, opts)["items"]
        return [self.delete(user, r, ns, i["metadata"]["name"], authorized=True, **kwargs) for i in items]
