"""The kubelet's node heartbeats: registering the Node, renewing its Lease every 10 s and posting the Node's
status when it changed or every ``node-status-report-frequency`` (kubelet_node_status.go, the node lease
controller)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ktui.api.errors import ApiError
from ktui.components.kubelet.node_status import (
    images_list,
    keep_stored_parts,
    lease_object,
    node_object,
    node_status,
    status_changed,
)
from ktui.sim.timefmt import rfc3339_micro

if TYPE_CHECKING:
    from ktui.api.client import Client
    from ktui.api.events import EventRecorder
    from ktui.api.informer import Informer
    from ktui.components.kubelet.node_local import NodeImages
    from ktui.sim.kernel import Kernel

__all__ = ["NodeHeartbeat", "LEASE_DURATION", "LEASE_RENEW_FRACTION", "NODE_STATUS_UPDATE_RETRY"]

LEASE_DURATION = 40
"""``leaseDurationSeconds`` of the node Lease."""
LEASE_RENEW_FRACTION = 0.25
"""``NodeLeaseRenewIntervalFraction``: the Lease is renewed every 40 s x 0.25 = 10 s."""
NODE_STATUS_UPDATE_RETRY = 5
"""``nodeStatusUpdateRetry``: tries of one status update (the first reads the Node informer, the others GET)."""


class NodeHeartbeat:
    """The heartbeat part of :class:`ktui.components.kubelet.Kubelet` (which sets what is declared here)."""

    kernel: "Kernel"
    client: "Client"
    recorder: "EventRecorder"
    node: dict[str, Any]
    node_name: str
    node_images: "NodeImages"
    ids: dict[str, str]
    registered: bool
    node_uid: str
    pod_cidr: str
    lease_period: float
    status_period: float
    status_report_period: float
    _timers: list[Any]
    _last_report: float
    _lease: dict | None
    _quiet: tuple | None = None  # a world saved before the attribute existed reads this default
    _node_informer: "Informer | None" = None  # likewise
    _nothing_new = False  # likewise

    # ------------------------------------------------------------------ node, lease, heartbeats

    def _node_event(self, type_: str, reason: str, message: str) -> None:
        ref = {"kind": "Node", "metadata": {"name": self.node_name, "uid": self.node_name}}
        self.recorder.event(ref, type_, reason, message)

    def _register(self) -> None:
        try:
            images = images_list(self.node_images.present)
            node = self.client.create("nodes", node_object(self.node, self.ids, self.kernel.now, images))
            self.registered = True
            self._last_report = self.kernel.now
            self._node_event("Normal", "Starting", "Starting kubelet.")
            for reason in ("NodeHasSufficientMemory", "NodeHasNoDiskPressure", "NodeHasSufficientPID"):
                self._node_event("Normal", reason, f"Node {self.node_name} status is now: {reason}")
            self._node_event("Normal", "NodeAllocatableEnforced", "Updated Node Allocatable limit across pods")
            self._node_event("Normal", "NodeReady", f"Node {self.node_name} status is now: NodeReady")
        except ApiError as e:
            if e.code != 409:
                raise
            node = self.client.get("nodes", self.node_name)
            self.registered = True
            self._node_event("Normal", "Starting", "Starting kubelet.")
        self.node_uid = node["metadata"]["uid"]
        self.pod_cidr = (node.get("spec") or {}).get("podCIDR", "")

    def _renew_lease(self) -> None:
        """Renew the node Lease as the lease controller does: an update of the Lease last written (no GET);
        only when that fails is the Lease read again (and created when missing)."""
        renew = rfc3339_micro(self.kernel.now)
        if self._lease is not None:
            spec = self._lease.get("spec") or {}
            lease = {
                **self._lease,
                "spec": {
                    **spec,
                    "holderIdentity": self.node_name,
                    "leaseDurationSeconds": LEASE_DURATION,
                    "renewTime": renew,
                },
            }
            try:
                # Kept only to build the next renewal from (never changed), so the answer may be shared.
                self._lease = self.client.update("leases", lease, namespace="kube-node-lease", shared=True)
                return
            except ApiError:
                self._lease = None
        try:
            current = self.client.get("leases", self.node_name, namespace="kube-node-lease")
        except ApiError as e:
            if e.code != 404:
                return
            try:
                self._lease = self.client.create(
                    "leases",
                    lease_object(self.node_name, self.node_uid, self.kernel.now, LEASE_DURATION),
                    namespace="kube-node-lease",
                )
            except ApiError:
                pass
            return
        current["spec"] = {
            **(current.get("spec") or {}),
            "holderIdentity": self.node_name,
            "leaseDurationSeconds": LEASE_DURATION,
            "renewTime": renew,
        }
        try:
            self._lease = self.client.update("leases", current, namespace="kube-node-lease")
        except ApiError:
            pass

    def _lease_tick(self) -> None:
        self._timers[0] = self.kernel.schedule(self.lease_period, self._lease_tick)
        self._renew_lease()

    def _status_tick(self) -> None:
        self._timers[1] = self.kernel.schedule(self.status_period, self._status_tick)
        self.post_node_status()

    def _heartbeat_tick(self) -> None:
        """The Lease tick then the status tick, when their periods are equal: the order and times of two
        separate timers started together (nothing a renewal does falls due a period later)."""
        self._timers[0] = self.kernel.schedule(self.lease_period, self._heartbeat_tick)
        self._renew_lease()
        self.post_node_status()

    def _status_inputs_changed(self, *_: Any) -> None:
        """The Node (any informer event of it), the node's images or its boot ID changed: the next status
        tick looks again."""
        self._nothing_new = False

    def post_node_status(self, force: bool = False) -> None:
        """updateNodeStatus: up to ``nodeStatusUpdateRetry`` tries of :meth:`_try_update_node_status`, the
        first reading the Node from the kubelet's informer, the others (after a conflict, or when the informer
        has no Node) from the API server."""
        if not force and self._nothing_new and self.kernel.now - self._last_report < self.status_report_period:
            return
        for attempt in range(NODE_STATUS_UPDATE_RETRY):
            if self._try_update_node_status(attempt, force):
                return

    def _try_update_node_status(self, attempt: int, force: bool) -> bool:
        """tryUpdateNodeStatus: compute the node's status and post it when it changed (heartbeat times
        aside), when the podCIDR changed, or when ``node-status-report-frequency`` has passed since the last
        post (``force``: post anyway). True when done (posted or nothing to post), False to try again."""
        inf = self._node_informer if attempt == 0 else None
        node = inf.cache.get(self.node_name) if inf is not None else None
        if node is None:
            if attempt == 0 and inf is not None:
                return False  # the lister has no such Node: the next try asks the API server
            try:
                node = self.client.get("nodes", self.node_name, shared=True)  # read only: never changed here
            except ApiError as e:
                if e.code == 404:  # deleted while we ran: register again, as the kubelet does
                    self.registered = False
                    self._register()
                return True
        now = self.kernel.now
        cidr = (node.get("spec") or {}).get("podCIDR", "")
        cidr_changed = bool(cidr) and cidr != self.pod_cidr
        self.pod_cidr = cidr or self.pod_cidr
        due = force or cidr_changed or now - self._last_report >= self.status_report_period
        # The status computed now differs from the one computed at the last tick only in heartbeat times
        # (transition times come from the stored conditions), so when neither the stored Node (its
        # resourceVersion) nor the node's images and boot changed since a tick found nothing to post,
        # there is still nothing to post.
        quiet = ((node.get("metadata") or {}).get("resourceVersion"), self.node_images.changes, self.ids["bootID"])
        if not due and quiet == self._quiet:
            self._nothing_new = inf is not None  # (the informer's Node: its changes clear the flag)
            return True
        images = images_list(self.node_images.present)
        old = node.get("status") or {}
        status = node_status(self.node, self.ids, now, images, old)
        if not (due or status_changed(old, status)):
            self._quiet = quiet
            self._nothing_new = inf is not None
            return True
        try:
            status = keep_stored_parts(old, status)
            written = self.client.update("nodes", {**node, "status": status}, subresource="status", shared=True)
        except ApiError:
            return False
        self._last_report = now
        # The stored Node is now the status just computed, so the next tick would compute it again from it
        # and find nothing new but heartbeat times: it need not, until the Node, the images or the boot change.
        self._quiet = ((written.get("metadata") or {}).get("resourceVersion"), quiet[1], quiet[2])
        return True
