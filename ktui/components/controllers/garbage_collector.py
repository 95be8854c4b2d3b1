"""The garbage collector: deletes objects whose owners are gone, and runs foreground and orphan deletion.

Follows pkg/controller/garbagecollector/ (garbagecollector.go ``attemptToDeleteItem``,
``processDeletingDependentsItem``, ``orphanDependents``; v1.37). It watches every resource that can be
listed, watched and deleted (Events excepted) and keeps the ownerReferences graph by UID:

* an object none of whose owners still exists (checked live when the owner is not in the graph) is
  deleted — background propagation unless its own finalizers ask otherwise; owners that are gone are
  patched out when a live owner remains;
* an owner deleted with ``propagationPolicy: Foreground`` carries the ``foregroundDeletion`` finalizer:
  its dependents are deleted first, and the finalizer is removed once no dependent with
  ``blockOwnerDeletion: true`` is left;
* an owner deleted with ``propagationPolicy: Orphan`` carries the ``orphan`` finalizer: its dependents
  lose their ownerReferences to it, then the finalizer is removed.
"""

from __future__ import annotations

from functools import partial

from ktui.api.errors import ApiError
from ktui.api.informer import Informer
from ktui.api.objects import key_of
from ktui.api.registry import REGISTRY, Resource, UnknownResource
from ktui.components.base import Controller

__all__ = ["GarbageCollector", "monitored_resources", "classify_owners"]

FOREGROUND = "foregroundDeletion"
ORPHAN = "orphan"
_METADATA_ONLY = frozenset({"leases.coordination.k8s.io"})
"""Resources whose changes that keep the metadata as it was are not delivered to the collector."""


def monitored_resources() -> list[Resource]:
    """Every resource the collector watches: listable, watchable, deletable, not Events."""
    return [r for r in REGISTRY if {"list", "watch", "delete"} <= set(r.verbs) and r.kind != "Event"]


def classify_owners(refs: list[dict], owners: list[dict | None]) -> tuple[list[dict], list[dict], list[dict]]:
    """(solid, dangling, waiting-for-dependents) owner references, given each reference's live owner.

    A reference is dangling when its owner is absent or has another UID, waiting when the owner is being
    deleted in the foreground, solid otherwise.
    """
    solid, dangling, waiting = [], [], []
    for ref, owner in zip(refs, owners):
        if owner is None or (owner.get("metadata") or {}).get("uid") != ref.get("uid"):
            dangling.append(ref)
            continue
        md = owner.get("metadata") or {}
        if md.get("deletionTimestamp") and FOREGROUND in (md.get("finalizers") or []):
            waiting.append(ref)
        else:
            solid.append(ref)
    return solid, dangling, waiting


