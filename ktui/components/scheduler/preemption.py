"""DefaultPreemption as pure decisions: which node to preempt on and which lower-priority pods to evict.

Follows kube-scheduler v1.37: ``pkg/scheduler/framework/plugins/defaultpreemption/default_preemption.go``
(``PodEligibleToPreemptOthers``, ``SelectVictimsOnNode``, ``filterPodsWithPDBViolation``) and
``pkg/scheduler/framework/preemption/preemption.go`` (``Preempt``, ``findCandidates``, ``DryRunPreemption``,
``pickOneNodeForPreemption``), with ``util.MoreImportantPod`` / ``GetEarliestPodStartTime``
(``pkg/scheduler/util/utils.go``).

Only the nodes a filter rejected as *Unschedulable* (not *UnschedulableAndUnresolvable*) are tried. On each,
every pod of strictly lower priority is removed; if the preemptor then fits, the removed pods are added back
one by one, most important first (PDB-violating ones before the others), and each one that keeps the
preemptor from fitting becomes a victim ("reprieve"). Among the candidate nodes the one with the fewest PDB
violations wins, then the lowest highest-victim priority, the smallest sum of victim priorities, the fewest
victims, the latest start time of the highest-priority victims, then the first node by name.

The API side (the ``DisruptionTarget`` condition, the delete, the ``Preempted`` event, the nomination) is done
by the scheduler; this module only decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from ktui.api.labels import label_selector_from_dict
from ktui.components.scheduler.filters import Rejection, run_filters
from ktui.components.scheduler.nodeinfo import NodeInfo
from ktui.components.scheduler.podinfo import PodInfo
from ktui.sim.timefmt import parse_rfc3339

__all__ = [
    "Candidate",
    "Outcome",
    "NOT_HELPFUL",
    "NO_VICTIMS",
    "NOT_ELIGIBLE_NEVER",
    "NOT_ELIGIBLE_TERMINATING",
    "PREEMPTED_EVENT_MESSAGE",
    "DISRUPTION_MESSAGE",
    "REASON_PREEMPTION_BY_SCHEDULER",
    "calculate_num_candidates",
    "dry_run_preemption",
    "filter_pods_with_pdb_violation",
    "find_candidates",
    "pick_one_node",
    "pod_eligible_to_preempt_others",
    "pod_terminating_by_preemption",
    "preempt",
    "run_filters_with_nominated",
    "select_victims_on_node",
]

NOT_HELPFUL = "Preemption is not helpful for scheduling"
"""Status of every node preemption cannot help (``Preempt``: ``SetAbsentNodesStatus``)."""
NO_VICTIMS = "No preemption victims found for incoming pod"
"""``SelectVictimsOnNode`` on a node without lower-priority pods."""
NOT_ELIGIBLE_NEVER = "not eligible due to preemptionPolicy=Never."
NOT_ELIGIBLE_TERMINATING = "not eligible due to a terminating pod on the nominated node."
REASON_PREEMPTION_BY_SCHEDULER = "PreemptionByScheduler"
"""``v1.PodReasonPreemptionByScheduler``: the reason of the victims' ``DisruptionTarget`` condition."""
DISRUPTION_MESSAGE = "{scheduler}: preempting to accommodate a higher priority pod"
"""The ``DisruptionTarget`` message (``PreemptPod`` in preemption/executor.go), the preemptor's scheduler name
filled in."""
PREEMPTED_EVENT_MESSAGE = "Preempted by pod {uid} on node {node}"
"""The ``Normal Preempted`` event on each victim (``Eventf(victim, preemptor, ..., "Preempted", "Preempting",
"Preempted by pod %v on node %v", preemptor.UID, c.Name())``)."""

MIN_CANDIDATE_NODES_PERCENTAGE = 10
"""DefaultPreemptionArgs.minCandidateNodesPercentage default."""
MIN_CANDIDATE_NODES_ABSOLUTE = 100
"""DefaultPreemptionArgs.minCandidateNodesAbsolute default."""
_MAX_INT32_PLUS_1 = 2**31

Status = tuple[str, Rejection]
"""A node's filter verdict as ``run_filters`` returns it: (plugin, rejection)."""


