"""A pod worker's status: built from its containers, written when it changed (the kubelet's status manager)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ktui.components.kubelet.pod_status import (
    CState,
    container_status,
    get_phase,
    is_sidecar,
    pod_conditions,
    same_status,
)
from ktui.sim.timefmt import rfc3339
from ktui.store.sharing import Sharer

__all__ = ["SHARED", "StatusWriter", "remembered"]

SHARED = Sharer(50_000)
"""Equal parts of what kubelets remember (statuses' conditions, container states and IP lists; containers'
environments and image names) kept once, across kubelets: memory only, no value's contents change."""


class StatusWriter:
    """The status half of a :class:`ktui.components.kubelet.pod_worker.PodWorker`."""

    __slots__ = ()

    kl: Any
    pod: dict
    spec: dict
    sandbox_ip: str
    sandbox_ready: bool
    start_time: float | None
    last_status: dict | None

    if TYPE_CHECKING:  # the PodWorker's

        def _init_specs(self) -> list[dict]: ...
        def _app_specs(self) -> list[dict]: ...
        def _cs(self, spec_c: dict, init: bool) -> CState: ...
        def container(self, name: str, previous: bool = False) -> Any: ...

    def build_status(self, final: bool = False) -> dict:
        init_specs, app_specs = self._init_specs(), self._app_specs()
        init_st = [container_status(s, self._cs(s, True), self.container(s["name"])) for s in init_specs]
        app_st = [container_status(s, self._cs(s, False), self.container(s["name"])) for s in app_specs]
        if any(
            not is_sidecar(s) and st["state"].get("terminated", {}).get("exitCode", 1) != 0
            for s, st in zip(init_specs, init_st)
        ):
            for st in app_st:
                if st["state"].get("waiting", {}).get("reason") == "ContainerCreating":
                    st["state"]["waiting"]["reason"] = "PodInitializing"
        phase = get_phase(self.spec, init_st, app_st, init_specs)
        if final:
            codes = [st["state"].get("terminated", {}).get("exitCode", 1) for st in app_st]
            phase = "Succeeded" if codes and all(c == 0 for c in codes) else "Failed"
        old = self.pod.get("status") or {}
        status: dict[str, Any] = {}
        gen = self.pod["metadata"].get("generation")
        if gen is not None:
            status["observedGeneration"] = gen
        status["phase"] = phase
        status["conditions"] = pod_conditions(
            self.pod, phase, self.sandbox_ready and not final, init_st, app_st, init_specs, self.kl.kernel.now
        )
        status["hostIP"] = self.kl.node_ip
        status["hostIPs"] = [{"ip": self.kl.node_ip}]
        if self.sandbox_ip:
            status["podIP"] = self.sandbox_ip
            status["podIPs"] = [{"ip": self.sandbox_ip}]
        if self.start_time is not None:
            status["startTime"] = old.get("startTime") or rfc3339(self.start_time)
        if init_st:
            status["initContainerStatuses"] = init_st
        status["containerStatuses"] = app_st
        status["qosClass"] = old.get("qosClass", "BestEffort")
        return status

    def write_status(self, final: bool = False) -> None:
        status = self.build_status(final)
        if same_status(status, self.last_status):
            return
        if self.kl.write_pod_status(self, status):
            self.last_status = remembered(status, self.pod.get("status") or {})  # type: ignore[misc]


def remembered(status: dict, stored: dict) -> dict:
    """``status`` as the worker keeps it to compare the next one with: each part equal to the stored status's
    (the API server's answer to the write) is that stored, immutable part; the others (the conditions, which
    the stored status has without ``lastProbeTime: null``) are kept once across kubelets (:data:`SHARED`).
    Only memory changes: the result equals ``status``."""
    for k, v in status.items():
        s = stored.get(k, _MISSING)
        if s is v:
            continue
        if type(s) is type(v) and s == v:
            status[k] = s
        elif type(v) in (dict, list, str):
            status[k] = SHARED.canonical(v)
    return status


_MISSING = object()