class GarbageCollector(Controller):
    """kube-controller-manager's ``garbage-collector-controller``.

    Args:
        ctx: the component context.
        informers: the shared informer factory.
    """

    name = "garbage-collector-controller"

    def __init__(self, ctx, informers=None) -> None:
        super().__init__(ctx, informers)
        self.by_uid: dict[str, tuple[str, str]] = {}
        """Each known object's (resource, cache key) by UID."""
        self.owners: dict[str, list[str]] = {}
        """Owner UIDs of each object, by UID."""
        self.dependents: dict[str, dict[str, None]] = {}
        """Dependent UIDs of each owner UID (owners may be absent: virtual nodes)."""
        self.resources = {r.group_resource: r for r in monitored_resources()}
        for gr in self.resources:
            self._informer_for(gr).add_handler(
                partial(self._on_add, gr), partial(self._on_update, gr), partial(self._on_delete, gr)
            )

    def _informer_for(self, gr: str) -> Informer:
        """The informer of one resource. Leases are watched for metadata changes only: a node Lease is renewed
        every 10 s per node, and a renewal (``spec.renewTime`` and the resourceVersion) changes nothing the
        graph holds, so the graph builder would do nothing with it (upstream's ``processGraphChanges``: no
        ownerReferences diff, no deletion starting)."""
        return self.informers.metadata_informer(gr) if gr in _METADATA_ONLY else self.informer(gr)

    # ------------------------------------------------------------ graph upkeep (handlers only enqueue)

    def _on_add(self, resource: str, obj: dict) -> None:
        self._on_update(resource, None, obj)

    def _on_update(self, resource: str, old: dict | None, obj: dict) -> None:
        md = obj.get("metadata") or {}
        uid = md.get("uid")
        if not uid:
            return
        if old is not None and not md.get("deletionTimestamp"):
            omd = old.get("metadata") or {}
            if (
                omd.get("ownerReferences") is md.get("ownerReferences")
                and omd.get("uid") == uid
                and omd.get("name") == md.get("name")
                and omd.get("namespace") == md.get("namespace")
            ):
                # The same owners (the very list: a renewed Lease shares it) and identity: the graph already
                # holds this object as it is; only what depends on the owners' state is looked at again.
                owners = self.owners.get(uid, ())
                if owners:
                    by_uid = self.by_uid
                    idents = [by_uid.get(o) for o in owners]
                    if None in idents:
                        self.queue.add(uid)
                    for o, ident in zip(owners, idents):
                        if ident is not None and self._deleting_ident(ident):
                            self.queue.add(o)
                return
        self.by_uid[uid] = (resource, key_of(obj))  # the informers' interned key: one string, not one more
        new_owners = [r.get("uid", "") for r in md.get("ownerReferences") or []]
        old_owners = self.owners.get(uid, [])
        for o in old_owners:
            if o not in new_owners:
                self._unlink(o, uid)
        for o in new_owners:
            self.dependents.setdefault(o, {})[uid] = None
        if new_owners:
            self.owners[uid] = new_owners
        else:
            self.owners.pop(uid, None)
        fins = md.get("finalizers") or []
        if md.get("deletionTimestamp") and (FOREGROUND in fins or ORPHAN in fins):
            self.queue.add(uid)
        if any(o not in self.by_uid for o in new_owners) or (old is not None and old_owners != new_owners):
            self.queue.add(uid)
        if old is None and uid in self.dependents:
            for dep in list(self.dependents[uid]):
                self.queue.add(dep)  # an owner arriving late: its dependents' owners are re-checked
        for o in new_owners:
            if self._deleting_dependents(o):
                self.queue.add(o)

    def _on_delete(self, resource: str, obj: dict) -> None:
        uid = (obj.get("metadata") or {}).get("uid")
        if not uid:
            return
        self.by_uid.pop(uid, None)
        for o in self.owners.pop(uid, []):
            self._unlink(o, uid)
            if self._deleting_dependents(o):
                self.queue.add(o)
        for dep in list(self.dependents.get(uid, {})):
            self.queue.add(dep)

    def _unlink(self, owner: str, dep: str) -> None:
        deps = self.dependents.get(owner)
        if deps is not None:
            deps.pop(dep, None)
            if not deps:
                del self.dependents[owner]

    def _get(self, uid: str) -> tuple[str, dict] | None:
        ident = self.by_uid.get(uid)
        if ident is None:
            return None
        informers = self.__dict__.get("_informer_of")
        if informers is None:
            informers = self._informer_of = {gr: self._informer_for(gr) for gr in self.resources}
        obj = informers[ident[0]].cache.get(ident[1])
        return (ident[0], obj) if obj is not None else None

    def _deleting_dependents(self, uid: str) -> bool:
        ident = self.by_uid.get(uid)
        return ident is not None and self._deleting_ident(ident)

    def _deleting_ident(self, ident: tuple[str, str]) -> bool:
        """Whether the object at (resource, cache key) is being deleted in the foreground."""
        informers = self.__dict__.get("_informer_of")
        if informers is None:
            informers = self._informer_of = {gr: self._informer_for(gr) for gr in self.resources}
        obj = informers[ident[0]].cache.get(ident[1])
        if obj is None:
            return False
        md = obj.get("metadata") or {}
        return bool(md.get("deletionTimestamp")) and FOREGROUND in (md.get("finalizers") or [])

    # ------------------------------------------------------------ reconcile

    def reconcile(self, uid: str) -> None:
        found = self._get(uid)
        if found is None:
            return
        resource, obj = found
        md = obj.get("metadata") or {}
        if md.get("deletionTimestamp"):
            fins = md.get("finalizers") or []
            if ORPHAN in fins:
                self._orphan_dependents(resource, obj)
            elif FOREGROUND in fins:
                self._process_deleting_dependents(resource, obj)
            return
        refs = md.get("ownerReferences") or []
        if not refs:
            return
        solid, dangling, waiting = classify_owners(refs, [self._live_owner(r, md.get("namespace")) for r in refs])
        if solid:
            gone = {r.get("uid") for r in dangling + waiting}
            if gone:
                self._remove_owner_refs(resource, obj, gone)
            return
        if waiting and self.dependents.get(uid):
            policy = "Foreground"
        else:
            fins = md.get("finalizers") or []
            policy = "Orphan" if ORPHAN in fins else "Foreground" if FOREGROUND in fins else "Background"
        try:
            self.client.delete(
                resource, md["name"], md.get("namespace"), propagation_policy=policy, preconditions={"uid": uid}
            )
        except ApiError as e:
            if e.code not in (404, 409):
                raise

    def _live_owner(self, ref: dict, namespace: str | None) -> dict | None:
        """The owner a reference names: from the graph, else a live GET (isDangling)."""
        found = self._get(ref.get("uid", ""))
        if found is not None:
            return found[1]
        try:
            r = REGISTRY.for_kind(ref.get("apiVersion", ""), ref.get("kind", ""))
        except UnknownResource:
            return None
        try:
            return self.client.get(r.group_resource, ref.get("name", ""), namespace if r.namespaced else None)
        except ApiError as e:
            if e.code == 404:
                return None
            raise

    def _process_deleting_dependents(self, resource: str, owner: dict) -> None:
        """Foreground deletion: delete blocking dependents, then drop ``foregroundDeletion``."""
        uid = owner["metadata"]["uid"]
        blocking = []
        for dep_uid in list(self.dependents.get(uid, {})):
            found = self._get(dep_uid)
            if found is None:
                continue
            refs = (found[1].get("metadata") or {}).get("ownerReferences") or []
            if any(r.get("uid") == uid and r.get("blockOwnerDeletion") for r in refs):
                blocking.append(dep_uid)
        if not blocking:
            self._remove_finalizer(resource, owner, FOREGROUND)
            return
        for dep_uid in blocking:
            self.queue.add(dep_uid)

    def _orphan_dependents(self, resource: str, owner: dict) -> None:
        """Orphan deletion: strip the owner's references from every dependent, then drop ``orphan``."""
        uid = owner["metadata"]["uid"]
        for dep_uid in list(self.dependents.get(uid, {})):
            found = self._get(dep_uid)
            if found is not None:
                self._remove_owner_refs(found[0], found[1], {uid})
        self._remove_finalizer(resource, owner, ORPHAN)

    # ------------------------------------------------------------ writes

    def _remove_owner_refs(self, resource: str, obj: dict, uids: set) -> None:
        md = obj["metadata"]
        try:
            live = self.client.get(resource, md["name"], md.get("namespace"))
        except ApiError as e:
            if e.code == 404:
                return
            raise
        refs = live["metadata"].get("ownerReferences") or []
        kept = [r for r in refs if r.get("uid") not in uids]
        if len(kept) == len(refs):
            return
        if kept:
            live["metadata"]["ownerReferences"] = kept
        else:
            live["metadata"].pop("ownerReferences", None)
        self.client.update(resource, live, md.get("namespace"))

    def _remove_finalizer(self, resource: str, obj: dict, finalizer: str) -> None:
        md = obj["metadata"]
        try:
            live = self.client.get(resource, md["name"], md.get("namespace"))
        except ApiError as e:
            if e.code == 404:
                return
            raise
        fins = live["metadata"].get("finalizers") or []
        if finalizer not in fins:
            return
        kept = [f for f in fins if f != finalizer]
        if kept:
            live["metadata"]["finalizers"] = kept
        else:
            live["metadata"].pop("finalizers", None)
        try:
            self.client.update(resource, live, md.get("namespace"))
        except ApiError as e:
            if e.code != 404:
                raise
