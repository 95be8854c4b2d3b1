"""kube-scheduler: watches pods and nodes, filters and scores nodes for each pending pod, and binds it.

One pod per scheduling cycle, each cycle a kernel callback at the current instant (``call_soon``), as
``ScheduleOne`` (pkg/scheduler/schedule_one.go). The node cache (``NodeInfo`` per node) is kept
incrementally from the informers, so a cycle never scans all pods.
"""

from __future__ import annotations

import bisect
from typing import Any

from ktui.api.errors import ApiError
from ktui.api.events import EventRecorder
from ktui.api.informer import InformerFactory
from ktui.api.objects import copy_json
from ktui.components.scheduler.explain import (NO_NODES_AVAILABLE, Attempt, fit_error_message, preemption_message,
                                               with_unschedulable_condition)
from ktui.components.scheduler.filters import ERR_PREFILTER_NODE_AFFINITY, Rejection, prefilter_node_names, run_filters
from ktui.components.scheduler.nodeinfo import NodeInfo, PodInfo
from ktui.components.scheduler.queue import QueuedPod, SchedulingQueue, node_event_hint, pod_delete_hint
from ktui.components.scheduler.scores import prioritize, select_host
from ktui.sim.timefmt import parse_duration

__all__ = ["Scheduler", "num_feasible_nodes_to_find"]

SCHEDULER_NAME = "default-scheduler"
MIN_FEASIBLE_NODES = 100
MIN_FEASIBLE_PERCENTAGE = 5
MAX_ATTEMPT_RECORDS = 500
MAX_RECORDED_NODE_VERDICTS = 20_000
"""Bound on the per-node verdicts kept for explain (oldest attempts are forgotten first)."""


