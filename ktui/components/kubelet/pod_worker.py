"""One pod's worker: sandbox, init containers in order, image pulls, starts, restarts with back-off, probes,
graceful termination, and the status it writes — the kubelet's ``SyncPod`` on the simulated clock.

``sync`` is level-triggered and safe to run at any time: it compares the pod's spec with what the runtime
has and takes the next step. Long steps (image pulls) finish through a callback that syncs again.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from ktui.components.kubelet.backoff import go_duration
from ktui.components.kubelet.filesystem import container_mounts
from ktui.components.kubelet.images import PullError, parse_image
from ktui.components.kubelet.pod_mounts import PodMounts
from ktui.components.kubelet.pod_status import (
    CState,
    is_sidecar,
    terminated_state,
)
from ktui.components.kubelet.pod_values import SourceError
from ktui.components.kubelet.probes import ProbeMixin
from ktui.components.kubelet.process import resolve_env
from ktui.components.kubelet.status_writer import SHARED, StatusWriter
from ktui.components.kubelet.volumes import PodVolumes

if TYPE_CHECKING:
    from ktui.components.kubelet.host import PodHost

__all__ = ["PodWorker"]

CONFIG_ERROR_RETRY = 10.0
"""The pod worker's back-off after a failed sync (kubelet ``backOffPeriod``; the real one adds up to 50% jitter)."""


def pull_policy(spec_c: dict) -> str:
    policy = spec_c.get("imagePullPolicy")
    if policy:
        return policy
    ref = parse_image(spec_c.get("image", ""))
    return "Always" if ref.tag == "latest" and not ref.digest else "IfNotPresent"


class PodWorker(ProbeMixin, PodMounts, StatusWriter):
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


def _uses_resources(spec_c: dict) -> bool:
    return any((e.get("valueFrom") or {}).get("resourceFieldRef") for e in spec_c.get("env") or [])