@dataclass
class Candidate:
    """A node where preemption makes the preemptor fit, its victims (most important first) and how many of
    them violate a PodDisruptionBudget."""

    node: str
    victims: list[PodInfo]
    num_pdb_violations: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "victims": [v.key for v in self.victims],
            "numPDBViolations": self.num_pdb_violations,
        }


@dataclass
class Outcome:
    """What DefaultPreemption's PostFilter decided for one unschedulable pod.

    ``eligible`` False: ``reason`` says why (no candidates were looked for). Otherwise ``chosen`` is the
    candidate to preempt on, or None with ``statuses`` holding each node's verdict with the victims gone
    (nodes preemption cannot help are absent: they read "Preemption is not helpful for scheduling").
    """

    eligible: bool = True
    reason: str = ""
    candidates: list[Candidate] = field(default_factory=list)
    statuses: dict[str, Status] = field(default_factory=dict)
    chosen: Candidate | None = None


# ---------------------------------------------------------------- ordering


def pod_start_time(pod: PodInfo, now: float) -> float:
    """``util.GetPodStartTime``: ``status.startTime``, or now for a pod that has not started."""
    text = (pod.pod.get("status") or {}).get("startTime")
    if text:
        try:
            return parse_rfc3339(text)
        except ValueError:
            pass
    return now


def importance_key(pod: PodInfo, now: float) -> tuple:
    """Sort key, most important first: ``util.MoreImportantPod`` (higher priority, then the older start),
    then the pod's key so equal pods sort the same on every run."""
    return (-pod.priority, pod_start_time(pod, now), pod.key)


def earliest_start_of_highest_priority(victims: list[PodInfo], now: float) -> float:
    """``util.GetEarliestPodStartTime``: the earliest start among the victims of the highest priority."""
    top = max(v.priority for v in victims)
    return min(pod_start_time(v, now) for v in victims if v.priority == top)


# ---------------------------------------------------------------- filters with nominated pods


def _clone(node: NodeInfo, without: Iterable[str] = (), extra: Iterable[PodInfo] = ()) -> NodeInfo:
    """A scratch copy of ``node`` (as ``NodeInfo.Snapshot``), minus the pods keyed ``without``, plus ``extra``."""
    skip = set(without)
    trial = NodeInfo(node.name)
    trial.set_node(node.node or {"metadata": {"name": node.name}})
    for key, pi in node.pods.items():
        if key not in skip:
            trial.add_pod(pi)
    for pi in extra:
        trial.add_pod(pi)
    return trial


def _relevant_nominated(pod: PodInfo, nominated: Iterable[PodInfo]) -> list[PodInfo]:
    """``addNominatedPods``: the other pods nominated to the node whose priority is at least the pod's."""
    return [p for p in nominated if p.key != pod.key and p.priority >= pod.priority]


def run_filters_with_nominated(pod: PodInfo, node: NodeInfo, nominated: Iterable[PodInfo] = ()) -> Status | None:
    """``RunFilterPluginsWithNominatedPods``: the filters with the node's nominated pods of equal or higher
    priority counted as if they ran there (the modelled filters only get stricter with more pods, so the
    second pass without them that the real framework makes for inter-pod affinity is not needed)."""
    extra = _relevant_nominated(pod, nominated)
    if not extra:
        return run_filters(pod, node)
    return run_filters(pod, _clone(node, extra=extra))


# ---------------------------------------------------------------- PodDisruptionBudgets


def _pdb_selector(pdb: dict) -> Any:
    sel = (pdb.get("spec") or {}).get("selector")
    if not sel or not (sel.get("matchLabels") or sel.get("matchExpressions")):
        return None  # a nil or empty PDB selector matches nothing
    try:
        return label_selector_from_dict(sel)
    except ValueError:
        return None  # an invalid selector matches nothing


