"""One pod's worker: sandbox, init containers in order, image pulls, starts, restarts with back-off, probes,
graceful termination, and the status it writes — the kubelet's ``SyncPod`` on the simulated clock.

``sync`` is level-triggered and safe to run at any time: it compares the pod's spec with what the runtime
has and takes the next step. Long steps (image pulls) finish through a callback that syncs again.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from ktui.api.errors import ApiError
from ktui.components.kubelet.backoff import go_duration
from ktui.components.kubelet.filesystem import container_mounts
from ktui.components.kubelet.images import PullError, parse_image
from ktui.components.kubelet.node_status import node_status
from ktui.components.kubelet.pod_status import (
    CState,
    container_status,
    get_phase,
    is_sidecar,
    pod_conditions,
    same_status,
    terminated_state,
)
from ktui.components.kubelet.pod_values import SourceError
from ktui.components.kubelet.probes import ProbeMixin
from ktui.components.kubelet.process import resolve_env
from ktui.components.kubelet.volumes import PodVolumes, needs_allocatable
from ktui.sim.timefmt import rfc3339
from ktui.store.sharing import Sharer

if TYPE_CHECKING:
    from ktui.components.kubelet.host import PodHost

__all__ = ["PodWorker"]

CONFIG_ERROR_RETRY = 10.0
"""The pod worker's back-off after a failed sync (kubelet ``backOffPeriod``; the real one adds up to 50% jitter)."""
SHARED = Sharer(50_000)
"""Equal parts of what kubelets remember (statuses' conditions, container states and IP lists; containers'
environments and image names) kept once, across kubelets: memory only, no value's contents change."""

VOLUME_RESYNC = 60.0
"""How often ConfigMap, Secret and downward API volumes are rebuilt (the kubelet's 1m sync period)."""


def pull_policy(spec_c: dict) -> str:
    policy = spec_c.get("imagePullPolicy")
    if policy:
        return policy
    ref = parse_image(spec_c.get("image", ""))
    return "Always" if ref.tag == "latest" and not ref.digest else "IfNotPresent"


