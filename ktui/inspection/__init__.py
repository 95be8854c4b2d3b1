"""What shells may read of a cluster beyond its API: immutable answers about components, never live objects.

:class:`Inspection` (``cluster.inspect``) is the one way the terminal UI, the HTTP control API and the other
shells read what only the simulation knows — the scheduler's explanation of a pod, a node's routes and
``iptables-save`` text, a request's trace, a kubelet's containers and health, the next kernel event. Every answer
is a frozen dataclass (with ``to_json()``), a tuple or a string, and every call leaves the world as it was
(the API server's request count included), so that a remote cluster can answer the same calls over HTTP.
"""

from __future__ import annotations

from typing import Any, Protocol

from ktui.inspection.events import PendingEvent, StepReport, describe_callback
from ktui.inspection.network import NodeRouting, RequestTrace, TraceHop, routing_tables, trace_of
from ktui.inspection.nodes import ContainerInfo, NodeHealth, node_health, pod_containers
from ktui.inspection.scheduling import NodeVerdict, PodExplanation, Preemption, explanation_from

__all__ = [
    "Inspection",
    "PodExplanation",
    "NodeVerdict",
    "Preemption",
    "NodeRouting",
    "RequestTrace",
    "TraceHop",
    "NodeHealth",
    "ContainerInfo",
    "PendingEvent",
    "StepReport",
    "describe_callback",
    "step_report",
]


class ClusterSource(Protocol):
    """What an :class:`Inspection` reads: the cluster's current world (it changes on a rewind), an API client
    whose reads leave the world as it was, the spec and the clock."""

    @property
    def world(self) -> Any: ...

    @property
    def api(self) -> Any: ...

    @property
    def spec(self) -> dict[str, Any]: ...

    @property
    def now(self) -> float: ...


class Inspection:
    """Read-only questions about one cluster (``cluster.inspect``).

    Args:
        source: the cluster (anything with ``world``, ``api``, ``spec`` and ``now``).
    """

    def __init__(self, source: ClusterSource) -> None:
        self._source = source

    def _component(self, name: str) -> Any:
        return self._source.world.components.get(name)

    # ---------------------------------------------------------------- the API's resources

    def resources(self) -> tuple[Any, ...]:
        """Every resource the cluster's API server serves (:class:`ktui.api.registry.Resource`, frozen)."""
        return tuple(self._source.world.server.registry)

    # ---------------------------------------------------------------- scheduling

    def explain_pod(self, namespace: str, name: str) -> PodExplanation:
        """The scheduler's last attempt at pod ``namespace/name`` (``no-scheduler`` when none runs;
        ``not-attempted`` for a pod it has not tried, or does not know)."""
        sched = self._component("kube-scheduler")
        if sched is None:
            return PodExplanation(f"{namespace}/{name}", "no-scheduler")
        return explanation_from(sched.explain(namespace, name))

    # ---------------------------------------------------------------- nodes

    def node_health(self, node: str) -> NodeHealth | None:
        """Whether ``node``'s kubelet runs, its machine is powered and its network works (None: no kubelet)."""
        return node_health(self._component(f"kubelet/{node}"), node)

    def containers(self, namespace: str, name: str) -> tuple[ContainerInfo, ...]:
        """The containers the pod's node's runtime holds for pod ``namespace/name`` (empty: no such pod, not
        bound, or a node without a kubelet)."""
        from ktui.api.errors import ApiError

        try:
            pod = self._source.api.get("pods", name, namespace)
        except ApiError:
            return ()
        node = (pod.get("spec") or {}).get("nodeName") or ""
        kubelet = self._component(f"kubelet/{node}") if node else None
        return pod_containers(kubelet, pod["metadata"].get("uid", "")) if kubelet is not None else ()

    # ---------------------------------------------------------------- network

    def routing(self) -> tuple[NodeRouting, ...]:
        """Every node's service routing table, in the order of ``kubectl get nodes``."""
        return tuple(routing_tables(getattr(self._source.world, "network", None), self._source.api, self._cidr()))

    def node_routing(self, node: str) -> NodeRouting | None:
        """``node``'s service routing table (None: no such node)."""
        found = routing_tables(getattr(self._source.world, "network", None), self._source.api, self._cidr(), node)
        return found[0] if found else None

    def iptables(self, node: str, tables: tuple[str, ...] = ("nat",)) -> str | None:
        """``iptables-save -t nat`` (or the ``tables`` named) of ``node``'s kube-proxy rules, with the header
        comments at the cluster's time (None: no such node)."""
        from ktui.net.iptables import render

        routing = self.node_routing(node)
        return None if routing is None else render(routing.table(), tables, now=self._source.now)

    def trace(self, namespace: str, pod: str, target: str, protocol: str = "tcp") -> RequestTrace | None:
        """One request from pod ``namespace/pod`` to ``target`` (a URL or ``host[:port]``), hop by hop.

        A what-if: the world is left exactly as it was (the trace counter, session-affinity entries and the API
        server's request count restored), so the same trace asked twice answers the same, and asking changes
        nothing a replay would have to repeat. None when the cluster has no network model.
        """
        from ktui.net.trace import trace

        world = self._source.world
        net = getattr(world, "network", None)
        if net is None:
            return None
        server = world.server
        saved = (server.requests, net.traces, dict(net.recent))
        try:
            return trace_of(trace(net, (namespace, pod), target, protocol))
        finally:
            server.requests, net.traces, net.recent = saved[0], saved[1], saved[2]

    def _cidr(self) -> str:
        return str(self._source.spec.get("podCIDR", "10.244.0.0/16"))

    # ---------------------------------------------------------------- the clock

    def next_event(self) -> PendingEvent | None:
        """The next event the kernel will run, named in one line (None: nothing is scheduled)."""
        head = self._source.world.kernel.next_event()
        if head is None:
            return None
        return PendingEvent(head.time, describe_callback(head.callback, head.args))


def _revision(api: Any) -> int:
    rv = (api.list("namespaces").get("metadata") or {}).get("resourceVersion") or "0"
    return int(rv) if str(rv).isdigit() else 0


def step_report(cluster: Any) -> StepReport | None:
    """Run ``cluster``'s next event (``cluster.step()``) and report it; None when nothing is scheduled."""
    pending = Inspection(cluster).next_event()
    if pending is None:
        return None
    before = _revision(cluster.api)
    cluster.step()
    events: tuple[str, ...] = ()
    what = pending.what
    if _revision(cluster.api) != before:
        fresh = [
            e
            for e in cluster.api.list("events")["items"]
            if int((e.get("metadata") or {}).get("resourceVersion") or 0) > before
        ]
        fresh.sort(key=lambda e: int(e["metadata"]["resourceVersion"]))
        events = tuple(f"{e.get('reason', '')}: {e.get('message', '')}" for e in fresh)
        what += _outcome(fresh)
    return StepReport(cluster.now, what, events)


def _outcome(events: list[dict]) -> str:
    """What the hop decided, said in the headline (the scheduler's verdict: bound, or why not)."""
    for e in events:
        msg = e.get("message", "")
        if e.get("reason") == "Scheduled" and msg.startswith("Successfully assigned "):
            pod, _, node = msg.removeprefix("Successfully assigned ").partition(" to ")
            return f" -> bound {pod} to {node} (a Binding: the pod's spec.nodeName)"
        if e.get("reason") == "FailedScheduling":
            involved = e.get("involvedObject") or {}
            return f" -> {involved.get('namespace', '')}/{involved.get('name', '')} not scheduled"
    return ""
