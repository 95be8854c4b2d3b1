"""``n``: run the cluster's next event and say in one line what ran, and which Events it recorded.

The simulation's events are callbacks on the kernel's queue: a watch delivering changes to a component, a
controller's work queue reconciling keys, the scheduler's cycle, a kubelet syncing a pod, a timer. This module
names them the way the notes do ("watch: 1 pods event reaches system:kube-scheduler", "kubelet on node02
syncs default/nginx") and lists the Events the step wrote ("Scheduled: Successfully assigned default/nginx to
node02"). It only reads; the step itself is :meth:`ktui.cluster.Cluster.step`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ktui.cluster import Cluster

__all__ = ["StepReport", "next_event", "describe_callback"]


@dataclass
class StepReport:
    """What one ``n`` did."""

    time: float
    """The simulated time the event ran at."""
    what: str
    """Who ran and what, in one line."""
    events: list[str] = field(default_factory=list)
    """``Reason: message`` of each Event the step recorded, oldest first."""

    def lines(self) -> list[str]:
        return [self.what, *(f"  Event {e}" for e in self.events)]


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
    owner = getattr(callback, "__self__", None)
    method = getattr(callback, "__name__", "")
    cls = type(owner).__name__ if owner is not None else ""
    if cls == "ApiWatch":
        n = len(getattr(owner, "_pending", ()))
        return f"watch: {n} {owner.resource} event{'s' if n != 1 else ''} reach{'es' if n == 1 else ''} " \
               f"{_user_of(owner.callback)}"
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


def _revision(cluster: "Cluster") -> int:
    rv = (cluster.api.list("namespaces").get("metadata") or {}).get("resourceVersion") or "0"
    return int(rv) if str(rv).isdigit() else 0


def next_event(cluster: "Cluster") -> StepReport | None:
    """Run the next pending event (the clock jumps to it) and report it; None when nothing is scheduled."""
    kernel = cluster.world.kernel
    head = kernel.next_event()
    if head is None:
        return None
    what = describe_callback(head.callback, head.args)
    before = _revision(cluster)
    cluster.step()
    report = StepReport(cluster.now, what)
    if _revision(cluster) != before:
        fresh = [e for e in cluster.api.list("events")["items"]
                 if int((e.get("metadata") or {}).get("resourceVersion") or 0) > before]
        fresh.sort(key=lambda e: int(e["metadata"]["resourceVersion"]))
        report.events = [f"{e.get('reason', '')}: {e.get('message', '')}" for e in fresh]
        report.what += _outcome(fresh)
    return report


def _outcome(events: list[dict]) -> str:
    """What the hop decided, said in the headline (the scheduler's verdict: bound, or why not)."""
    for e in events:
        msg = e.get("message", "")
        if e.get("reason") == "Scheduled" and msg.startswith("Successfully assigned "):
            pod, _, node = msg.removeprefix("Successfully assigned ").partition(" to ")
            return f" -> bound {pod} to {node} (a Binding: the pod's spec.nodeName)"
        if e.get("reason") == "FailedScheduling":
            return f" -> {(e.get('involvedObject') or {}).get('namespace', '')}/" \
                   f"{(e.get('involvedObject') or {}).get('name', '')} not scheduled"
    return ""