def num_feasible_nodes_to_find(num_all: int, percentage: int = 0) -> int:
    """How many feasible nodes to look for: all below 100 nodes; else ``percentage`` (0 = adaptive
    ``50 - N/125``, floored at 5) of the nodes, at least 100."""
    if num_all < MIN_FEASIBLE_NODES:
        return num_all
    if percentage <= 0:
        percentage = max(MIN_FEASIBLE_PERCENTAGE, 50 - num_all // 125)
    return max(MIN_FEASIBLE_NODES, num_all * min(percentage, 100) // 100)


def _flag(flags: dict, *names: str, default: Any = None) -> Any:
    for n in names:
        if n in flags and flags[n] not in (None, ""):
            return flags[n]
    return default


def _feature_gates(text: str) -> dict[str, bool]:
    out: dict[str, bool] = {}
    for part in str(text or "").split(","):
        if "=" in part:
            k, v = part.split("=", 1)
            out[k.strip()] = v.strip().lower() == "true"
    return out


class Scheduler:
    """The default scheduler (``schedulerName: default-scheduler``).

    Args:
        ctx: the component context (identity ``system:kube-scheduler``).
        informers: a shared informer factory; one is made when not given.
    """

    name = SCHEDULER_NAME

    def __init__(self, ctx: Any, informers: InformerFactory | None = None) -> None:
        self.ctx = ctx
        self.client = ctx.client
        self.informers = informers or InformerFactory(ctx.client)
        self.recorder = EventRecorder(ctx.client, SCHEDULER_NAME)
        flags = ctx.flags or {}
        gates = _feature_gates(_flag(flags, "feature-gates", default=""))
        unsched = _flag(flags, "pod-max-in-unschedulable-pods-duration", "podMaxInUnschedulablePodsDuration",
                        default="5m")
        self.percentage = int(_flag(flags, "percentage-of-nodes-to-score", "percentageOfNodesToScore", default=0))
        self.queue = SchedulingQueue(
            ctx.kernel, self._wake,
            initial_backoff=float(_flag(flags, "pod-initial-backoff-seconds", "podInitialBackoffSeconds", default=1)),
            max_backoff=float(_flag(flags, "pod-max-backoff-seconds", "podMaxBackoffSeconds", default=10)),
            max_unschedulable=parse_duration(unsched) if isinstance(unsched, str) else float(unsched),
            pop_from_backoff=gates.get("SchedulerPopFromBackoffQ", True),
        )
        self.nodes: dict[str, NodeInfo] = {}
        """NodeInfo by node name (also for nodes not yet seen whose pods are)."""
        self._names: list[str] = []
        """Names of the nodes that exist, sorted: the order nodes are examined in."""
        self._pod_node: dict[str, str] = {}
        """Assigned (or assumed) pod key -> node name."""
        self.image_nodes: dict[str, int] = {}
        """Image name -> how many nodes report it (ImageLocality's spread)."""
        self.next_start_node_index = 0
        self.attempts: dict[str, Attempt] = {}
        """The last attempt of recently tried pods, oldest first."""
        self._recorded = 0
        self._cycle_pending = False
        self._pods_informer = None
        self.cycles = 0

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> None:
        """Start the node and pod informers; pending pods enter the queue and cycles begin."""
        nodes = self.informers.informer("nodes")
        pods = self.informers.informer("pods")
        self._pods_informer = pods
        nodes.add_handler(self._node_added, self._node_updated, self._node_deleted)
        pods.add_handler(self._pod_added, self._pod_updated, self._pod_deleted)
        self.informers.start()

    def _wake(self) -> None:
        if not self._cycle_pending:
            self._cycle_pending = True
            self.ctx.kernel.call_soon(self._cycle)

    def _cycle(self) -> None:
        self._cycle_pending = False
        qp = self.queue.pop()
        if qp is None:
            return
        self.cycles += 1
        self.schedule_one(qp)
        if self.queue.has_ready():
            self._wake()

    # ---------------------------------------------------------------- node events

    def _node_info(self, name: str) -> NodeInfo:
        ni = self.nodes.get(name)
        if ni is None:
            ni = self.nodes[name] = NodeInfo(name)
        return ni

    def _count_images(self, ni: NodeInfo, sign: int) -> None:
        for name in ni.image_sizes:
            n = self.image_nodes.get(name, 0) + sign
            if n > 0:
                self.image_nodes[name] = n
            else:
                self.image_nodes.pop(name, None)

    def _node_added(self, node: dict) -> None:
        name = node["metadata"]["name"]
        ni = self._node_info(name)
        if ni.node is not None:
            self._count_images(ni, -1)
        else:
            bisect.insort(self._names, name)
        ni.set_node(node)
        self._count_images(ni, 1)
        self._move_on_node_event(None, node)

    def _node_updated(self, old: dict, new: dict) -> None:
        name = new["metadata"]["name"]
        ni = self._node_info(name)
        if ni.node is None:
            bisect.insort(self._names, name)
        else:
            self._count_images(ni, -1)
        ni.set_node(new)
        self._count_images(ni, 1)
        o_md, n_md = old.get("metadata") or {}, new.get("metadata") or {}
        if (old.get("spec") == new.get("spec") and o_md.get("labels") == n_md.get("labels")
                and (old.get("status") or {}).get("allocatable") == (new.get("status") or {}).get("allocatable")):
            return
        self._move_on_node_event(old, new)

    def _node_deleted(self, node: dict) -> None:
        name = node["metadata"]["name"]
        ni = self.nodes.get(name)
        if ni is None:
            return
        if ni.node is not None:
            self._count_images(ni, -1)
            i = bisect.bisect_left(self._names, name)
            if i < len(self._names) and self._names[i] == name:
                self._names.pop(i)
        ni.node = None
        if not ni.pods:
            del self.nodes[name]

    def _move_on_node_event(self, old: dict | None, new: dict) -> None:
        def may_help(qp: QueuedPod) -> bool:
            if not qp.rejectors:
                return True
            info = self._queued_info(qp)
            return any(node_event_hint(p, info, old, new) for p in qp.rejectors)

        self.queue.move(may_help)

    # ---------------------------------------------------------------- pod events

    @staticmethod
    def _key(pod: dict) -> str:
        md = pod["metadata"]
        return f"{md.get('namespace', '')}/{md['name']}"

    @staticmethod
    def _terminal(pod: dict) -> bool:
        return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")

    @staticmethod
    def _responsible(pod: dict) -> bool:
        spec = pod.get("spec") or {}
        return ((spec.get("schedulerName") or SCHEDULER_NAME) == SCHEDULER_NAME
                and not (pod.get("metadata") or {}).get("deletionTimestamp"))

    def _queued_info(self, qp: QueuedPod) -> PodInfo:
        if qp.info is None or qp.info.pod is not qp.pod:
            qp.info = PodInfo(qp.pod)
        return qp.info

    def _assign(self, pod: dict) -> None:
        key = self._key(pod)
        node = pod["spec"]["nodeName"]
        prev = self._pod_node.get(key)
        if prev is not None and prev != node:
            self._node_info(prev).remove_pod(key)
        self._pod_node[key] = node
        self._node_info(node).add_pod(PodInfo(pod))

    def _unassign(self, key: str) -> PodInfo | None:
        node = self._pod_node.pop(key, None)
        if node is None:
            return None
        ni = self.nodes.get(node)
        removed = ni.remove_pod(key) if ni is not None else None
        if ni is not None and ni.node is None and not ni.pods:
            del self.nodes[node]
        if removed is not None:
            def may_help(qp: QueuedPod) -> bool:
                info = self._queued_info(qp)
                return any(pod_delete_hint(p, info, removed) for p in qp.rejectors)

            self.queue.move(may_help)
        return removed

    def _pod_added(self, pod: dict) -> None:
        if (pod.get("spec") or {}).get("nodeName"):
            if not self._terminal(pod):
                self._assign(pod)
        elif self._responsible(pod):
            self.queue.add(pod)

    def _pod_updated(self, old: dict, new: dict) -> None:
        key = self._key(new)
        if (new.get("spec") or {}).get("nodeName"):
            self.queue.delete(key)
            if self._terminal(new):
                self._unassign(key)
            else:
                self._assign(new)
        elif self._responsible(new):
            self.queue.update(new)
        else:
            self.queue.delete(key)

    def _pod_deleted(self, pod: dict) -> None:
        key = self._key(pod)
        self.queue.delete(key)
        self._unassign(key)

    # ---------------------------------------------------------------- one scheduling cycle

    @staticmethod
    def _size(attempt: Attempt) -> int:
        return len(attempt.statuses) + len(attempt.feasible)

    def _record(self, attempt: Attempt) -> None:
        old = self.attempts.pop(attempt.pod, None)
        if old is not None:
            self._recorded -= self._size(old)
        self.attempts[attempt.pod] = attempt
        self._recorded += self._size(attempt)
        while len(self.attempts) > 1 and (len(self.attempts) > MAX_ATTEMPT_RECORDS
                                          or self._recorded > MAX_RECORDED_NODE_VERDICTS):
            first = next(iter(self.attempts))
            self._recorded -= self._size(self.attempts.pop(first))

    def schedule_one(self, qp: QueuedPod) -> None:
        """Filter, score and bind one pod popped from the queue."""
        pod = self._pods_informer.get(qp.key) if self._pods_informer is not None else qp.pod
        if pod is None or (pod.get("spec") or {}).get("nodeName") or not self._responsible(pod):
            self.queue.delete(qp.key)
            return
        qp.pod = pod
        info = self._queued_info(qp)
        attempt = Attempt(qp.key, self.ctx.kernel.now, qp.attempts)
        nodes = [self.nodes[n] for n in self._names]
        attempt.num_nodes = len(nodes)
        if not nodes:
            attempt.outcome, attempt.message = "unschedulable", NO_NODES_AVAILABLE
            self._record(attempt)
            self._fail(qp, pod, NO_NODES_AVAILABLE, ())
            return
        n = len(nodes)
        to_find = num_feasible_nodes_to_find(n, self.percentage)
        feasible: list[NodeInfo] = []
        start = self.next_start_node_index % n
        allowed = prefilter_node_names(pod.get("spec") or {})
        if allowed is not None:
            # NodeAffinity's PreFilter narrowed the candidates: only those are filtered (DaemonSet pods).
            candidates = [ni for ni in nodes if ni.name in allowed]
            for ni in candidates:
                verdict = run_filters(info, ni)
                if verdict is None:
                    feasible.append(ni)
                else:
                    attempt.statuses[ni.name] = verdict
            if not feasible:
                skipped = ("NodeAffinity", Rejection(ERR_PREFILTER_NODE_AFFINITY))
                for ni in nodes:
                    if ni.name not in allowed:
                        attempt.statuses[ni.name] = skipped
            nodes_to_visit = 0
        else:
            nodes_to_visit = n
        for i in range(nodes_to_visit):
            ni = nodes[(start + i) % n]
            verdict = run_filters(info, ni)
            if verdict is None:
                feasible.append(ni)
                if len(feasible) >= to_find:
                    break
            else:
                attempt.statuses[ni.name] = verdict
        if allowed is None:
            self.next_start_node_index = (start + len(feasible) + len(attempt.statuses)) % n
        attempt.feasible = [ni.name for ni in feasible]
        if not feasible:
            post, candidates = preemption_message(info, nodes, attempt.statuses)
            attempt.preemption_candidates = candidates
            msg = fit_error_message(n, attempt.statuses, post)
            attempt.outcome, attempt.message = "unschedulable", msg
            self._record(attempt)
            rejectors = tuple(sorted({plugin for plugin, _ in attempt.statuses.values()}))
            self._fail(qp, pod, msg, rejectors)
            return
        if len(feasible) == 1:
            host = feasible[0].name
        else:
            attempt.scored = prioritize(info, feasible, self.image_nodes, n)
            host = select_host(attempt.scored, self.ctx.rng)
        attempt.node = host
        self._record(attempt)
        self._bind(qp, pod, host, attempt)

    def _bind(self, qp: QueuedPod, pod: dict, host: str, attempt: Attempt) -> None:
        md = pod["metadata"]
        ns, name = md.get("namespace", "default"), md["name"]
        assumed = copy_json(pod)
        assumed["spec"]["nodeName"] = host
        self._assign(assumed)
        binding = {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": name, "namespace": ns},
                   "target": {"apiVersion": "v1", "kind": "Node", "name": host}}
        try:
            self.client.create("pods", binding, namespace=ns, subresource="binding", name=name)
        except ApiError as e:
            if self._pod_node.get(qp.key) == host:
                self._unassign(qp.key)
            if e.code == 404:
                self.queue.delete(qp.key)
                attempt.outcome, attempt.message = "gone", str(e)
                return
            msg = f'running Bind plugin "DefaultBinder": {e}'
            attempt.outcome, attempt.message = "error", msg
            self.recorder.event(pod, "Warning", "FailedScheduling", msg)
            self._set_condition(pod, "SchedulerError", msg)
            self.queue.error(qp)
            return
        attempt.outcome = "scheduled"
        attempt.message = f"Successfully assigned {ns}/{name} to {host}"
        self.queue.done(qp.key)
        self.recorder.event(pod, "Normal", "Scheduled", attempt.message)

    def _fail(self, qp: QueuedPod, pod: dict, msg: str, rejectors: tuple[str, ...]) -> None:
        self.recorder.event(pod, "Warning", "FailedScheduling", msg)
        self._set_condition(pod, "Unschedulable", msg)
        self.queue.unschedulable(qp, rejectors)

    def _set_condition(self, pod: dict, reason: str, msg: str) -> None:
        """Set ``PodScheduled=False`` with ``reason`` and ``msg`` unless it already says so (one retry on a
        conflict, with the pod read afresh)."""
        for attempt in range(2):
            obj = with_unschedulable_condition(pod, reason, msg, self.ctx.kernel.now)
            if obj is None:
                return
            try:
                self.client.update("pods", obj, namespace=obj["metadata"].get("namespace"), subresource="status")
                return
            except ApiError as e:
                if e.code != 409 or attempt:
                    return
                try:
                    pod = self.client.get("pods", obj["metadata"]["name"], obj["metadata"].get("namespace"))
                except ApiError:
                    return

    # ---------------------------------------------------------------- explain

    def explain(self, namespace: str, name: str) -> dict[str, Any]:
        """The last scheduling attempt of ``namespace/name``: time, outcome, each node's filter verdict and,
        for feasible nodes, each plugin's normalized score and the total. ``outcome`` is ``scheduled``
        (``node`` names where), ``unschedulable`` or ``error``; ``not-attempted`` when there was none yet."""
        key = f"{namespace}/{name}"
        attempt = self.attempts.get(key)
        qp = self.queue.pods.get(key)
        if attempt is None:
            return {"pod": key, "outcome": "not-attempted", "queue": qp.where if qp else None, "nodes": []}
        out = attempt.as_dict()
        out["queue"] = qp.where if qp else None
        return out
