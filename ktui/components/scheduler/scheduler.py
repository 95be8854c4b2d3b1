"""kube-scheduler: watches pods and nodes, filters and scores nodes for each pending pod, and binds it.

One pod per scheduling cycle, each cycle a kernel callback at the current instant (``call_soon``), as
``ScheduleOne`` (pkg/scheduler/schedule_one.go). The scheduler cache (:mod:`.cache`, a ``NodeInfo`` per node)
is kept incrementally by the informers' event handlers (:mod:`.eventhandlers`), so a cycle never scans all
pods; the binding cycle (:mod:`.binding`) assumes the chosen node in the cache and binds the pod.

A pod that fits nowhere runs DefaultPreemption's PostFilter (:mod:`.preemption`): when evicting
lower-priority pods makes it fit somewhere, the victims get the ``DisruptionTarget`` condition, a graceful
delete and a ``Preempted`` event, the pod is nominated to the node (``status.nominatedNodeName``), and it
waits among the unschedulable pods until the victims are gone. A pod with a nominated node tries that node
first, and pods nominated to a node count there when lower- or equal-priority pods are filtered.

PodTopologySpread and InterPodAffinity (:mod:`.podtopologyspread`, :mod:`.interpodaffinity`) count pods per
node and topology domain through a :class:`~.topology.TopologyIndex` the cache keeps current as pods are
assigned and removed; their PreFilter runs once per cycle. The system default spreading needs the Services,
ReplicaSets, StatefulSets and ReplicationControllers (``DefaultSelector``), and namespace selectors the
Namespaces: the scheduler watches those too.

VolumeBinding (:mod:`.volumebinding`) reads the claims, volumes and storage classes: its PreFilter can reject a
pod on every node, its Filter runs with the others, and for WaitForFirstConsumer claims its PreBind writes the
volume bindings, then the pod is bound once the PV controller has bound every claim (checked every second).
"""

from __future__ import annotations

from collections import OrderedDict
from operator import attrgetter
from typing import Any

from ktui.api.errors import ApiError
from ktui.api.events import EventRecorder
from ktui.api.informer import InformerFactory
from ktui.components.scheduler import volumebinding
from ktui.components.scheduler.binding import BindingCycle
from ktui.components.scheduler.cache import SchedulerCache
from ktui.components.scheduler.config import (
    FLAG_ALIASES,
    FLAGS,
    SCHEDULER_NAME,
    feature_gates,
    flag,
    num_feasible_nodes_to_find,
)
from ktui.components.scheduler.cyclestate import prefilter
from ktui.components.scheduler.eventhandlers import EventHandlers
from ktui.components.scheduler.explain import NO_NODES_AVAILABLE, Attempt, fit_error_message, postfilter_message
from ktui.components.scheduler.filters import (
    ERR_PREFILTER_NODE_AFFINITY,
    FILTERS,
    Rejection,
    filters_for,
    prefilter_node_names,
    run_filters,
)
from ktui.components.scheduler.nodeinfo import NodeInfo
from ktui.components.scheduler.nominator import Nominator
from ktui.components.scheduler.podinfo import PodInfo
from ktui.components.scheduler.preemption import preempt, run_filters_with_nominated
from ktui.components.scheduler.preemptor import prepare_candidate
from ktui.components.scheduler.queue import QueuedPod, SchedulingQueue
from ktui.components.scheduler.scores import score_table
from ktui.components.scheduler.window import find_feasible
from ktui.sim.timefmt import parse_duration

__all__ = ["Scheduler", "num_feasible_nodes_to_find", "FLAGS", "FLAG_ALIASES"]

MAX_ATTEMPT_RECORDS = 500
MAX_RECORDED_NODE_VERDICTS = 20_000
"""Bound on the per-node verdicts kept for explain (oldest attempts are forgotten first)."""


_name = attrgetter("name")


class Scheduler(BindingCycle, EventHandlers, SchedulerCache):
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
        self._init_cache()  # nodes, _names, _pod_node, image_nodes, room, topology: see :mod:`.cache`
        self.next_start_node_index = 0
        self.attempts: OrderedDict[str, Attempt] = OrderedDict()
        """The last attempt of recently tried pods, oldest first."""
        self.nominator = Nominator()
        """Pending pods nominated to nodes by preemption."""
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

    def _filter(self, info: PodInfo, ni: NodeInfo, filters: tuple = FILTERS) -> tuple[str, Rejection] | None:
        """The filters, with the pods nominated to the node counted (``RunFilterPluginsWithNominatedPods``);
        ``filters`` are those the pod's PreFilter did not skip."""
        if ni.name in self.nominator.by_node:
            return run_filters_with_nominated(info, ni, self.nominator.on(ni.name))
        return run_filters(info, ni, filters)

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