def filter_pods_with_pdb_violation(pods: list[PodInfo], pdbs: list[dict]) -> tuple[list[PodInfo], list[PodInfo]]:
    """``filterPodsWithPDBViolation``: split ``pods`` (order kept) into those whose eviction would take a
    matching PDB below zero ``disruptionsAllowed`` (counting the earlier pods of the list) and the others.
    A pod already in a PDB's ``status.disruptedPods`` does not count against it."""
    allowed = [int((p.get("status") or {}).get("disruptionsAllowed") or 0) for p in pdbs]
    selectors = [_pdb_selector(p) for p in pdbs]
    violating: list[PodInfo] = []
    ok: list[PodInfo] = []
    for pi in pods:
        md = pi.pod.get("metadata") or {}
        labels = md.get("labels") or {}
        violated = False
        if labels:
            for i, pdb in enumerate(pdbs):
                if (pdb.get("metadata") or {}).get("namespace") != md.get("namespace"):
                    continue
                sel = selectors[i]
                if sel is None or not sel.matches(labels):
                    continue
                if md.get("name") in ((pdb.get("status") or {}).get("disruptedPods") or {}):
                    continue
                allowed[i] -= 1
                if allowed[i] < 0:
                    violated = True
        (violating if violated else ok).append(pi)
    return violating, ok


# ---------------------------------------------------------------- one node


def select_victims_on_node(
    pod: PodInfo, node: NodeInfo, pdbs: list[dict], now: float, nominated: Iterable[PodInfo] = ()
) -> tuple[list[PodInfo], int, Status | None]:
    """``SelectVictimsOnNode``: the fewest lower-priority pods whose removal lets ``pod`` fit on ``node``.

    Returns ``(victims, numPDBViolations, None)`` with victims most important first, or ``([], 0, status)``
    when preemption on this node cannot help.
    """
    potential = [pi for pi in node.pods.values() if pi.priority < pod.priority]
    if not potential:
        return [], 0, ("DefaultPreemption", Rejection(NO_VICTIMS))
    nominated = list(nominated)
    trial = _clone(node, without=[pi.key for pi in potential])
    status = run_filters_with_nominated(pod, trial, nominated)
    if status is not None:
        return [], 0, status
    potential.sort(key=lambda pi: importance_key(pi, now))
    violating, non_violating = filter_pods_with_pdb_violation(potential, pdbs)
    victims: list[PodInfo] = []
    num_violating = 0

    def reprieve(pi: PodInfo) -> bool:
        trial.add_pod(pi)
        if run_filters_with_nominated(pod, trial, nominated) is None:
            return True
        trial.remove_pod(pi.key)
        victims.append(pi)
        return False

    for pi in violating:
        if not reprieve(pi):
            num_violating += 1
    for pi in non_violating:
        reprieve(pi)
    if violating and non_violating:
        victims.sort(key=lambda pi: importance_key(pi, now))
    if not victims:
        return [], 0, ("DefaultPreemption", Rejection(f'expected at least one victim pod on node "{node.name}"'))
    return victims, num_violating, None


# ---------------------------------------------------------------- all nodes


def calculate_num_candidates(
    num_nodes: int, percentage: int = MIN_CANDIDATE_NODES_PERCENTAGE, absolute: int = MIN_CANDIDATE_NODES_ABSOLUTE
) -> int:
    """``calculateNumCandidates``: ``percentage`` of the nodes, at least ``absolute``, at most all."""
    n = num_nodes * percentage // 100
    return min(max(n, absolute), num_nodes)


def dry_run_preemption(
    pod: PodInfo,
    potential: list[NodeInfo],
    pdbs: list[dict],
    now: float,
    offset: int,
    num_candidates: int,
    nominated: Mapping[str, Iterable[PodInfo]] | None = None,
) -> tuple[list[Candidate], dict[str, Status]]:
    """``DryRunPreemption``: try the potential nodes from ``offset`` (wrapping) until ``num_candidates`` are
    found with at least one that violates no PDB; the non-violating candidates come first."""
    nominated = nominated or {}
    non_violating: list[Candidate] = []
    violating: list[Candidate] = []
    statuses: dict[str, Status] = {}
    n = len(potential)
    for i in range(n):
        ni = potential[(offset + i) % n]
        victims, num_pdb, status = select_victims_on_node(pod, ni, pdbs, now, nominated.get(ni.name, ()))
        if status is None:
            c = Candidate(ni.name, victims, num_pdb)
            (violating if num_pdb else non_violating).append(c)
            if non_violating and len(non_violating) + len(violating) >= num_candidates:
                break
            continue
        statuses[ni.name] = status
    return non_violating[:num_candidates] + violating[:num_candidates], statuses


