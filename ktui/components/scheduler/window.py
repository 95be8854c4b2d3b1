"""The scheduler's filter window: the nodes examined for one pod, from the start index until enough fit.

A plain pod (no node name, selector or affinity, host ports, spread, pod affinity or volumes; no extended
resources) passes the filters of a node without taints, not cordoned, with room for its request and no
nominated pods. :class:`RoomFloor` keeps a lower bound of every node's free room, so when a pod fits it
every such node fits and the window is list slices; only the tainted or cordoned nodes are filtered.
"""

from __future__ import annotations

import bisect
from typing import Callable

from ktui.components.scheduler.filters import Rejection, run_filters
from ktui.components.scheduler.nodeinfo import NodeInfo
from ktui.components.scheduler.podinfo import PodInfo

__all__ = ["RoomFloor", "find_feasible"]

RECOMPUTE_EVERY = 32
"""Cycles between two computations of the floor over all nodes when room was freed under it."""


class RoomFloor:
    """A lower bound of the free room of the untainted, schedulable nodes, and the other (blocked) nodes."""

    def __init__(self) -> None:
        self.floor: tuple[int, int, int, int] | None = None
        """Pods, milli-CPU, memory and ephemeral storage at most free on any node not blocked; None: unknown."""
        self.loose = False
        """Whether room was freed since ``floor`` was computed (it may be lower than it need be)."""
        self.computed_at = 0
        """The scheduler's cycle when ``floor`` was last computed over all nodes."""
        self.blocked: set[str] = set()
        """Nodes with a taint or cordoned (their room is not what decides)."""
        self._blocked_at: tuple[list[NodeInfo] | None, list[int]] = (None, [])
        """The node list and the sorted positions in it of the blocked nodes."""

    def changed(self, ni: NodeInfo) -> None:
        """After a node or its pods changed: keep ``blocked`` and lower ``floor`` to the node's room."""
        if ni.node is None:
            return  # not among the nodes examined (a pod bound to a node not seen yet)
        if ni.taints or ni.unschedulable:
            if ni.name not in self.blocked:
                self.blocked.add(ni.name)
                self._blocked_at = (None, [])
            return
        if ni.name in self.blocked:
            self.blocked.discard(ni.name)
            self._blocked_at = (None, [])
        floor = self.floor
        room = ni.room
        if floor is not None and isinstance(room, tuple):
            p, c, m, e = room
            if p < floor[0] or c < floor[1] or m < floor[2] or e < floor[3]:
                self.floor = (min(p, floor[0]), min(c, floor[1]), min(m, floor[2]), min(e, floor[3]))

    def freed(self) -> None:
        """Room was freed on some node (a pod left it)."""
        self.loose = True

    def node_gone(self, name: str) -> None:
        if name in self.blocked:
            self.blocked.discard(name)
            self._blocked_at = (None, [])
        self.loose = True

    def all_fit(self, cpu: int, mem: int, eph: int, nodes: list[NodeInfo], cycle: int) -> bool:
        """Whether every node of ``nodes`` but the blocked ones fits a plain pod's request (one pod slot, CPU,
        memory, ephemeral storage) by its free room alone; the floor is computed over ``nodes`` when not
        known, or when room was freed since and the request does not fit (at most once in
        :data:`RECOMPUTE_EVERY` cycles then)."""
        floor = self.floor
        if floor is not None and floor[0] > 0 and cpu <= floor[1] and mem <= floor[2] and eph <= floor[3]:
            return True
        if floor is not None and (not self.loose or cycle - self.computed_at < RECOMPUTE_EVERY):
            return False
        rooms = [room for ni in nodes if isinstance(room := ni.room, tuple)]
        self.computed_at, self.loose = cycle, False
        if not rooms:
            self.floor = None
            return False
        pods, cpus, mems, ephs = zip(*rooms)
        floor = self.floor = (min(pods), min(cpus), min(mems), min(ephs))
        return floor[0] > 0 and cpu <= floor[1] and mem <= floor[2] and eph <= floor[3]

    def blocked_positions(self, nodes: list[NodeInfo], names: list[str]) -> list[int]:
        """The sorted positions of the blocked nodes in ``nodes`` (whose sorted names are ``names``)."""
        cached, at = self._blocked_at
        if cached is not nodes:
            at = sorted(bisect.bisect_left(names, name) for name in self.blocked)
            self._blocked_at = (nodes, at)
        return at


def find_feasible(
    info: PodInfo,
    plan: tuple,
    nodes: list[NodeInfo],
    names: list[str],
    start: int,
    to_find: int,
    feasible: list[NodeInfo],
    statuses: dict[str, tuple[str, Rejection]],
    nominated: dict,
    filter_nominated: Callable[[PodInfo, NodeInfo, tuple], tuple[str, Rejection] | None],
    room: RoomFloor,
    cycle: int,
) -> bool:
    """Filter ``nodes`` in order from ``start`` (wrapping around) until ``to_find`` fit or all were filtered:
    the fitting ones appended to ``feasible``, the others' verdicts into ``statuses``. ``plan`` holds the
    filters the pod's PreFilter did not skip; nodes in ``nominated`` (pods nominated to them) are filtered by
    ``filter_nominated``. The nodes are taken in slices about as long as the nodes still to find, not the
    whole list rotated.

    Returns whether every feasible node passed by its free room alone (so has no taint)."""
    req = info.requests
    basic = len(plan) == 3 and not req.scalar
    cpu, mem, eph = req.milli_cpu, req.memory, req.ephemeral_storage
    n = len(nodes)
    append = feasible.append
    untainted = True
    if basic and not nominated and room.all_fit(cpu, mem, eph, nodes, cycle):
        # Every node but the blocked ones passes by its free room: they are taken in runs, and only the
        # blocked ones (tainted or cordoned) are filtered.
        at = room.blocked_positions(nodes, names)
        pos, left = start, n
        while left:
            i = bisect.bisect_left(at, pos)
            take = min((at[i] if i < len(at) else n) - pos, left, to_find - len(feasible))
            if take:
                feasible.extend(nodes[pos : pos + take])
                if len(feasible) >= to_find:
                    return untainted
                pos += take
                left -= take
            if pos == n:
                pos = 0
                continue
            if not left:
                break
            ni = nodes[pos]  # a blocked node
            verdict = run_filters(info, ni, plan)
            if verdict is None:
                append(ni)
                untainted = False
                if len(feasible) >= to_find:
                    return untainted
            else:
                statuses[ni.name] = verdict
            pos += 1
            left -= 1
        return untainted
    pos, left = start, n
    while left:
        step = min(left, n - pos, max(to_find - len(feasible), 16))
        for ni in nodes[pos : pos + step]:
            if basic:
                room_left = ni._room
                if room_left is None:
                    room_left = ni.room
                if (
                    room_left
                    and room_left[0] > 0  # type: ignore[index]
                    and cpu <= room_left[1]  # type: ignore[index]
                    and mem <= room_left[2]  # type: ignore[index]
                    and eph <= room_left[3]  # type: ignore[index]
                    and (not nominated or ni.name not in nominated)
                ):
                    append(ni)
                    if len(feasible) >= to_find:
                        return untainted
                    continue
            verdict = filter_nominated(info, ni, plan) if ni.name in nominated else run_filters(info, ni, plan)
            if verdict is None:
                append(ni)
                untainted = False
                if len(feasible) >= to_find:
                    return untainted
            else:
                statuses[ni.name] = verdict
        left -= step
        pos = (pos + step) % n
    return untainted
