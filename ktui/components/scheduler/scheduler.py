"""kube-scheduler: watches pods and nodes, filters and scores nodes for each pending pod, and binds it.

One pod per scheduling cycle, each cycle a kernel callback at the current instant (``call_soon``), as
``ScheduleOne`` (pkg/scheduler/schedule_one.go). The node cache (``NodeInfo`` per node) is kept
incrementally from the informers, so a cycle never scans all pods.

A pod that fits nowhere runs DefaultPreemption's PostFilter (:mod:`.preemption`): when evicting
lower-priority pods makes it fit somewhere, the victims get the ``DisruptionTarget`` condition, a graceful
delete and a ``Preempted`` event, the pod is nominated to the node (``status.nominatedNodeName``), and it
waits among the unschedulable pods until the victims are gone. A pod with a nominated node tries that node
first, and pods nominated to a node count there when lower- or equal-priority pods are filtered.

PodTopologySpread and InterPodAffinity (:mod:`.topology`) count pods per node and topology domain through a
:class:`~.topology.TopologyIndex` the scheduler keeps current as pods are assigned and removed; their
PreFilter runs once per cycle. The system default spreading needs the Services, ReplicaSets, StatefulSets
and ReplicationControllers (``DefaultSelector``), and namespace selectors the Namespaces: the scheduler
watches those too.

VolumeBinding (:mod:`.volumebinding`) reads the claims, volumes and storage classes: its PreFilter can reject a
pod on every node, its Filter runs with the others, and for WaitForFirstConsumer claims its PreBind writes the
volume bindings, then the pod is bound once the PV controller has bound every claim (checked every second).
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from operator import attrgetter
from typing import Any

from ktui.api.errors import ApiError
from ktui.api.events import EventRecorder
from ktui.api.informer import InformerFactory
from ktui.api.objects import copy_json, key_of
from ktui.components.scheduler import volumebinding
from ktui.components.scheduler.config import FLAG_ALIASES, FLAGS, feature_gates, flag, num_feasible_nodes_to_find
from ktui.components.scheduler.cyclestate import prefilter
from ktui.components.scheduler.explain import (
    NO_NODES_AVAILABLE,
    Attempt,
    fit_error_message,
    postfilter_message,
    with_unschedulable_condition,
)
from ktui.components.scheduler.filters import (
    ERR_PREFILTER_NODE_AFFINITY,
    FILTERS,
    Rejection,
    filters_for,
    prefilter_node_names,
    run_filters,
)
from ktui.components.scheduler.nodeinfo import NodeInfo, PodInfo
from ktui.components.scheduler.nominator import Nominator
from ktui.components.scheduler.preemption import preempt, run_filters_with_nominated
from ktui.components.scheduler.preemptor import prepare_candidate
from ktui.components.scheduler.queue import QueuedPod, SchedulingQueue, node_event_hint, pod_delete_hint
from ktui.components.scheduler.scores import score_table
from ktui.components.scheduler.topology import TopologyIndex
from ktui.components.scheduler.window import RoomFloor, find_feasible
from ktui.sim.timefmt import parse_duration

__all__ = ["Scheduler", "num_feasible_nodes_to_find", "FLAGS", "FLAG_ALIASES"]

SCHEDULER_NAME = "default-scheduler"
MAX_ATTEMPT_RECORDS = 500
MAX_RECORDED_NODE_VERDICTS = 20_000
"""Bound on the per-node verdicts kept for explain (oldest attempts are forgotten first)."""


_name = attrgetter("name")


def _rejected_by_volume_binding(qp: QueuedPod) -> bool:
    return "VolumeBinding" in qp.rejectors


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
        gates = feature_gates(flag(flags, "feature-gates"))
        unsched = flag(flags, "pod-max-in-unschedulable-pods-duration")
        self.percentage = int(flag(flags, "percentage-of-nodes-to-score"))
        self.queue = SchedulingQueue(
            ctx.kernel,
            self._wake,
            initial_backoff=float(flag(flags, "pod-initial-backoff-seconds")),
            max_backoff=float(flag(flags, "pod-max-backoff-seconds")),
            max_unschedulable=parse_duration(unsched) if isinstance(unsched, str) else float(unsched),
            pop_from_backoff=gates.get("SchedulerPopFromBackoffQ", True),
        )
        self.nodes: dict[str, NodeInfo] = {}
        """NodeInfo by node name (also for nodes not yet seen whose pods are)."""
        self._names: list[str] = []
        """Names of the nodes that exist, sorted: the order nodes are examined in."""
        self._node_list: list[NodeInfo] | None = None
        """The NodeInfo of each name in ``_names`` (rebuilt only when a node comes or goes)."""
        self._pod_node: dict[str, str] = {}
        """Assigned (or assumed) pod key -> node name."""
        self.image_nodes: dict[str, int] = {}
        """Image name -> how many nodes report it (ImageLocality's spread)."""
        self._image_sizes: dict[str, dict[int, int]] = {}
        """Image name -> size -> how many nodes report it at that size."""
        self.next_start_node_index = 0
        self.room = RoomFloor()
        """Which nodes every plain pod of a size fits, for the filter window (:mod:`.window`)."""
        self.attempts: OrderedDict[str, Attempt] = OrderedDict()
        """The last attempt of recently tried pods, oldest first."""
        self.nominator = Nominator()
        """Pending pods nominated to nodes by preemption."""
        self.topology = TopologyIndex(self.nodes, self._names)
        """Per-node counts for PodTopologySpread and InterPodAffinity, kept as pods come and go."""
        self._pdb_informer = None
        self._recorded = 0
        self._cycle_pending = False
        self._pods_informer = None
        self._volume_informers: tuple = ()
        """The claims, volumes and storage classes informers VolumeBinding reads."""
        self.cycles = 0

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> None:
        """Start the node and pod informers; pending pods enter the queue and cycles begin."""
        nodes = self.informers.informer("nodes")
        pods = self.informers.informer("pods")
        self._pods_informer = pods  # type: ignore[assignment]
        nodes.add_handler(self._node_added, self._node_updated, self._node_deleted)
        pods.add_handler(self._pod_added, self._pod_updated, self._pod_deleted)
        for resource in ("services", "replicasets", "statefulsets", "replicationcontrollers", "namespaces"):
            self.topology.listers[resource] = self.informers.informer(resource)
        self._volume_informers = tuple(
            self.informers.informer(r) for r in ("persistentvolumeclaims", "persistentvolumes", "storageclasses")
        )
        for inf in self._volume_informers:
            inf.add_handler(self._volume_event, self._volume_updated, None)
        self.informers.start()

    def _volume_updated(self, old: dict, new: dict) -> None:
        self._volume_event(new)

    def _volume_event(self, obj: dict) -> None:
        """A claim, volume or class added or changed may help the pods VolumeBinding rejected."""
        self.queue.move(_rejected_by_volume_binding)

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
        for name, size in ni.image_sizes.items():
            n = self.image_nodes.get(name, 0) + sign
            if n > 0:
                self.image_nodes[name] = n
            else:
                self.image_nodes.pop(name, None)
            sizes = self._image_sizes.setdefault(name, {})
            k = sizes.get(size, 0) + sign
            if k > 0:
                sizes[size] = k
            else:
                sizes.pop(size, None)
                if not sizes:
                    del self._image_sizes[name]

    def _uniform_image(self, name: str) -> bool:
        """Whether every node reports image ``name`` at one size (ImageLocality scores it alike everywhere)."""
        return self.image_nodes.get(name) == len(self._names) and len(self._image_sizes.get(name) or ()) == 1

    def _node_added(self, node: dict) -> None:
        name = node["metadata"]["name"]
        ni = self._node_info(name)
        if ni.node is not None:
            self._count_images(ni, -1)
        else:
            bisect.insort(self._names, name)
            self._node_list = None
        ni.set_node(node)
        self._count_images(ni, 1)
        self.room.changed(ni)
        self._move_on_node_event(None, node)

    def _node_updated(self, old: dict, new: dict) -> None:
        name = new["metadata"]["name"]
        ni = self._node_info(name)
        if ni.node is None:
            bisect.insort(self._names, name)
            self._node_list = None
        else:
            self._count_images(ni, -1)
        ni.set_node(new)
        self._count_images(ni, 1)
        self.room.changed(ni)
        o_md, n_md = old.get("metadata") or {}, new.get("metadata") or {}
        if (
            old.get("spec") == new.get("spec")
            and o_md.get("labels") == n_md.get("labels")
            and (old.get("status") or {}).get("allocatable") == (new.get("status") or {}).get("allocatable")
        ):
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
                self._node_list = None
        ni.node = None
        self.room.node_gone(name)
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

    _key = staticmethod(key_of)

    @staticmethod
    def _terminal(pod: dict) -> bool:
        return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")

    @staticmethod
    def _responsible(pod: dict) -> bool:
        spec = pod.get("spec") or {}
        return (spec.get("schedulerName") or SCHEDULER_NAME) == SCHEDULER_NAME and not (pod.get("metadata") or {}).get(
            "deletionTimestamp"
        )

    def _queued_info(self, qp: QueuedPod) -> PodInfo:
        if qp.info is None or qp.info.pod is not qp.pod:
            qp.info = PodInfo(qp.pod, like=qp.info, key=qp.key)
        return qp.info

    def _assign(self, pod: dict, like: PodInfo | None = None) -> None:
        key = self._key(pod)
        node = pod["spec"]["nodeName"]
        prev = self._pod_node.get(key)
        if prev is not None and prev != node:
            gone = self._node_info(prev).remove_pod(key)
            self.room.freed()
            if gone is not None:
                self.topology.pod_removed(prev, gone)
        self._pod_node[key] = node
        ni = self._node_info(node)
        old = ni.pods.get(key)
        pi = PodInfo(pod, like=old if old is not None else like, key=key)
        if (
            old is not None
            and pi.requests is old.requests  # the same spec (shared from ``old``)
            and pi.terminating == old.terminating
            and pi.labels == old.labels
        ):
            ni.replace_pod(pi)  # a status update: the node's totals and the topology counts stay
        else:
            if old is not None:
                self.topology.pod_removed(node, old)
            ni.add_pod(pi)
            self.room.changed(ni)
            self.topology.pod_added(node, pi)
        if prev is None:
            self.queue.move(self._may_help_after_add)

    def _may_help_after_add(self, qp: QueuedPod) -> bool:
        """A pod assigned to a node may satisfy a spread constraint's skew or a pending pod's required
        affinity (the plugins' queueing hints for an assigned pod's add)."""
        return "PodTopologySpread" in qp.rejectors or (
            "InterPodAffinity" in qp.rejectors and bool(self._queued_info(qp).req_affinity)
        )

    def _unassign(self, key: str) -> PodInfo | None:
        node = self._pod_node.pop(key, None)
        if node is None:
            return None
        ni = self.nodes.get(node)
        removed = ni.remove_pod(key) if ni is not None else None
        self.room.freed()
        if removed is not None:
            self.topology.pod_removed(node, removed)
        if ni is not None and ni.node is None and not ni.pods:
            del self.nodes[node]
        if removed is not None:

            def may_help(qp: QueuedPod) -> bool:
                info = self._queued_info(qp)
                return any(
                    p in ("PodTopologySpread", "InterPodAffinity") or pod_delete_hint(p, info, removed)
                    for p in qp.rejectors
                )

            self.queue.move(may_help)
        return removed

    # ---------------------------------------------------------------- the nominator (see :mod:`.nominator`)

    def _nominate_from(self, pod: dict) -> None:
        key = self._key(pod)
        node = (pod.get("status") or {}).get("nominatedNodeName") or ""
        if not node:
            self.nominator.set(key, None, "")
            return
        qp = self.queue.pods.get(key)
        info = self._queued_info(qp) if qp is not None and qp.pod is pod else PodInfo(pod)
        self.nominator.set(key, info, node)

    def _filter(self, info: PodInfo, ni: NodeInfo, filters: tuple = FILTERS) -> tuple[str, Rejection] | None:
        """The filters, with the pods nominated to the node counted (``RunFilterPluginsWithNominatedPods``);
        ``filters`` are those the pod's PreFilter did not skip."""
        if ni.name in self.nominator.by_node:
            return run_filters_with_nominated(info, ni, self.nominator.on(ni.name))
        return run_filters(info, ni, filters)

    def _nodes(self) -> list[NodeInfo]:
        if self._node_list is None:
            self._node_list = [self.nodes[n] for n in self._names]
        return self._node_list

    # ---------------------------------------------------------------- pod events (continued)

    def _pod_added(self, pod: dict) -> None:
        if (pod.get("spec") or {}).get("nodeName"):
            self.nominator.set(self._key(pod), None, "")
            if not self._terminal(pod):
                self._assign(pod)
        elif self._responsible(pod):
            self.queue.add(pod)
            self._nominate_from(pod)

    def _pod_updated(self, old: dict, new: dict) -> None:
        key = self._key(new)
        if (new.get("spec") or {}).get("nodeName"):
            self.queue.delete(key)
            self.nominator.set(key, None, "")
            if self._terminal(new):
                self._unassign(key)
            else:
                self._assign(new)
        elif self._responsible(new):
            self.queue.update(new)
            self._nominate_from(new)
        else:
            self.queue.delete(key)
            self.nominator.set(key, None, "")

    def _pod_deleted(self, pod: dict) -> None:
        key = self._key(pod)
        self.queue.delete(key)
        self.nominator.set(key, None, "")
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
        while len(self.attempts) > 1 and (
            len(self.attempts) > MAX_ATTEMPT_RECORDS or self._recorded > MAX_RECORDED_NODE_VERDICTS
        ):
            self._recorded -= self._size(self.attempts.popitem(last=False)[1])

    def schedule_one(self, qp: QueuedPod) -> None:
        """Filter, score and bind one pod popped from the queue."""
        pod = self._pods_informer.get(qp.key) if self._pods_informer is not None else qp.pod
        if pod is None or (pod.get("spec") or {}).get("nodeName") or not self._responsible(pod):
            self.queue.delete(qp.key)
            return
        qp.pod = pod
        info = self._queued_info(qp)
        cycle = prefilter(info, self.topology)  # PodTopologySpread's and InterPodAffinity's PreFilter
        volumes, why = volumebinding.prefilter(pod, *self._volume_informers) if self._volume_informers else (None, "")
        cycle.volumes = volumes
        attempt = Attempt(qp.key, self.ctx.kernel.now, qp.attempts)
        nodes = self._nodes()
        plan = filters_for(info)
        attempt.num_nodes = len(nodes)
        if not nodes:
            attempt.outcome, attempt.message = "unschedulable", NO_NODES_AVAILABLE
            self._record(attempt)
            self._fail(qp, pod, NO_NODES_AVAILABLE, ())
            return
        if why:
            # VolumeBinding's PreFilter rejected the pod: every node has its status, preemption cannot help.
            rejection = Rejection(why)
            for ni in nodes:
                attempt.statuses[ni.name] = ("VolumeBinding", rejection)
            post, nominate = self._post_filter(pod, info, nodes, attempt)
            msg = volumebinding.prefilter_fit_error(len(nodes), why, post)
            attempt.outcome, attempt.message = "unschedulable", msg
            self._record(attempt)
            self._fail(qp, pod, msg, ("VolumeBinding",), nominate)
            return
        n = len(nodes)
        nominated = (pod.get("status") or {}).get("nominatedNodeName") or ""
        nom_ni = self.nodes.get(nominated) if nominated else None
        if nom_ni is not None and nom_ni.node is not None:
            # evaluateNominatedNode: the node preemption made room on is likely the only fit; try it first.
            attempt.nominated_node = nominated
            if self._filter(info, nom_ni) is None:
                attempt.feasible = [nominated]
                attempt.node = nominated
                self._record(attempt)
                self._bind(qp, pod, nominated, attempt)
                return
        to_find = num_feasible_nodes_to_find(n, self.percentage)
        feasible: list[NodeInfo] = []
        start = self.next_start_node_index % n
        allowed = prefilter_node_names(pod.get("spec") or {})
        if allowed is not None:
            # NodeAffinity's PreFilter narrowed the candidates: only those are filtered (DaemonSet pods).
            candidates = [ni for ni in nodes if ni.name in allowed]
            for ni in candidates:
                verdict = self._filter(info, ni, plan)
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
        untainted = False  # every feasible node passed as an untainted one (no filter ran on it)
        if nodes_to_visit:
            untainted = find_feasible(
                info,
                plan,
                nodes,
                self._names,
                start,
                to_find,
                feasible,
                attempt.statuses,
                self.nominator.by_node,
                self._filter,
                self.room,
                self.cycles,
            )
        if allowed is None:
            self.next_start_node_index = (start + len(feasible) + len(attempt.statuses)) % n
        attempt.feasible = list(map(_name, feasible))
        if not feasible:
            rejectors = tuple(sorted({plugin for plugin, _ in attempt.statuses.values()}))
            post, nominate = self._post_filter(pod, info, nodes, attempt)
            msg = fit_error_message(n, attempt.statuses, post)
            attempt.outcome, attempt.message = "unschedulable", msg
            self._record(attempt)
            self._fail(qp, pod, msg, rejectors, nominate)
            return
        if len(feasible) == 1:
            host = feasible[0].name
        else:
            attempt.scored = table = score_table(
                info, feasible, self.image_nodes, n, self._uniform_image, untainted, attempt.feasible
            )
            host = table.names[table.select(self.ctx.rng)]
        attempt.node = host
        self._record(attempt)
        self._bind(qp, pod, host, attempt)

    def _bind(self, qp: QueuedPod, pod: dict, host: str, attempt: Attempt) -> None:
        """Assume the pod on ``host``; VolumeBinding's PreBind when it has claims to bind; then the Binding."""
        assumed = {**pod, "spec": {**pod["spec"], "nodeName": host}}  # the cache's copy; never written
        self.nominator.set(qp.key, None, "")  # assume: DeleteNominatedPodIfExists
        self._assign(assumed, like=qp.info)
        volumes = qp.info.cycle.volumes if qp.info is not None and qp.info.cycle is not None else None
        if volumes is not None and volumes.delayed:
            self._prebind_volumes(qp, pod, host, attempt, volumes)
            return
        self._bind_pod(qp, pod, host, attempt)

    # ---------------------------------------------------------------- VolumeBinding's PreBind

    def _prebind_volumes(self, qp: QueuedPod, pod: dict, host: str, attempt: Attempt, volumes: Any) -> None:
        """Write the volume bindings (or the selected node for provisioning), then wait for the claims to be
        bound, checking every second as ``BindPodVolumes`` polls, before binding the pod."""
        node = self.nodes[host].node or {}
        for resource, obj in volumebinding.bindings_for(volumes, node):
            try:
                self.client.update(resource, obj, namespace=obj["metadata"].get("namespace"))
            except ApiError as e:
                self._prebind_failed(qp, pod, host, attempt, f"binding volumes: {e}")
                return
        deadline = self.ctx.kernel.now + volumebinding.BIND_TIMEOUT
        self.ctx.kernel.schedule(1.0, self._check_volumes, qp, pod, host, attempt, volumes, deadline)

    def _check_volumes(
        self, qp: QueuedPod, pod: dict, host: str, attempt: Attempt, volumes: Any, deadline: float
    ) -> None:
        if self._pod_node.get(qp.key) != host:
            return  # the pod went away meanwhile
        if volumebinding.all_bound(volumes, self._volume_informers[0]):
            self._bind_pod(qp, pod, host, attempt)
        elif self.ctx.kernel.now + 1.0 > deadline:
            self._prebind_failed(qp, pod, host, attempt, "binding volumes: context deadline exceeded")
        else:
            self.ctx.kernel.schedule(1.0, self._check_volumes, qp, pod, host, attempt, volumes, deadline)

    def _prebind_failed(self, qp: QueuedPod, pod: dict, host: str, attempt: Attempt, error: str) -> None:
        if self._pod_node.get(qp.key) == host:
            self._unassign(qp.key)
        msg = f'running PreBind plugin "VolumeBinding": {error}'
        attempt.outcome, attempt.message = "error", msg
        self.recorder.event(pod, "Warning", "FailedScheduling", msg)
        self._set_condition(pod, "SchedulerError", msg)
        self.queue.error(qp)

    def _bind_pod(self, qp: QueuedPod, pod: dict, host: str, attempt: Attempt) -> None:
        """The DefaultBinder: a Binding to the node; the pod leaves the queue."""
        md = pod["metadata"]
        ns, name = md.get("namespace", "default"), md["name"]
        binding = {
            "apiVersion": "v1",
            "kind": "Binding",
            "metadata": {"name": name, "namespace": ns},
            "target": {"apiVersion": "v1", "kind": "Node", "name": host},
        }
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

    def _fail(
        self, qp: QueuedPod, pod: dict, msg: str, rejectors: tuple[str, ...], nominate: str | None = None
    ) -> None:
        """handleSchedulingFailure: the nominator updated, the ``FailedScheduling`` event, one status write
        with the condition and the nominated node, and back among the unschedulable pods."""
        if nominate is not None:
            self.nominator.set(qp.key, self._queued_info(qp), nominate)
        self.recorder.event(pod, "Warning", "FailedScheduling", msg)
        self._set_condition(pod, "Unschedulable", msg, nominate)
        self.queue.unschedulable(qp, rejectors)

    def _set_condition(self, pod: dict, reason: str, msg: str, nominate: str | None = None) -> None:
        """Set ``PodScheduled=False`` with ``reason`` and ``msg`` and, when ``nominate`` is not None,
        ``status.nominatedNodeName`` ("" clears it), unless both already say so (``updatePod``; one retry on
        a conflict, with the pod read afresh)."""
        for attempt in range(2):
            obj = with_unschedulable_condition(pod, reason, msg, self.ctx.kernel.now)
            have = (pod.get("status") or {}).get("nominatedNodeName") or ""
            if nominate is not None and have != nominate:
                if obj is None:
                    obj = copy_json(pod)
                status = obj.setdefault("status", {})
                if nominate:
                    status["nominatedNodeName"] = nominate
                else:
                    status.pop("nominatedNodeName", None)
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

    # ---------------------------------------------------------------- DefaultPreemption (PostFilter)

    def _pdbs(self) -> list[dict]:
        """The PodDisruptionBudgets, from an informer started the first time preemption needs them."""
        if self._pdb_informer is None:
            self._pdb_informer = self.informers.informer("poddisruptionbudgets")  # type: ignore[assignment]
            try:
                self._pdb_informer.start()  # type: ignore[attr-defined]
            except ApiError:
                self._pdb_informer = None
                return []
        cache = self._pdb_informer.cache  # type: ignore[attr-defined]
        return [cache[k] for k in sorted(cache)]

    def _current_pod(self, key: str, fallback: dict) -> dict | None:
        """The pod ``key`` as the scheduler's informer has it last (``fallback`` before the informer runs)."""
        return self._pods_informer.get(key) if self._pods_informer is not None else fallback

    def _candidate_offset(self, n: int) -> int:
        """``rand.Int31n(n)``: where the dry run starts among ``n`` potential nodes."""
        return self.ctx.rng.randint(0, n - 1)

    def _post_filter(self, pod: dict, info: PodInfo, nodes: list[NodeInfo], attempt: Attempt) -> tuple[str, str | None]:
        """DefaultPreemption's PostFilter: decide, and preempt when victims were found.

        Returns the PostFilter message for the FitError and the nomination to write: a node name, "" to
        clear it (preemption cannot help), or None to leave it (not eligible, or an error).
        """
        statuses = attempt.statuses
        potential = any(not r.unresolvable for _, r in statuses.values())
        pdbs = self._pdbs() if potential else []
        outcome = preempt(
            info,
            nodes,
            statuses,
            pdbs,
            self.ctx.kernel.now,
            self._candidate_offset,
            {name: self.nominator.on(name) for name in self.nominator.nodes()},
        )
        attempt.preemption_candidates = [c.node for c in outcome.candidates]
        msg = postfilter_message(outcome, len(nodes))
        if outcome.chosen is None:
            attempt.preemption = {"message": msg}
            return msg, ("" if outcome.eligible else None)
        error = prepare_candidate(
            self.client,
            self.recorder,
            self.nominator,
            self._current_pod,
            pod,
            outcome.chosen,
            self.ctx.kernel.now,
            SCHEDULER_NAME,
        )
        if error:
            msg = f"preemption: {error}"
            attempt.preemption = {"message": msg}
            return msg, None
        attempt.preemption = outcome.chosen.as_dict()
        return msg, outcome.chosen.node

    # ---------------------------------------------------------------- explain

    def explain(self, namespace: str, name: str) -> dict[str, Any]:
        """The last scheduling attempt of ``namespace/name``: time, outcome, each node's filter verdict and,
        for feasible nodes, each plugin's normalized score and the total. ``outcome`` is ``scheduled``
        (``node`` names where), ``unschedulable`` or ``error``; ``not-attempted`` when there was none yet.
        An unschedulable attempt carries ``preemption``: the ``node`` and ``victims`` preempted for the pod
        (with ``numPDBViolations`` and the other ``candidates``), or the ``message`` why preemption did not
        help; ``nominatedNode`` is the node the attempt tried first."""
        key = f"{namespace}/{name}"
        attempt = self.attempts.get(key)
        qp = self.queue.pods.get(key)
        if attempt is None:
            return {"pod": key, "outcome": "not-attempted", "queue": qp.where if qp else None, "nodes": []}
        out = attempt.as_dict()
        out["queue"] = qp.where if qp else None
        return out
