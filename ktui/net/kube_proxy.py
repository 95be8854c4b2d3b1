"""kube-proxy: one per node, an API client (``system:kube-proxy``) that programs that node's service rules.

:class:`KubeProxy` is the process: it watches Services and EndpointSlices, remembers which Services changed,
and at most once per ``--min-sync-period`` (1s) rewrites only those Services' entries in its node's
:class:`ktui.net.routes.NodeTable` (a full sync on start, which also drops Services deleted while it was
down). Stopping it leaves the table as it was: stale rules keep routing, as on a real node.

:class:`KubeProxyManager` plays the container runtime's part: it starts a node's kube-proxy when that node's
``k8s-app=kube-proxy`` pod is Running and stops it when the pod stops running or goes away.
"""

from __future__ import annotations

from typing import Any, Callable

from ktui.api.informer import InformerFactory
from ktui.net.routes import NodeTable, routes_for_service, service_key
from ktui.sim.timefmt import parse_duration

__all__ = ["KubeProxy", "KubeProxyManager", "kube_proxy_running"]


def _slice_service(sl: dict) -> list[str]:
    md = sl.get("metadata") or {}
    svc = (md.get("labels") or {}).get("kubernetes.io/service-name")
    return [f"{md.get('namespace', '')}/{svc}"] if svc else []


class KubeProxy:
    """The kube-proxy of one node.

    Args:
        ctx: the component context (``ctx.flags["min-sync-period"]``, default ``1s``).
        node: the node's name.
        table: the node's kernel rules, which this process writes.
    """

    name = "kube-proxy"
    FLAGS = {"min-sync-period": "1s"}
    """The kube-proxy flags ktui reads, with their defaults."""

    def __init__(self, ctx: Any, node: str, table: NodeTable) -> None:
        self.ctx = ctx
        self.kernel = ctx.kernel
        self.node = node
        self.table = table
        self.min_sync = parse_duration(str((ctx.flags or {}).get("min-sync-period", self.FLAGS["min-sync-period"])))
        self._informers()
        self.dirty: dict[str, None] = {}
        """Services (``ns/name``) changed since the last sync, in the order they changed."""
        self.full = True
        self.running = False
        self.last_sync: float | None = None
        self.sync_times: list[float] = []
        """When each sync ran (for tests and the UI)."""
        self._timer: Any = None

    # ---------------------------------------------------------------- lifecycle

    def _informers(self) -> None:
        self.informers = InformerFactory(self.ctx.client)
        self.services = self.informers.informer("services")
        self.slices = self.informers.informer("endpointslices")
        self.slices.add_indexer("service", _slice_service)
        self.services.add_handler(self._on_obj, self._on_obj_update, self._on_obj)
        self.slices.add_handler(self._on_slice, self._on_slice_update, self._on_slice)

    def start(self) -> None:
        if self.running:
            return
        self.running = True
        self.full = True
        self.informers.start()
        self._request()

    def stop(self) -> None:
        """The process exits; the node keeps its rules."""
        self.running = False
        for inf in (self.services, self.slices):
            inf.stop()
        self._informers()  # a restarted process lists everything afresh
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.dirty.clear()

    # ---------------------------------------------------------------- change tracking

    def _on_obj(self, obj: dict) -> None:
        self._changed(service_key(obj))

    def _on_obj_update(self, old: dict, new: dict) -> None:
        if (old.get("spec"), old.get("status")) != (new.get("spec"), new.get("status")):
            self._changed(service_key(new))

    def _on_slice(self, sl: dict) -> None:
        for key in _slice_service(sl):
            self._changed(key)

    def _on_slice_update(self, old: dict, new: dict) -> None:
        if (old.get("endpoints"), old.get("ports")) != (new.get("endpoints"), new.get("ports")):
            for key in dict.fromkeys(_slice_service(old) + _slice_service(new)):
                self._changed(key)

    def _changed(self, key: str) -> None:
        self.dirty[key] = None
        self._request()

    def _request(self) -> None:
        """``BoundedFrequencyRunner.Run``: sync now, or as soon as minSyncPeriod allows."""
        if self._timer is not None or not self.running:
            return
        delay = 0.0 if self.last_sync is None else max(0.0, self.last_sync + self.min_sync - self.kernel.now)
        self._timer = self.kernel.schedule(delay, self.sync)

    # ---------------------------------------------------------------- sync

    def sync(self) -> int:
        """Rewrite the changed Services' entries (all of them after a start); returns entries touched."""
        self._timer = None
        if not self.running:
            return 0
        if self.full:
            keys = sorted(set(self.table.by_service) | set(self.services.cache))
        else:
            keys = list(self.dirty)
        touched = 0
        for key in keys:
            svc = self.services.get(key)
            routes = routes_for_service(svc, self.slices.by_index("service", key)) if svc else []
            touched += self.table.replace_service(key, routes)
        self.dirty.clear()
        self.full = False
        now = self.kernel.now
        self.last_sync = now
        self.sync_times.append(now)
        self.table.syncs += 1
        self.table.synced_at = now
        self.table.last_touched = touched
        return touched


def kube_proxy_running(pod: dict) -> bool:
    """Whether a kube-proxy pod's container is running (phase Running and not being deleted)."""
    status = pod.get("status") or {}
    if status.get("phase") != "Running" or (pod.get("metadata") or {}).get("deletionTimestamp"):
        return False
    states = [cs.get("state") or {} for cs in status.get("containerStatuses") or []]
    return not states or any("running" in s for s in states)


class KubeProxyManager:
    """Runs each node's kube-proxy while that node's kube-proxy pod runs.

    Args:
        client: a client that may watch pods in kube-system.
        make_proxy: ``make_proxy(node)`` builds the node's :class:`KubeProxy` (a bound method).
    """

    def __init__(self, client: Any, make_proxy: Callable[[str], KubeProxy]) -> None:
        self.make_proxy = make_proxy
        self.proxies: dict[str, KubeProxy] = {}
        """Each node's kube-proxy, running or stopped, by node name."""
        self.informers = InformerFactory(client)
        self.pods = self.informers.informer("pods", "kube-system", label_selector="k8s-app=kube-proxy")
        self.pods.add_indexer("node", _pod_node)
        self.pods.add_handler(self._on_pod, self._on_pod_update, self._on_pod)

    def start(self) -> None:
        self.informers.start()

    def _on_pod(self, pod: dict) -> None:
        for node in _pod_node(pod):
            self._reconcile(node)

    def _on_pod_update(self, old: dict, new: dict) -> None:
        for node in dict.fromkeys(_pod_node(old) + _pod_node(new)):
            self._reconcile(node)

    def _reconcile(self, node: str) -> None:
        want = any(kube_proxy_running(p) for p in self.pods.by_index("node", node))
        proxy = self.proxies.get(node)
        if want and (proxy is None or not proxy.running):
            if proxy is None:
                proxy = self.proxies[node] = self.make_proxy(node)
            proxy.start()
        elif not want and proxy is not None and proxy.running:
            proxy.stop()


def _pod_node(pod: dict) -> list[str]:
    node = (pod.get("spec") or {}).get("nodeName")
    return [node] if node else []
