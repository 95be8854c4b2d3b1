"""The PersistentVolume binder's side of volumes: their phase, the release of a volume whose claim is gone,
and its reclaim policy (pv_controller.go ``syncVolume``, ``reclaimVolume``, ``deleteVolumeOperation``).

Retain keeps a Released volume; Delete deletes it when its plugin can (a hostPath volume under ``/tmp/``: the
kube-controller-manager's hostPath deleter refuses any other path) and otherwise marks it Failed with the
``VolumeFailedDelete`` event; volumes of an external provisioner or a CSI driver are left to their deleter.
Recycle (deprecated) fails for volumes without a recycler plugin (``VolumeFailedRecycle``); the recycler pod
of hostPath and nfs volumes is not modelled, so those stay Released.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from ktui.api import volume_match as vm
from ktui.api.errors import ApiError
from ktui.api.objects import copy_json

__all__ = ["VolumeSync", "delete_error"]


def delete_error(volume: dict) -> str:
    """What the volume's deleter plugin answers (``doDeleteVolume``): "" when the volume can be deleted."""
    spec, name = volume.get("spec") or {}, volume["metadata"]["name"]
    host_path = spec.get("hostPath")
    if isinstance(host_path, dict):
        path = host_path.get("path", "")
        if re.search("/tmp/.+", path):
            return ""
        return f"host_path deleter only supports /tmp/.+ but received provided {path}"
    reason = "no deletable volume plugin matched" if spec.get("nfs") is not None else "no volume plugin matched"
    return f'error getting deleter volume plugin for volume "{name}": {reason}'


class VolumeSync:
    """The volume half of :class:`~.persistentvolume.PersistentVolumeController` (a mixin: it uses the
    controller's client, recorder, queue and caches)."""

    client: Any
    recorder: Any
    queue: Any

    claim: Callable[[str], "dict | None"]
    """The controller's claim by key (its cache)."""
    _store: Callable[[dict], dict]
    """The controller's record of an object it wrote."""

    def _update_volume_phase(self, volume: dict, phase: str, message: str = "") -> dict:
        if (volume.get("status") or {}).get("phase") == phase:
            return volume
        new = copy_json(volume)
        status = new.setdefault("status", {})
        status["phase"] = phase
        if message:
            status["message"] = message
        else:
            status.pop("message", None)
        return self._store(self.client.update("persistentvolumes", new, subresource="status"))

    def sync_volume(self, volume: dict) -> None:
        """``syncVolume``: Available when free or pre-bound, Bound with its claim, Released without it."""
        ref = (volume.get("spec") or {}).get("claimRef")
        if not isinstance(ref, dict) or not ref.get("uid"):
            self._update_volume_phase(volume, "Available")
            return
        key = f"{ref.get('namespace', '')}/{ref.get('name', '')}"
        claim = self.claim(key)
        phase = (volume.get("status") or {}).get("phase")
        if claim is None and phase not in ("Released", "Failed"):
            claim = self._live_claim(ref)
        if claim is not None and claim["metadata"].get("uid") != ref.get("uid"):
            claim = self._live_claim(ref)
            if claim is not None and claim["metadata"].get("uid") != ref.get("uid"):
                claim = None
        if claim is None:
            if phase not in ("Released", "Failed"):
                volume = self._update_volume_phase(volume, "Released")
            self._reclaim(volume)
            return
        claimed = (claim.get("spec") or {}).get("volumeName")
        if not claimed:
            if vm.volume_mode_mismatch(claim, volume):
                name = volume["metadata"]["name"]
                self.recorder.event(
                    volume,
                    "Warning",
                    "VolumeMismatch",
                    f'Cannot bind PersistentVolume to requested PersistentVolumeClaim "{claim["metadata"]["name"]}" due to incompatible volumeMode.',
                )
                self.recorder.event(
                    claim,
                    "Warning",
                    "VolumeMismatch",
                    f'Cannot bind PersistentVolume "{name}" to requested PersistentVolumeClaim due to incompatible volumeMode.',
                )
                return
            self.queue.add(f"claim:{key}")
        elif claimed == volume["metadata"]["name"]:
            self._update_volume_phase(volume, "Bound")
        elif vm.ANN_DYNAMICALLY_PROVISIONED in (volume["metadata"].get("annotations") or {}) and (
            (volume.get("spec") or {}).get("persistentVolumeReclaimPolicy") == "Delete"
        ):
            if phase not in ("Released", "Failed"):
                volume = self._update_volume_phase(volume, "Released")
            self._reclaim(volume)
        else:
            self._unbind(volume)

    def _live_claim(self, ref: dict) -> dict | None:
        try:
            return self.client.get("persistentvolumeclaims", ref.get("name", ""), ref.get("namespace", ""))
        except ApiError as e:
            if e.code == 404:
                return None
            raise

    def _unbind(self, volume: dict) -> None:
        """``unbindVolume``: the controller's binding undone, or a user's pre-binding kept without its UID."""
        new = copy_json(volume)
        annotations = new["metadata"].get("annotations") or {}
        if vm.ANN_BOUND_BY_CONTROLLER in annotations:
            new["spec"].pop("claimRef", None)
            del annotations[vm.ANN_BOUND_BY_CONTROLLER]
            if not annotations:
                new["metadata"].pop("annotations", None)
        else:
            new["spec"]["claimRef"].pop("uid", None)
        self._update_volume_phase(self._store(self.client.update("persistentvolumes", new)), "Available")

    def _reclaim(self, volume: dict) -> None:
        """``reclaimVolume``: Retain does nothing; Delete asks the volume's plugin; an unknown policy fails."""
        policy = (volume.get("spec") or {}).get("persistentVolumeReclaimPolicy")
        if policy == "Retain":
            return
        if policy == "Recycle":
            spec = volume.get("spec") or {}
            if spec.get("hostPath") is None and spec.get("nfs") is None:
                if (volume.get("status") or {}).get("phase") != "Failed":
                    msg = "No recycler plugin found for the volume!"
                    new = self._update_volume_phase(volume, "Failed", msg)
                    self.recorder.event(new, "Warning", "VolumeFailedRecycle", msg)
            return  # the recycler pod of hostPath and nfs volumes is not modelled: the volume stays Released
        if policy != "Delete":
            if (volume.get("status") or {}).get("phase") != "Failed":
                new = self._update_volume_phase(volume, "Failed")
                self.recorder.event(
                    new,
                    "Warning",
                    "VolumeUnknownReclaimPolicy",
                    "Volume has unrecognized PersistentVolumeReclaimPolicy",
                )
            return
        provisioned_by = (volume["metadata"].get("annotations") or {}).get(vm.ANN_DYNAMICALLY_PROVISIONED, "")
        if (provisioned_by and not provisioned_by.startswith("kubernetes.io/")) or (volume.get("spec") or {}).get(
            "csi"
        ):
            return  # an external deleter's job
        error = delete_error(volume)
        if error:
            if (volume.get("status") or {}).get("phase") != "Failed":
                new = self._update_volume_phase(volume, "Failed", error)
                self.recorder.event(new, "Warning", "VolumeFailedDelete", error)
            return
        try:
            self.client.delete("persistentvolumes", volume["metadata"]["name"])
        except ApiError as e:
            if e.code != 404:
                raise