def find_candidates(
    pod: PodInfo,
    nodes: list[NodeInfo],
    statuses: Mapping[str, Status],
    pdbs: list[dict],
    now: float,
    offset: Callable[[int], int] | None = None,
    nominated: Mapping[str, Iterable[PodInfo]] | None = None,
) -> tuple[list[Candidate], dict[str, Status]]:
    """``findCandidates``: dry-run preemption on the nodes the filters rejected as resolvable.

    ``offset(n)`` picks where to start among ``n`` potential nodes (``rand.Int31n``); it is only asked when
    fewer candidates than potential nodes are wanted (100 or more), since otherwise every node is tried and
    the start only changes the order, which ktui fixes by node name.
    """
    potential = [ni for ni in nodes if ni.name in statuses and not statuses[ni.name][1].unresolvable]
    if not potential:
        return [], {}
    num = calculate_num_candidates(len(potential))
    start = offset(len(potential)) if offset is not None and num < len(potential) else 0
    return dry_run_preemption(pod, potential, pdbs, now, start, num, nominated)


def pick_one_node(candidates: list[Candidate], now: float) -> Candidate | None:
    """``pickOneNodeForPreemption``: fewest PDB violations, then the lowest highest-victim priority, the
    smallest sum of victim priorities, the fewest victims, the latest start of the highest-priority victims;
    a remaining tie goes to the first node by name (Go takes the first of a map's random order)."""
    if not candidates:
        return None
    pool = sorted(candidates, key=lambda c: c.node)
    score_funcs: list[Callable[[Candidate], float]] = [
        lambda c: -c.num_pdb_violations,
        lambda c: -c.victims[0].priority if c.victims else 0,
        lambda c: -sum(v.priority + _MAX_INT32_PLUS_1 for v in c.victims),
        lambda c: -len(c.victims),
        lambda c: earliest_start_of_highest_priority(c.victims, now) if c.victims else float("-inf"),
    ]
    for f in score_funcs:
        best = max(f(c) for c in pool)
        pool = [c for c in pool if f(c) == best]
        if len(pool) == 1:
            break
    return pool[0]


# ---------------------------------------------------------------- eligibility and the whole PostFilter


def pod_terminating_by_preemption(pod: dict) -> bool:
    """``podTerminatingByPreemption``: deleting, with ``DisruptionTarget=True`` for ``PreemptionByScheduler``."""
    if not (pod.get("metadata") or {}).get("deletionTimestamp"):
        return False
    for c in (pod.get("status") or {}).get("conditions") or []:
        if c.get("type") == "DisruptionTarget":
            return c.get("status") == "True" and c.get("reason") == REASON_PREEMPTION_BY_SCHEDULER
    return False


def pod_eligible_to_preempt_others(
    pod: PodInfo, nodes: Mapping[str, NodeInfo], statuses: Mapping[str, Status]
) -> tuple[bool, str]:
    """``PodEligibleToPreemptOthers``: not with ``preemptionPolicy: Never``; not while a lower-priority pod
    this scheduler preempted is still terminating on the pod's nominated node (unless that node is now
    rejected as unresolvable, or gone)."""
    if (pod.pod.get("spec") or {}).get("preemptionPolicy") == "Never":
        return False, NOT_ELIGIBLE_NEVER
    nom = (pod.pod.get("status") or {}).get("nominatedNodeName") or ""
    if nom:
        status = statuses.get(nom)
        if status is None or status[1].unresolvable:
            return True, ""
        ni = nodes.get(nom)
        if ni is not None:
            for key in sorted(ni.pods):
                p = ni.pods[key]
                if p.priority < pod.priority and pod_terminating_by_preemption(p.pod):
                    return False, NOT_ELIGIBLE_TERMINATING
    return True, ""


def preempt(
    pod: PodInfo,
    nodes: list[NodeInfo],
    statuses: Mapping[str, Status],
    pdbs: list[dict],
    now: float,
    offset: Callable[[int], int] | None = None,
    nominated: Mapping[str, Iterable[PodInfo]] | None = None,
) -> Outcome:
    """``Evaluator.Preempt`` without the API calls: eligibility, candidates, and the chosen one."""
    ok, reason = pod_eligible_to_preempt_others(pod, {ni.name: ni for ni in nodes}, statuses)
    if not ok:
        return Outcome(eligible=False, reason=reason)
    candidates, dry = find_candidates(pod, nodes, statuses, pdbs, now, offset, nominated)
    out = Outcome(candidates=candidates, statuses=dry)
    out.chosen = pick_one_node(candidates, now)
    return out
