"""The PersistentVolume binder: binds claims to volumes, asks for provisioning, reclaims released volumes.

Follows pkg/controller/volume/persistentvolume/pv_controller.go (v1.37), ``syncClaim`` and ``syncVolume``:

* an unbound claim without ``spec.volumeName`` gets the best matching Available volume (:mod:`ktui.api.volume_match`):
  the volume's ``spec.claimRef`` (and ``pv.kubernetes.io/bound-by-controller``), its phase Bound, then the
  claim's ``spec.volumeName`` with ``pv.kubernetes.io/bind-completed`` (and bound-by-controller), then its
  status (Bound, the volume's access modes and capacity). With no volume: a claim without a class gets the
  default StorageClass when there is one, else the ``FailedBinding`` event; a WaitForFirstConsumer claim the
  scheduler has not picked a node for gets ``WaitForFirstConsumer`` (or ``WaitForPodScheduled``); a claim with
  a class asks its provisioner (``ExternalProvisioning``, or ``ProvisioningFailed`` when the class is missing
  or names an in-tree provisioner that does not exist: nothing in ktui provisions volumes);
* a claim naming its volume binds to it when the volume fits (else ``VolumeMismatch``) and is free;
* a volume whose claim is gone is Released and its reclaim policy runs: Retain keeps it; Delete deletes it
  when its plugin can (a hostPath volume under ``/tmp/``), else marks it Failed with ``VolumeFailedDelete``.

Claims and volumes are re-synced every ``--pvclaimbinder-sync-period`` (15s), so the events repeat.
"""

from __future__ import annotations

from ktui.api import volume_match as vm
from ktui.api.objects import copy_json
from ktui.components.base import Controller
from ktui.components.controllers.pv_volumes import VolumeSync
from ktui.sim.timefmt import parse_duration

__all__ = ["PersistentVolumeController"]