class PodWorker(ProbeMixin):
    """Drives one pod on one node.

    Args:
        kubelet: the owning kubelet, seen through :class:`ktui.components.kubelet.host.PodHost`.
        pod: the pod as the API (or a static manifest) gives it.
        static: whether the pod comes from a manifest file (its status goes to a mirror pod).
    """

    __slots__ = (
        "kl",
        "pod",
        "uid",
        "static",
        "sandbox_ip",
        "sandbox_ready",
        "sandbox_attempt",
        "start_time",
        "cstates",
        "pulling",
        "removed",
        "killing",
        "finished",
        "last_status",
        "_sync_pending",
        "_resync",
        "volumes",
        "config_retry",
        "_objects",
    )

    def __init__(self, kubelet: "PodHost", pod: dict, static: bool = False) -> None:
        self.kl = kubelet
        self.pod = pod
        self.uid = pod["metadata"]["uid"]
        self.static = static
        self.sandbox_ip = ""
        self.sandbox_ready = False
        self.sandbox_attempt = 0
        self.start_time: float | None = None
        self.cstates: dict[str, CState] = {}
        self.pulling = ""
        """The container whose image is being pulled ("" when idle)."""
        self.removed = False
        """The pod is gone from the API (or was never there, for a static pod that was removed)."""
        self.killing = False
        self.finished = False
        self.last_status: dict | None = None
        self._sync_pending = False
        self._resync: Any = None
        self.volumes: PodVolumes | None = None
        """The pod's volumes, as the volume manager mounted them (None until it first mounts one)."""
        self.config_retry: dict[str, float] | None = None
        """When a container that failed with CreateContainerConfigError may be tried again (None: none did)."""
        self._objects: dict[tuple[str, str], dict | None] | None = None
        """ConfigMaps and Secrets last read (what the kubelet's watch cache holds while the API is unreachable);
        None until the first read."""

    # ------------------------------------------------------------------ plumbing

    @property
    def spec(self) -> dict:  # type: ignore[override]
        return self.pod.get("spec") or {}

    @property
    def name(self) -> str:
        return self.pod["metadata"]["name"]

    @property
    def namespace(self) -> str:
        return self.pod["metadata"].get("namespace", "default")

    def _init_specs(self) -> list[dict]:
        return list(self.spec.get("initContainers") or [])

    def _app_specs(self) -> list[dict]:
        return list(self.spec.get("containers") or [])

    def _cs(self, spec_c: dict, init: bool) -> CState:
        cs = self.cstates.get(spec_c["name"])
        if cs is None:
            cs = self.cstates[spec_c["name"]] = CState(spec_c["name"], init)
        return cs

    def _event(self, type_: str, reason: str, message: str, container: str = "") -> None:
        self.kl.pod_event(self.pod, type_, reason, message, container)

    def update(self, pod: dict) -> None:
        self.pod = pod
        self.schedule_sync()

    def remove(self) -> None:
        self.removed = True
        self.schedule_sync()

    def schedule_sync(self, delay: float = 0.0) -> None:
        """Sync now (once, however often asked) or at a later time (the earliest request wins)."""
        if delay <= 0:
            if not self._sync_pending:
                self._sync_pending = True
                self.kl.kernel.call_soon(self._run_sync)
            return
        when = self.kl.kernel.now + delay
        if self._resync is not None and not self._resync.cancelled and self._resync.time <= when:
            return
        if self._resync is not None:
            self._resync.cancel()
        self._resync = self.kl.kernel.schedule_at(when, self._run_resync)

    def _run_resync(self) -> None:
        self._resync = None
        self.sync()

    def _run_sync(self) -> None:
        self._sync_pending = False
        self.sync()

    def container(self, name: str, previous: bool = False) -> Any:
        cs = self.cstates.get(name)
        if cs is None:
            return None
        return self.kl.runtime.containers.get(cs.previous if previous else cs.current)

    # ------------------------------------------------------------------ the sync loop

    def sync(self) -> None:
        if self.finished or not self.kl.running:
            return
        if self.removed or self.pod["metadata"].get("deletionTimestamp"):
            self._terminate()
            return
        if self.pulling:
            return
        if self.last_status and self.last_status.get("phase") in ("Succeeded", "Failed"):
            return
        now = self.kl.kernel.now
        if self.start_time is None:
            self.start_time = now
        if not self._mount_volumes():
            self.write_status()
            return
        if not self.sandbox_ready and not self._create_sandbox():
            self.write_status()
            return
        for spec_c in self._init_specs():
            cs = self._cs(spec_c, True)
            c = self.container(spec_c["name"])
            if is_sidecar(spec_c):
                if c is not None and c.state == "running":
                    continue
                if not self._ensure_running(spec_c, cs, True):
                    self.write_status()
                    return
                continue
            if c is not None and c.state == "exited" and c.exit_code == 0 and not cs.waiting_reason:
                continue
            if c is not None and c.state == "running":
                self.write_status()
                return
            if c is not None and c.state == "exited" and self.spec.get("restartPolicy") == "Never":
                self.write_status()
                return
            self._ensure_running(spec_c, cs, True)
            self.write_status()
            return
        for spec_c in self._app_specs():
            cs = self._cs(spec_c, False)
            c = self.container(spec_c["name"])
            if c is not None and c.state == "running":
                continue
            if c is not None and c.state == "exited" and not self._should_restart(c):
                continue
            self._ensure_running(spec_c, cs, False)
            if self.pulling:
                break
        self.write_status()

    def _should_restart(self, c: Any) -> bool:
        policy = self.spec.get("restartPolicy", "Always")
        return policy == "Always" or (policy == "OnFailure" and c.exit_code != 0)

    def _create_sandbox(self) -> bool:
        if self.spec.get("hostNetwork"):
            ip = self.kl.node_ip
        else:
            ip = self.kl.allocate_ip(self.uid)
            if not ip:
                self.schedule_sync(1.0)
                return False
        if self.sandbox_attempt:
            self._event("Normal", "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.")
        self.sandbox_ip, self.sandbox_ready = ip, True
        return True

    # ------------------------------------------------------------------ ConfigMaps, Secrets, volumes

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
                self._objects = {}
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
            self.volumes = PodVolumes()
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

    def _config_error(self, spec_c: dict, cs: CState, message: str) -> bool:
        """generateContainerConfig failed: CreateContainerConfigError, a Failed event, a retry after back-off."""
        name = spec_c["name"]
        old = self.container(name)
        if old is not None and old.state == "exited":
            cs.last = terminated_state(old)
        self._event("Warning", "Failed", f"Error: {message}", name)
        cs.waiting_reason, cs.waiting_message = "CreateContainerConfigError", message
        if self.config_retry is None:
            self.config_retry = {}
        self.config_retry[name] = self.kl.kernel.now + CONFIG_ERROR_RETRY
        self.schedule_sync(CONFIG_ERROR_RETRY)
        return False

    def _ensure_running(self, spec_c: dict, cs: CState, init: bool) -> bool:
        """Start ``spec_c`` unless back-off or an image problem forbids it; True when it is running now."""
        now = self.kl.kernel.now
        name = spec_c["name"]
        retry = self.config_retry.get(name) if self.config_retry else None
        if retry is not None and now < retry and cs.waiting_reason == "CreateContainerConfigError":
            self.schedule_sync(retry - now)
            return False
        old = self.container(name)
        if old is not None and old.state == "exited":
            key = f"{self.name}_{self.namespace}_{self.uid}_{name}"
            if self.kl.crash_backoff.in_backoff_since(key, old.finished_at, now):
                delay = self.kl.crash_backoff.get(key)
                msg = f"back-off {go_duration(delay)} restarting failed container={name} pod={self._format()}"
                if cs.waiting_reason != "CrashLoopBackOff" or cs.waiting_message != msg:
                    self._event(
                        "Warning",
                        "BackOff",
                        f"Back-off restarting failed container {name} in pod {self._format()}",
                        name,
                    )
                cs.waiting_reason, cs.waiting_message = "CrashLoopBackOff", msg
                cs.last = terminated_state(old)
                self.schedule_sync(self.kl.crash_backoff.until(key, old.finished_at) - now)
                return False
            self.kl.crash_backoff.next(key, old.finished_at)
        if cs.pull_failed_at == now:
            return False
        image = spec_c.get("image", "")
        policy = pull_policy(spec_c)
        present = self.kl.image_present(image)
        if policy == "Never" and not present:
            msg = f'Container image "{image}" is not present with pull policy of Never'
            self._event("Warning", "ErrImageNeverPull", msg, name)
            self._event("Warning", "Failed", "Error: ErrImageNeverPull", name)
            cs.waiting_reason, cs.waiting_message = "ErrImageNeverPull", msg
            return False
        if present and policy != "Always":
            self._event(
                "Normal",
                "Pulled",
                f'Container image "{image}" already present on machine and can be accessed by the pod',
                name,
            )
            return self._start(spec_c, cs)
        key = f"{self.uid}_{image}"
        if self.kl.image_backoff.in_backoff_since_update(key, now):
            self._event("Normal", "BackOff", f'Back-off pulling image "{image}"', name)
            self._event("Warning", "Failed", "Error: ImagePullBackOff", name)
            reason_msg = cs.waiting_message.split("ErrImagePull: ", 1)[-1] if cs.waiting_message else ""
            cs.waiting_reason = "ImagePullBackOff"
            cs.waiting_message = f'Back-off pulling image "{image}": ErrImagePull: {reason_msg}'
            self.schedule_sync(self.kl.image_backoff.until(key) - now)
            return False
        self._event("Normal", "Pulling", f'Pulling image "{image}"', name)
        self.pulling = name
        self.kl.request_pull(image, partial(self.pull_done, name, image, now))
        return False

    def pull_done(self, name: str, image: str, asked: float, result: Any, took: float) -> None:
        """The node's puller finished ``image`` for container ``name`` (``result`` is the info or a PullError)."""
        self.pulling = ""
        if self.finished:
            return
        now = self.kl.kernel.now
        cs = self.cstates[name]
        spec_c = next((c for c in self._init_specs() + self._app_specs() if c["name"] == name), None)
        if isinstance(result, PullError):
            self._event("Warning", "Failed", f'Failed to pull image "{image}": {result}', name)
            self.kl.image_backoff.next(f"{self.uid}_{image}", now)
            self._event("Warning", "Failed", "Error: ErrImagePull", name)
            cs.waiting_reason, cs.waiting_message, cs.pull_failed_at = "ErrImagePull", str(result), now
            self.schedule_sync(1.0)
        else:
            size = self.kl.node_images.get(image)[2]
            self._event(
                "Normal",
                "Pulled",
                f'Successfully pulled image "{image}" in {go_duration(took)} '
                f"({go_duration(now - asked)} including waiting). Image size: {size} bytes.",
                name,
            )
            if spec_c is not None and not self.removed and not self.pod["metadata"].get("deletionTimestamp"):
                self._start(spec_c, cs)
        self.sync()

    def _start(self, spec_c: dict, cs: CState) -> bool:
        name = spec_c["name"]
        try:  # generateContainerConfig: the environment's sources and the mounts
            allocatable = self.allocatable() if _uses_resources(spec_c) else {}
            resolved = resolve_env(spec_c, self.pod, self.lookup, allocatable)
            mounts = container_mounts(spec_c, self.volumes.mounted if self.volumes is not None else {})
        except SourceError as e:
            return self._config_error(spec_c, cs, str(e))
        if self.config_retry:
            self.config_retry.pop(name, None)
        info = self.kl.registry.info(spec_c["image"])
        ref = parse_image(spec_c["image"])
        old = self.container(name)
        if old is not None:
            cs.restart_count += 1
            cs.last = terminated_state(old)
            if cs.previous:
                self.kl.runtime.remove(cs.previous)
            cs.previous = old.id
        if info is None:  # present on the node but unknown to the catalogue (loaded by hand): a shell image
            info = self.kl.registry.info("busybox")
        cid = self.kl.ctx.rng.hexdigits(64)
        c = self.kl.new_container(self, resolved, cid, cs.restart_count, info)
        for m in mounts:
            c.fs.add_mount(m)
        _, digest, _ = self.kl.node_images.get(spec_c["image"])
        cs.image, cs.image_id = SHARED.canonical(ref.full), SHARED.canonical(f"{ref.name}@{digest}")
        cs.current, cs.waiting_reason, cs.waiting_message = cid, "", ""
        cs.ready, cs.started = False, False
        cs.pull_failed_at = -1.0
        self.kl.runtime.create(c)
        self._event("Normal", "Created", "Container created", name)
        self.kl.runtime.start(cid)
        self._event("Normal", "Started", "Container started", name)
        self._start_probes(spec_c, cs)
        return c.state == "running"

    def _format(self) -> str:
        return f"{self.name}_{self.namespace}({self.uid})"

    # ------------------------------------------------------------------ exits and probes

    def container_exited(self, cid: str) -> None:
        for cs in self.cstates.values():
            if cs.current == cid:
                cs.ready = cs.started = False
                self._stop_probes(cs)
        self.schedule_sync()

    # ------------------------------------------------------------------ termination

    def _grace(self) -> float:
        md = self.pod["metadata"]
        if not self.removed and md.get("deletionGracePeriodSeconds") is not None:
            return float(md["deletionGracePeriodSeconds"])
        return float(self.spec.get("terminationGracePeriodSeconds", 30))

    def _terminate(self) -> None:
        running = [
            cs
            for cs in self.cstates.values()
            if (c := self.kl.runtime.containers.get(cs.current)) is not None and c.state == "running"
        ]
        if not self.killing:
            self.killing = True
            if self._resync is not None:
                self._resync.cancel()
            grace = self._grace()
            for cs in running:
                self._stop_probes(cs)
                self._event("Normal", "Killing", f"Stopping container {cs.name}", cs.name)
                self.kl.runtime.stop(cs.current, grace)
        if running:
            self.write_status()
            return
        if self.pulling:
            return  # the pull's callback syncs again and finds nothing to start
        self.finished = True
        self.sandbox_ready = False
        self.kl.release_ip(self.uid)
        if not self.removed:
            self.write_status(final=True)
        self.kl.pod_finished(self)

    # ------------------------------------------------------------------ status

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
            self.last_status = remembered(status, self.pod.get("status") or {})


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


def _uses_resources(spec_c: dict) -> bool:
    return any((e.get("valueFrom") or {}).get("resourceFieldRef") for e in spec_c.get("env") or [])
