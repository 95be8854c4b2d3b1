"""The kubelet of one node: registers the Node, renews its Lease, posts node status, runs the pods bound
to it (and, on the control plane, the static pods) and serves their logs and exec to the API server.

Faults a scenario can inject are methods: ``stop``/``start`` (the kubelet process), ``power_off``/
``power_on`` (the machine), ``network_cut``/``network_restore`` and ``crash_container``.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Callable

from ktui.api import errors
from ktui.api.errors import ApiError
from ktui.api.events import EventRecorder
from ktui.api.informer import Informer
from ktui.components.base import node_ip
from ktui.components.kubelet.backoff import Backoff
from ktui.components.kubelet.heartbeat import LEASE_DURATION, LEASE_RENEW_FRACTION, NodeHeartbeat
from ktui.components.kubelet.images import ImageInfo, ImageRegistry, parse_image
from ktui.components.kubelet.node_local import HostLocalIPAM, NodeImages
from ktui.components.kubelet.object_cache import ObjectCache
from ktui.components.kubelet.pod_worker import PodWorker
from ktui.components.kubelet.process import process_for
from ktui.components.kubelet.runtime import Container, ContainerRuntime
from ktui.components.kubelet.server import KubeletServer
from ktui.components.kubelet.static_pods import control_plane_manifests, mirror_pod, static_pod
from ktui.components.kubelet.status_writer import SHARED
from ktui.sim.timefmt import parse_duration

__all__ = ["Kubelet", "FLAGS"]

DEFAULT_STATUS_REPORT_FREQUENCY = "5m0s"
FLAGS: dict[str, Any] = {
    "node-status-update-frequency": "",
    "node-status-report-frequency": "",
}
"""The kubelet flags ktui reads and their defaults ("" = unset: 10s, and 5m0s unless the update frequency
was set, as the kubelet's config defaulting does)."""
_DEFAULT_STATUS_UPDATE_FREQUENCY = "10s"

_PRELOADED_WORKER = ("registry.k8s.io/kube-proxy:v1.37.1", "registry.k8s.io/pause:3.10")
_PRELOADED_CONTROL_PLANE = _PRELOADED_WORKER + (
    "registry.k8s.io/etcd:3.6.5-0",
    "registry.k8s.io/kube-apiserver:v1.37.1",
    "registry.k8s.io/kube-controller-manager:v1.37.1",
    "registry.k8s.io/kube-scheduler:v1.37.1",
    "registry.k8s.io/coredns/coredns:v1.12.1",
)


class Kubelet(NodeHeartbeat, KubeletServer):
    """The kubelet of ``node`` (its entry of the normalised cluster spec, with ``ip`` and ``index``).

    Args:
        ctx: the component context; its flags are :data:`FLAGS` (``node-status-update-frequency``: how often
            the status is computed and posted if it changed; ``node-status-report-frequency``: how often it
            is posted when nothing changed).
        node: the node's spec entry.
        registry: the world's image registry (shared by every kubelet); a private one when None.
    """

    name = "kubelet"
    FLAGS = FLAGS

    def __init__(self, ctx: Any, node: dict[str, Any], registry: ImageRegistry | None = None) -> None:
        self.ctx = ctx
        self.kernel = ctx.kernel
        self.client = ctx.client
        self.node = dict(node)
        self.node_name: str = node["name"]
        self.node_ip: str = node.get("ip") or node_ip(int(node.get("index", 0)))
        self.node["ip"] = self.node_ip
        self.registry = registry or ImageRegistry()
        self.runtime = ContainerRuntime(
            self.kernel, int(float(str(node.get("cpu", "2")).rstrip("m") or 2)), self._on_container_exit
        )
        self.recorder = EventRecorder(self.client, "kubelet", self.node_name)
        self.image_backoff = Backoff(10.0, 300.0)
        self.crash_backoff = Backoff(10.0, 300.0)
        self.node_images = NodeImages(self.kernel, self.registry)
        self.ipam = HostLocalIPAM()
        self.workers: dict[str, PodWorker] = {}
        """Pod workers by pod UID (static pods by their config hash)."""
        self.running = False
        self.powered = True
        self.network_ok = True
        self.registered = False
        self.node_uid = ""
        self.pod_cidr = ""
        flags = ctx.flags or {}
        self.status_period = parse_duration(
            str(flags.get("node-status-update-frequency") or _DEFAULT_STATUS_UPDATE_FREQUENCY)
        )
        """nodeStatusUpdateFrequency: how often the status is computed (and posted when it changed)."""
        report = flags.get("node-status-report-frequency") or (
            # As the kubelet's config defaulting: an explicitly set update frequency is also the report one.
            flags.get("node-status-update-frequency") or DEFAULT_STATUS_REPORT_FREQUENCY
        )
        self.status_report_period = parse_duration(str(report))
        """nodeStatusReportFrequency: an unchanged status is still posted this often."""
        self.lease_period = LEASE_DURATION * LEASE_RENEW_FRACTION
        self._last_report = float("-inf")
        """When the node status was last posted."""
        self._quiet: tuple | None = None
        """(Node resourceVersion, image changes, boot ID) at the last status tick that found nothing to post."""
        self._nothing_new = False
        """True from a status tick that found nothing to post in the Node its informer holds until that Node,
        the node's images or its boot ID change: the next ticks have nothing to post either (until the report
        is due), without looking."""
        self._lease: dict | None = None
        """The Lease as last written (the lease controller's ``latestLease``), updated without a GET."""
        self.ids = {"machineID": ctx.rng.hexdigits(32), "systemUUID": ctx.rng.uid(), "bootID": ctx.rng.uid()}
        self._timers: list[Any] = []
        self._informer: Informer | None = None
        self.objects = ObjectCache(self.client)
        """The ConfigMaps and Secrets the node's pods read, each watched."""
        self._node_informer = None
        """The kubelet's own Node (``metadata.name=<node>``), which a status tick reads first, as the kubelet's
        node lister."""
        self.exec_hook: Callable[[Any, dict, Container, list[str]], tuple[str, str, int] | None] | None = None
        """Programs served by a layer above (the network's nslookup, curl ...): ``hook(kubelet, pod, container,
        argv)`` returns (stdout, stderr, exit code), or None to let the container runtime run ``argv``."""
        for image in _PRELOADED_CONTROL_PLANE if node.get("role") == "control-plane" else _PRELOADED_WORKER:
            self.node_images.add(image)
        self.node_images.on_change = self._status_inputs_changed

    # ------------------------------------------------------------------ process lifecycle

    def start(self) -> None:
        """Start (or restart) the kubelet process: register, heartbeat, watch pods, resync what runs."""
        if self.running or not self.powered:
            return
        self.running = True
        if self.ctx.register_endpoint is not None:
            self.ctx.register_endpoint(self.node_name, self)
        if self.network_ok:
            self._connect()

    def _connect(self) -> None:
        first = not self.registered
        self._register()
        self._renew_lease()
        if self.status_period == self.lease_period:
            # The two ticks fall due together, the status one right after the Lease one: one event does both.
            self._timers = [self.kernel.schedule(self.lease_period, self._heartbeat_tick)]
        else:
            self._timers = [
                self.kernel.schedule(self.lease_period, self._lease_tick),
                self.kernel.schedule(self.status_period, self._status_tick),
            ]
        self._informer = Informer(self.client, "pods", field_selector=f"spec.nodeName={self.node_name}")
        self._informer.add_handler(self._on_pod, self._on_pod_update, self._on_pod_delete)
        self._informer.start()
        self._nothing_new = False
        self._node_informer = Informer(self.client, "nodes", field_selector=f"metadata.name={self.node_name}")
        changed = self._status_inputs_changed
        self._node_informer.add_handler(changed, changed, changed)
        self._node_informer.start()
        live = {p["metadata"].get("uid") for p in self._informer.cache.values()}
        for uid, w in sorted(self.workers.items()):
            if not w.static and uid not in live:
                w.remove()
            else:
                w.last_status = None
                w.schedule_sync()
        if first and self.node.get("role") == "control-plane":
            for manifest in control_plane_manifests(self.node_ip, self.ctx.spec or {}):
                pod = static_pod(manifest, self.node_name, self.kernel.now)
                if pod["metadata"]["uid"] not in self.workers:
                    w = self.workers[pod["metadata"]["uid"]] = PodWorker(self, pod, static=True)
                    w.schedule_sync()

    def _disconnect(self) -> None:
        for t in self._timers:
            t.cancel()
        self._timers = []
        for inf in (self._informer, self._node_informer):
            if inf is not None:
                inf.stop()
        self.objects.stop()
        self._informer = self._node_informer = None

    def stop(self) -> None:
        """Stop the kubelet process: no heartbeats, no pod management; containers keep running."""
        if not self.running:
            return
        self.running = False
        self._disconnect()
        self._cancel_pulls()

    def power_off(self) -> None:
        """Switch the machine off: the kubelet stops and every container dies."""
        self.stop()
        self.powered = False
        self.runtime.power_off()

    def power_on(self) -> None:
        """Boot the machine: a new boot ID, sandboxes recreated, containers restarted (restartCount + 1)."""
        if self.powered:
            return
        self.powered = True
        self.runtime.power_on()
        self.ids["bootID"] = self.ctx.rng.uid()
        self._nothing_new = False
        for w in self.workers.values():
            if w.sandbox_ready:
                w.sandbox_ready = False
                w.sandbox_attempt += 1
                self.release_ip(w.uid)
            w.sandbox_ip = ""
        self.start()
        if self.running and self.network_ok:
            self._node_event(
                "Warning", "Rebooted", f"Node {self.node_name} has been rebooted, boot id: {self.ids['bootID']}"
            )

    def network_cut(self) -> None:
        """The node loses the API server: writes are dropped, heartbeats stop, containers keep running."""
        if not self.network_ok:
            return
        self.network_ok = False
        self._disconnect()

    def network_restore(self) -> None:
        if self.network_ok:
            return
        self.network_ok = True
        if self.running:
            self._connect()

    def crash_container(self, namespace: str, pod: str, container: str, exit_code: int = 1) -> None:
        """Make a running container exit (1: a crash, 137: killed); it restarts as its policy says."""
        w = self._worker_by_name(namespace, pod)
        c = w.container(container) if w else None
        if c is None or c.state != "running":
            raise errors.bad_request(f'container "{container}" in pod "{pod}" is not running')
        self.runtime.kill(c.id, exit_code, "Error")

    @property
    def can_write(self) -> bool:
        return self.running and self.network_ok

    # ------------------------------------------------------------------ pods from the API

    def _on_pod(self, pod: dict) -> None:
        md = pod["metadata"]
        if (md.get("annotations") or {}).get("kubernetes.io/config.mirror") or not self.running:
            return
        w = self.workers.get(md["uid"])
        if w is not None:
            w.update(pod)
            return
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed") and not md.get("deletionTimestamp"):
            return
        w = self.workers[md["uid"]] = PodWorker(self, pod)
        w.schedule_sync()

    def _on_pod_update(self, old: dict, new: dict) -> None:
        self._on_pod(new)

    def _on_pod_delete(self, pod: dict) -> None:
        md = pod["metadata"]
        mirror = (md.get("annotations") or {}).get("kubernetes.io/config.mirror")
        if mirror:
            w = self.workers.get(mirror)
            if w is not None and not w.finished:
                w.last_status = None
                w.write_status()
            return
        w = self.workers.get(md["uid"])
        if w is not None:
            w.remove()

    def pod_finished(self, w: PodWorker) -> None:
        """A worker stopped everything: delete the pod (graceful deletion ends here) and forget it."""
        md = w.pod["metadata"]
        if not w.removed and not w.static and md.get("deletionTimestamp") and self.can_write:
            try:
                self.client.delete(
                    "pods", w.name, namespace=w.namespace, grace_period_seconds=0, preconditions={"uid": w.uid}
                )
            except ApiError:
                pass
        for cs in w.cstates.values():
            for cid in (cs.current, cs.previous):
                if cid:
                    self.runtime.remove(cid)
        if self.workers.get(w.uid) is w:
            for resource, name in w._objects or ():
                self.objects.release(resource, w.namespace, name)
        self.workers.pop(w.uid, None)

    def write_pod_status(self, w: PodWorker, status: dict) -> bool:
        """Write one pod's status (a static pod's goes to its mirror pod); False when it could not."""
        if not self.can_write:
            return False
        try:
            pod = self.client.get("pods", w.name, namespace=w.namespace, shared=True)  # read only here
        except ApiError as e:
            if e.code != 404 or not w.static:
                return False
            try:
                pod = self.client.create(
                    "pods", mirror_pod(w.pod, self.node_name, self.node_uid), namespace=w.namespace
                )
            except ApiError:
                return False
        if not w.static and pod["metadata"].get("uid") != w.uid:
            return False
        try:
            stored = self.client.update(
                "pods", {**pod, "status": status}, namespace=w.namespace, subresource="status", shared=True
            )  # read only, as the pods its informer hands it
        except ApiError:
            return False
        if not w.static:
            w.pod = stored
        else:
            w.pod = {**w.pod, "status": stored.get("status", status)}
        return True

    def pod_event(self, pod: dict, type_: str, reason: str, message: str, container: str = "") -> None:
        """An event about a pod (or one of its containers, ``spec.containers{name}``)."""
        if not self.can_write:
            return
        obj = {"kind": "Pod", "apiVersion": "v1", "metadata": pod["metadata"]}
        if container:
            spec = pod.get("spec") or {}
            field = (
                "initContainers"
                if any(c["name"] == container for c in spec.get("initContainers") or [])
                else "containers"
            )
            self.recorder.event(obj, type_, reason, message, field_path=f"spec.{field}{{{container}}}")
        else:
            self.recorder.event(obj, type_, reason, message)

    # ------------------------------------------------------------------ images and pod IPs

    def image_present(self, image: str) -> bool:
        return self.node_images.has(image)

    def request_pull(self, image: str, done: Callable[[Any, float], None]) -> None:
        self.node_images.pull(image, done)

    def _cancel_pulls(self) -> None:
        self.node_images.cancel()
        for w in self.workers.values():
            w.pulling = ""

    def allocate_ip(self, uid: str) -> str:
        """The pod's IP from the node's podCIDR ("" until the node controller has given it one)."""
        if not self.pod_cidr and self.can_write:
            try:
                self.pod_cidr = (self.client.get("nodes", self.node_name).get("spec") or {}).get("podCIDR", "")
            except ApiError:
                return ""
        return self.ipam.allocate(uid, self.pod_cidr) if self.pod_cidr else ""

    def release_ip(self, uid: str) -> None:
        self.ipam.release(uid)

    def bridge_ip(self, w: PodWorker) -> str:
        """Where probes come from: the node's cni0 bridge (.1 of the podCIDR), or the node for host pods."""
        if w.spec.get("hostNetwork") or not self.pod_cidr:
            return self.node_ip
        return str(ipaddress.ip_network(self.pod_cidr, strict=False).network_address + 1)

    # ------------------------------------------------------------------ the runtime

    def new_container(self, w: PodWorker, spec_c: dict, cid: str, attempt: int, info: ImageInfo) -> Container:
        argv, env, hostname, memory = process_for(spec_c, w.pod, info, w.sandbox_ip, self.node_ip, self.ctx.spec or {})
        ref = parse_image(spec_c["image"])
        digest = self.node_images.get(spec_c["image"])[1]
        return Container(
            cid,
            w.uid,
            spec_c["name"],
            attempt,
            SHARED.canonical(ref.full),
            SHARED.canonical(f"{ref.name}@{digest}"),
            info,
            SHARED.canonical(argv),  # one list per distinct argv (a container's argv is only read)
            SHARED.share(env),
            hostname,
            w.sandbox_ip,
            memory,
            stdin=bool(spec_c.get("stdin")),
        )

    def _on_container_exit(self, cid: str) -> None:
        c = self.runtime.containers.get(cid)
        w = self.workers.get(c.pod_uid) if c else None
        if w is not None:
            w.container_exited(cid)