class PersistentVolumeController(VolumeSync, Controller):
    """kube-controller-manager's ``persistentvolume-binder-controller`` (events from ``persistentvolume-controller``).

    Keys are ``claim:<namespace>/<name>`` and ``volume:<name>``.

    Args:
        ctx: the component context; flag ``pvclaimbinder-sync-period`` (15s).
        informers: the shared informer factory.
    """

    name = "persistentvolume-binder-controller"
    FLAGS = {"pvclaimbinder-sync-period": "15s"}
    """kube-controller-manager flags this controller reads, with their defaults."""

    def __init__(self, ctx, informers=None) -> None:
        super().__init__(ctx, informers, component="persistentvolume-controller")
        self.sync_period = parse_duration(
            (ctx.flags or {}).get("pvclaimbinder-sync-period", self.FLAGS["pvclaimbinder-sync-period"])
        )
        self.volumes = self.informer("persistentvolumes")
        self.claims = self.informer("persistentvolumeclaims")
        self.classes = self.informer("storageclasses")
        self.pods = self.informer("pods")
        self.pods.add_indexer("pvc", vm.pod_claim_keys)
        self.claims.add_handler(self._claim_changed, self._claim_updated, self._claim_deleted)
        self.volumes.add_handler(self._volume_changed, self._volume_updated, self._volume_deleted)
        self._written: dict[str, dict] = {}
        """What this controller last wrote, by ``volume:<name>`` / ``claim:<ns>/<name>``: its own cache updates
        (``storeVolumeUpdate``/``storeClaimUpdate``), seen before the watch brings them back."""
        self._tick = None

    def _fresh(self, key: str, cached: dict | None) -> dict | None:
        mine = self._written.get(key)
        if mine is None or cached is None:
            return cached
        try:
            newer = int(mine["metadata"]["resourceVersion"]) > int(cached["metadata"]["resourceVersion"])
        except (KeyError, ValueError, TypeError):
            newer = False
        if newer:
            return mine
        del self._written[key]
        return cached

    def volume(self, name: str) -> dict | None:
        """The volume from the cache, or as this controller last wrote it when that is newer."""
        return self._fresh(f"volume:{name}", self.volumes.get(name))

    def claim(self, key: str) -> dict | None:
        """The claim ``namespace/name`` from the cache, or as this controller last wrote it when newer."""
        return self._fresh(f"claim:{key}", self.claims.get(key))

    def _all_volumes(self) -> list[dict]:
        return [v for v in (self.volume(n) for n in sorted(self.volumes.cache)) if v is not None]

    def _store(self, obj: dict) -> dict:
        if not obj["metadata"].get("namespace"):
            self._written[f"volume:{obj['metadata']['name']}"] = obj
        else:
            self._written[f"claim:{vm.claim_key(obj)}"] = obj
        return obj

    def start(self) -> None:
        super().start()
        if self._tick is None:
            self._tick = self.ctx.kernel.schedule(self.sync_period, self.resync)

    def resync(self) -> None:
        """Queue every claim and volume; runs every ``pvclaimbinder-sync-period``."""
        self._tick = self.ctx.kernel.schedule(self.sync_period, self.resync)
        for key in sorted(self.claims.cache):
            self.queue.add(f"claim:{key}")
        for key in sorted(self.volumes.cache):
            self.queue.add(f"volume:{key}")

    def _claim_changed(self, claim: dict) -> None:
        self.queue.add(f"claim:{vm.claim_key(claim)}")

    def _claim_updated(self, old: dict, new: dict) -> None:
        self._claim_changed(new)

    def _volume_updated(self, old: dict, new: dict) -> None:
        self._volume_changed(new)

    def _claim_deleted(self, claim: dict) -> None:
        self._written.pop(f"claim:{vm.claim_key(claim)}", None)
        volume = (claim.get("spec") or {}).get("volumeName")
        if volume:
            self.queue.add(f"volume:{volume}")

    def _volume_changed(self, volume: dict) -> None:
        self.queue.add(f"volume:{volume['metadata']['name']}")

    def _volume_deleted(self, volume: dict) -> None:
        self._written.pop(f"volume:{volume['metadata']['name']}", None)
        ref = (volume.get("spec") or {}).get("claimRef")
        if isinstance(ref, dict) and ref.get("name"):
            self.queue.add(f"claim:{ref.get('namespace', '')}/{ref['name']}")

    def reconcile(self, key: str) -> None:
        kind, _, name = key.partition(":")
        if kind == "claim":
            claim = self.claim(name)
            if claim is not None:
                self.sync_claim(claim)
        elif kind == "volume":
            volume = self.volume(name)
            if volume is not None:
                self.sync_volume(volume)

    # ---------------------------------------------------------------- claims

    def sync_claim(self, claim: dict) -> None:
        """``syncClaim``: unbound until ``pv.kubernetes.io/bind-completed`` is set."""
        if vm.ANN_BIND_COMPLETED in ((claim["metadata"].get("annotations")) or {}):
            self._sync_bound_claim(claim)
        else:
            self._sync_unbound_claim(claim)

    def _class(self, claim: dict) -> dict | None:
        name = vm.claim_class(claim)
        return self.classes.get(name) if name else None

    def _delay_binding(self, claim: dict) -> bool:
        sc = self._class(claim)
        return sc is not None and sc.get("volumeBindingMode") == "WaitForFirstConsumer"

    def _sync_unbound_claim(self, claim: dict) -> None:
        volume_name = (claim.get("spec") or {}).get("volumeName")
        if not volume_name:
            delay = self._delay_binding(claim)
            volume = vm.best_match(claim, self._all_volumes(), delay)
            if volume is not None:
                self._bind(volume, claim)
                return
            if self._assign_default_class(claim):
                return
            annotations = claim["metadata"].get("annotations") or {}
            if delay and vm.ANN_SELECTED_NODE not in annotations:
                self._wait_for_consumer(claim)
            elif vm.claim_class(claim):
                self._provision(claim)
                return
            else:
                msg = "no persistent volumes available for this claim and no storage class is set"
                self.recorder.event(claim, "Normal", "FailedBinding", msg)
            self._update_claim_status(claim, "Pending", None)
            return
        volume = self.volume(volume_name)
        if volume is None:
            self._update_claim_status(claim, "Pending", None)
            return
        if (volume.get("spec") or {}).get("claimRef") is None:
            why = vm.check_volume_satisfies_claim(volume, claim)
            if why:
                self.recorder.event(
                    claim, "Warning", "VolumeMismatch", f'Cannot bind to requested volume "{volume_name}": {why}'
                )
                self._update_claim_status(claim, "Pending", None)
            else:
                self._bind(volume, claim)
        elif vm.is_bound_to_claim(volume, claim):
            self._bind(volume, claim)
        else:
            self.recorder.event(
                claim, "Warning", "FailedBinding", f'volume "{volume_name}" already bound to a different claim.'
            )
            if vm.ANN_BOUND_BY_CONTROLLER not in (claim["metadata"].get("annotations") or {}):
                self._update_claim_status(claim, "Pending", None)

    def _sync_bound_claim(self, claim: dict) -> None:
        volume_name = (claim.get("spec") or {}).get("volumeName")
        if not volume_name:
            self._lost(
                claim, "ClaimLost", "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!"
            )
            return
        volume = self.volume(volume_name)
        if volume is None:
            self._lost(claim, "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!")
            return
        ref = (volume.get("spec") or {}).get("claimRef")
        if ref is None or ref.get("uid") == claim["metadata"].get("uid"):
            self._bind(volume, claim)
        else:
            self._lost(claim, "ClaimMisbound", "Two claims are bound to the same volume, this one is bound incorrectly")

    def _lost(self, claim: dict, reason: str, message: str) -> None:
        """``updateClaimStatusWithEvent`` to Lost: the event only when the phase changes."""
        if (claim.get("status") or {}).get("phase") == "Lost":
            return
        new = self._update_claim_status(claim, "Lost", None)
        self.recorder.event(new, "Warning", reason, message)

    def _wait_for_consumer(self, claim: dict) -> None:
        """``emitEventForUnboundDelayBindingClaim``."""
        key = vm.claim_key(claim)
        waiting = sorted(
            (
                p
                for p in self.pods.by_index("pvc", key)
                if not (p.get("spec") or {}).get("nodeName") and not _terminated(p)
            ),
            key=lambda p: p["metadata"]["name"],
        )
        names = [p["metadata"]["name"] for p in waiting]
        if not names:
            self.recorder.event(
                claim, "Normal", "WaitForFirstConsumer", "waiting for first consumer to be created before binding"
            )
        elif len(names) == 1:
            self.recorder.event(claim, "Normal", "WaitForPodScheduled", f"waiting for pod {names[0]} to be scheduled")
        else:
            self.recorder.event(
                claim, "Normal", "WaitForPodScheduled", f"waiting for pods {','.join(names)} to be scheduled"
            )

    def _assign_default_class(self, claim: dict) -> bool:
        """``assignDefaultStorageClass``: a claim with no class at all (not even "") gets the default one."""
        if vm.ANN_BETA_CLASS in (claim["metadata"].get("annotations") or {}) or "storageClassName" in (
            claim.get("spec") or {}
        ):
            return False
        sc = vm.default_class(self.classes.list())
        if sc is None:
            return False
        new = copy_json(claim)
        new.setdefault("spec", {})["storageClassName"] = sc["metadata"]["name"]
        self.client.update("persistentvolumeclaims", new, new["metadata"]["namespace"])
        return True

    def _provision(self, claim: dict) -> None:
        """``provisionClaim``: nothing in ktui provisions, so this says who would (or why nobody can)."""
        name = vm.claim_class(claim)
        sc = self.classes.get(name)
        if sc is None:
            self.recorder.event(
                claim, "Warning", "ProvisioningFailed", f'storageclass.storage.k8s.io "{name}" not found'
            )
            return
        provisioner = sc.get("provisioner", "")
        if provisioner.startswith("kubernetes.io/"):
            self.recorder.event(claim, "Warning", "ProvisioningFailed", f"no volume plugin matched name: {provisioner}")
            return
        annotations = claim["metadata"].get("annotations") or {}
        if any(annotations.get(a) != provisioner for a in _PROVISIONER_ANNS):
            new = copy_json(claim)
            new["metadata"].setdefault("annotations", {}).update({a: provisioner for a in _PROVISIONER_ANNS})
            claim = self._store(self.client.update("persistentvolumeclaims", new, new["metadata"]["namespace"]))
        self.recorder.event(
            claim,
            "Normal",
            "ExternalProvisioning",
            f"Waiting for a volume to be created either by the external provisioner '{provisioner}' or manually by "
            "the system administrator. If volume creation is delayed, please verify that the provisioner is running "
            "and correctly registered.",
        )

    def _update_claim_status(self, claim: dict, phase: str, volume: dict | None) -> dict:
        """``updateClaimStatus``: phase, and the volume's access modes and capacity (cleared without one)."""
        status = dict(claim.get("status") or {})
        old_phase = status.get("phase")
        status["phase"] = phase
        if volume is None:
            status.pop("accessModes", None)
            status.pop("capacity", None)
        else:
            vspec = volume.get("spec") or {}
            if vspec.get("accessModes") is not None:
                status["accessModes"] = list(vspec["accessModes"])
            if old_phase != phase:
                status["capacity"] = dict(vspec.get("capacity") or {})
        if status == (claim.get("status") or {}):
            return claim
        new = copy_json(claim)
        new["status"] = status
        return self._store(
            self.client.update("persistentvolumeclaims", new, new["metadata"]["namespace"], subresource="status")
        )

    def _bind(self, volume: dict, claim: dict) -> None:
        """``bind``: the volume first (claimRef, then phase), then the claim (volumeName, then status)."""
        volume = self._bind_volume_to_claim(volume, claim)
        volume = self._update_volume_phase(volume, "Bound")
        claim = self._bind_claim_to_volume(claim, volume)
        self._update_claim_status(claim, "Bound", volume)

    def _bind_volume_to_claim(self, volume: dict, claim: dict) -> dict:
        md = claim["metadata"]
        ref = (volume.get("spec") or {}).get("claimRef") or {}
        by_controller = not vm.is_bound_to_claim(volume, claim)
        new = copy_json(volume)
        dirty = False
        if (ref.get("name"), ref.get("namespace"), ref.get("uid")) != (md["name"], md.get("namespace"), md.get("uid")):
            new.setdefault("spec", {})["claimRef"] = {
                "kind": "PersistentVolumeClaim",
                "namespace": md.get("namespace", ""),
                "name": md["name"],
                "uid": md.get("uid", ""),
                "apiVersion": "v1",
                "resourceVersion": md.get("resourceVersion", ""),
            }
            dirty = True
        annotations = new["metadata"].setdefault("annotations", {})
        if by_controller and vm.ANN_BOUND_BY_CONTROLLER not in annotations:
            annotations[vm.ANN_BOUND_BY_CONTROLLER] = "yes"
            dirty = True
        if not dirty:
            return volume
        if not annotations:
            del new["metadata"]["annotations"]
        return self._store(self.client.update("persistentvolumes", new))

    def _bind_claim_to_volume(self, claim: dict, volume: dict) -> dict:
        new = copy_json(claim)
        annotations = new["metadata"].setdefault("annotations", {})
        dirty = False
        if (new.get("spec") or {}).get("volumeName") != volume["metadata"]["name"]:
            new.setdefault("spec", {})["volumeName"] = volume["metadata"]["name"]
            annotations.setdefault(vm.ANN_BOUND_BY_CONTROLLER, "yes")
            dirty = True
        if vm.ANN_BIND_COMPLETED not in annotations:
            annotations[vm.ANN_BIND_COMPLETED] = "yes"
            dirty = True
        if not dirty:
            return claim
        return self._store(self.client.update("persistentvolumeclaims", new, new["metadata"]["namespace"]))


_PROVISIONER_ANNS = ("volume.beta.kubernetes.io/storage-provisioner", "volume.kubernetes.io/storage-provisioner")


def _terminated(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")
