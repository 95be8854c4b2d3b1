"""Stepping event by event: what the next kernel event is, in one line, and what one step did.

The simulation's events are callbacks on the kernel's queue: a watch delivering changes to a component, a
controller's work queue reconciling keys, the scheduler's cycle, a kubelet syncing a pod, a timer. This names
them the way the notes do ("watch: 1 pods event reaches system:kube-scheduler", "kubelet on node02 syncs pod
default/nginx") and lists the Events a step wrote ("Scheduled: Successfully assigned default/nginx to node02").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["PendingEvent", "StepReport", "describe_callback"]


@dataclass(frozen=True)
class PendingEvent:
    """The next event on the kernel's queue (not run)."""

    time: float
    what: str
    """Who will run and what, in one line."""

    def to_json(self) -> dict[str, Any]:
        return {"time": self.time, "what": self.what}


@dataclass(frozen=True)
class StepReport:
    """What one step (one kernel event) did."""

    time: float
    """The simulated time the event ran at."""
    what: str
    """Who ran and what, in one line."""
    events: tuple[str, ...] = ()
    """``Reason: message`` of each Event the step recorded, oldest first."""

    def lines(self) -> list[str]:
        return [self.what, *(f"  Event {e}" for e in self.events)]

    def to_json(self) -> dict[str, Any]:
        return {"time": self.time, "what": self.what, "events": list(self.events)}


def _user_of(callback: Any) -> str:
    owner = getattr(callback, "__self__", None)
    client = getattr(owner, "client", None)
    user = getattr(client, "user", None)
    if user is not None:
        return str(getattr(user, "name", user))
    return "ktui (this screen)"


def _key_of(obj: Any) -> str:
    md = (obj or {}).get("metadata") or {} if isinstance(obj, dict) else {}
    return f"{md['namespace']}/{md.get('name', '')}" if md.get("namespace") else md.get("name", "")


def describe_callback(callback: Any, args: tuple = ()) -> str:
    """One line naming a kernel event's callback: which component, doing what."""
    owner: Any = getattr(callback, "__self__", None)
    method = getattr(callback, "__name__", "")
    cls = type(owner).__name__ if owner is not None else ""
    if cls == "ApiWatch":
        n = len(getattr(owner, "_pending", ()))
        return (
            f"watch: {n} {owner.resource} event{'s' if n != 1 else ''} reach{'es' if n == 1 else ''} "
            f"{_user_of(owner.callback)}"
        )
    if cls == "WorkQueue":
        ctl = getattr(owner.reconcile, "__self__", None)
        name = getattr(ctl, "name", type(ctl).__name__ if ctl is not None else "a controller")
        keys = list(getattr(owner, "_queued", ()))
        shown = ", ".join(str(k) for k in keys[:3]) + (f" (+{len(keys) - 3})" if len(keys) > 3 else "")
        return f"{name} reconciles {shown}" if shown else f"{name} wakes up"
    if cls == "Scheduler":
        return "kube-scheduler: a scheduling cycle (takes the next pod from its queue)"
    if cls == "PodWorker":
        node = getattr(getattr(owner, "kl", None), "node_name", "?")
        return f"kubelet on {node} syncs pod {_key_of(getattr(owner, 'pod', None))}"
    node = getattr(owner, "node_name", None)
    label = cls or getattr(callback, "__qualname__", repr(callback))
    words = method.strip("_").replace("_", " ")
    return f"{label}{f' on {node}' if node else ''}: {words}".strip()
