"""A pod worker's volumes: the ConfigMaps and Secrets it reads, mounting them, and their periodic rebuild."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ktui.api.errors import ApiError
from ktui.components.kubelet.node_status import node_status
from ktui.components.kubelet.pod_values import SourceError
from ktui.components.kubelet.volumes import PodVolumes, needs_allocatable

__all__ = ["PodMounts", "VOLUME_RESYNC"]

VOLUME_RESYNC = 60.0
"""How often ConfigMap, Secret and downward API volumes are rebuilt (the kubelet's 1m sync period)."""


class PodMounts:
    """The volume half of a :class:`ktui.components.kubelet.pod_worker.PodWorker`."""

    __slots__ = ()

    kl: Any
    pod: dict
    spec: dict
    finished: bool
    killing: bool
    last_status: dict | None
    volumes: PodVolumes | None
    _objects: dict[tuple[str, str], dict | None] | None
    # (Attributes of the PodWorker's slots; assigning them here is assigning the worker's.)

    if TYPE_CHECKING:  # the PodWorker's

        @property
        def namespace(self) -> str: ...
        def _event(self, type_: str, reason: str, message: str, container: str = "") -> None: ...
        def schedule_sync(self, delay: float = 0.0) -> None: ...

    def lookup(self, resource: str, name: str) -> dict | None:
        """A ConfigMap or Secret of the pod's namespace from the kubelet's watch of it (None: not found)."""
        key = (resource, name)
        if self.kl.can_write:
            first = self._objects is None or key not in self._objects
            try:
                obj = self.kl.objects.get(resource, self.namespace, name, first)  # shared: only read
            except ApiError as e:
                raise SourceError(e.message) from None
            if self._objects is None:
                self._objects = {}  # type: ignore[misc]
            self._objects[key] = obj
            return obj
        if self._objects is not None and key in self._objects:
            return self._objects[key]
        raise SourceError(
            f"failed to sync {'configmap' if resource == 'configmaps' else 'secret'} cache: "
            "timed out waiting for the condition"
        )

    def allocatable(self) -> dict[str, str]:
        """The node's allocatable resources (what a resourceFieldRef to an unset limit reads)."""
        return node_status(self.kl.node, self.kl.ids, self.kl.kernel.now, [], None)["allocatable"]

    def _volume_allocatable(self) -> dict[str, str]:
        volumes = self.spec.get("volumes") or []
        mounted = self.volumes
        if mounted is None:
            return self.allocatable() if needs_allocatable(volumes) else {}
        known = mounted.reads_allocatable  # (the very volumes list, whether they read it)
        if known is None or known[0] is not volumes:
            known = mounted.reads_allocatable = (volumes, needs_allocatable(volumes))
        return self.allocatable() if known[1] else {}

    def _mount_volumes(self) -> bool:
        """Set up the pod's volumes (WaitForAttachAndMount); False while one is still failing."""
        if not self.spec.get("volumes"):
            return True
        if self.volumes is None:
            self.volumes = PodVolumes()  # type: ignore[misc]
        if not self.volumes.pending(self.pod):
            return True
        failures, retry = self.volumes.mount(self.pod, self.lookup, self._volume_allocatable(), self.kl.kernel.now)
        for volume, err in failures:
            self._event("Warning", "FailedMount", f'MountVolume.SetUp failed for volume "{volume}" : {err}')
        if retry is not None:
            self.schedule_sync(retry - self.kl.kernel.now)
            return False
        if self.volumes.refreshable() and not self.volumes.refresh_scheduled:
            self.volumes.refresh_scheduled = True
            self.kl.kernel.schedule(VOLUME_RESYNC, self._refresh_volumes)
        return True

    def _refresh_volumes(self) -> None:
        """The periodic sync rebuilds ConfigMap/Secret/downward API volumes, so running containers see changes."""
        assert self.volumes is not None  # scheduled only once volumes are mounted
        if self.finished or self.killing or (self.last_status or {}).get("phase") in ("Succeeded", "Failed"):
            self.volumes.refresh_scheduled = False
            return
        self.kl.kernel.schedule(VOLUME_RESYNC, self._refresh_volumes)
        if not self.kl.running:
            return
        for volume, err in self.volumes.refresh(self.pod, self.lookup, self._volume_allocatable()):
            self._event("Warning", "FailedMount", f'MountVolume.SetUp failed for volume "{volume}" : {err}')
