"""NodeResourcesFit's LeastAllocated and NodeResourcesBalancedAllocation scores, for one node or for every node."""

from __future__ import annotations

from ktui.components.scheduler.nodeinfo import NodeInfo
from ktui.components.scheduler.podinfo import PodInfo
from ktui.components.scheduler.topology import MAX_NODE_SCORE

__all__ = ["balanced_allocation", "least_allocated", "resource_cell", "resource_scores"]


def _least_requested(requested: int, capacity: int) -> int:
    if capacity == 0 or requested > capacity:
        return 0
    return (capacity - requested) * MAX_NODE_SCORE // capacity


def least_allocated(pod: PodInfo, node: NodeInfo) -> int:
    """NodeResourcesFit's LeastAllocated: free share of cpu and memory (weights 1), non-zero requests."""
    pairs = (
        (node.non_zero_requested.milli_cpu + pod.non_zero.milli_cpu, node.allocatable.milli_cpu),
        (node.non_zero_requested.memory + pod.non_zero.memory, node.allocatable.memory),
    )
    score = weights = 0
    for requested, allocatable in pairs:
        if allocatable == 0:
            continue
        score += _least_requested(requested, allocatable)
        weights += 1
    return score // weights if weights else 0


def balanced_allocation(pod: PodInfo, node: NodeInfo) -> int | None:
    """NodeResourcesBalancedAllocation: ``(1 - std of the cpu/memory fractions) * 100``; None (skip) for
    best-effort pods, as its PreScore does."""
    if pod.requests.milli_cpu == 0 and pod.requests.memory == 0:
        return None
    fractions = []
    for requested, allocatable in (
        (node.requested.milli_cpu + pod.requests.milli_cpu, node.allocatable.milli_cpu),
        (node.requested.memory + pod.requests.memory, node.allocatable.memory),
    ):
        if allocatable == 0:
            continue
        fractions.append(min(1.0, requested / allocatable))
    std = abs(fractions[0] - fractions[1]) / 2 if len(fractions) == 2 else 0.0
    return int((1 - std) * MAX_NODE_SCORE)


def resource_scores(pod: PodInfo, nodes: list[NodeInfo], balanced: bool) -> tuple[list[int], list[int] | None]:
    """:func:`least_allocated` and (when ``balanced``) :func:`balanced_allocation` for every node, in one loop;
    nodes with the same allocatable and requested totals (most of a node pool) share one computation."""
    nz_cpu, nz_mem = pod.non_zero.milli_cpu, pod.non_zero.memory
    cpu, mem = pod.requests.milli_cpu, pod.requests.memory
    fit: list[int] = []
    bal: list[int] | None = [] if balanced else None
    memo: dict[tuple[int, ...], tuple[int, int]] = {}
    for n in nodes:
        alloc, nz, used = n.allocatable, n.non_zero_requested, n.requested
        key = (alloc.milli_cpu, alloc.memory, nz.milli_cpu, nz.memory, used.milli_cpu, used.memory)
        hit = memo.get(key)
        if hit is None:
            ac, am = key[0], key[1]
            score = weights = 0
            if ac:
                r = nz.milli_cpu + nz_cpu
                score += 0 if r > ac else (ac - r) * MAX_NODE_SCORE // ac
                weights += 1
            if am:
                r = nz.memory + nz_mem
                score += 0 if r > am else (am - r) * MAX_NODE_SCORE // am
                weights += 1
            if ac and am:
                fc = (used.milli_cpu + cpu) / ac
                fm = (used.memory + mem) / am
                std = abs((fc if fc < 1.0 else 1.0) - (fm if fm < 1.0 else 1.0)) / 2
            else:
                std = 0.0
            hit = memo[key] = (score // weights if weights else 0, int((1 - std) * MAX_NODE_SCORE))
        fit.append(hit[0])
        if bal is not None:
            bal.append(hit[1])
    return fit, bal


def resource_cell(key: tuple[int, ...], nz_cpu: int, nz_mem: int, cpu: int, mem: int, balanced: bool) -> tuple:
    """A node's (LeastAllocated, BalancedAllocation or None) from its :attr:`~.NodeInfo.resource_key`."""
    ac, am, nzc, nzm, uc, um = key
    score = weights = 0
    if ac:
        r = nzc + nz_cpu
        score += 0 if r > ac else (ac - r) * MAX_NODE_SCORE // ac
        weights += 1
    if am:
        r = nzm + nz_mem
        score += 0 if r > am else (am - r) * MAX_NODE_SCORE // am
        weights += 1
    bal = None
    if balanced:
        if ac and am:
            fc = (uc + cpu) / ac
            fm = (um + mem) / am
            std = abs((fc if fc < 1.0 else 1.0) - (fm if fm < 1.0 else 1.0)) / 2
        else:
            std = 0.0
        bal = int((1 - std) * MAX_NODE_SCORE)
    return (score // weights if weights else 0, bal)
