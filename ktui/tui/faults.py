"""Faults from the keyboard: ``f`` offers the faults for the selected node or pod, ``u`` undoes the last one.

Each fault is confirmed first, applied through :meth:`ktui.cluster.Cluster.fault` (so it is recorded and
replayed by a rewind), logged as an Event, and remembered with a checkpoint from just before it: a fault with
an inverse (kubelet-stop / kubelet-start ...) is undone by applying the inverse, the others by returning to
that checkpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ktui.api.errors import ApiError
from ktui.tui.screens.dialogs import ConfirmScreen, PickScreen

if TYPE_CHECKING:
    from ktui.cluster import Cluster

__all__ = ["FAULTS", "FaultRecord", "FaultsMixin", "node_faults"]

FAULTS: dict[str, tuple[str, str | None]] = {
    "kubelet-stop": ("stop the kubelet", "kubelet-start"),
    "kubelet-start": ("start the kubelet", "kubelet-stop"),
    "power-off": ("power the node off (its containers die)", "power-on"),
    "power-on": ("power the node on", "power-off"),
    "network-cut": ("cut the node from the network", "network-restore"),
    "network-restore": ("restore the node's network", "network-cut"),
    "container-crash": ("crash a container", None),
    "image-unpullable": ("make the container's image unpullable", None),
}
"""Fault kinds (as ``Cluster.fault`` and scenario files name them): what they do, and the fault that undoes
them (None: undone by returning to the checkpoint taken just before)."""


def node_faults(cluster: "Cluster", node: str) -> list[str]:
    """The node faults that would change something now: no kubelet-start for a kubelet that runs, no
    power-on for a machine that is on, no network-restore for a network that works."""
    health = cluster.inspect.node_health(node)
    if health is None:
        return ["kubelet-stop", "kubelet-start", "power-off", "power-on", "network-cut", "network-restore"]
    running, powered, network_ok = health.kubelet_running, health.powered, health.network_ok
    out = ["kubelet-stop"] if running else (["kubelet-start"] if powered else [])
    out += ["power-off"] if powered else ["power-on"]
    out += ["network-cut"] if network_ok else ["network-restore"]
    return out


@dataclass
class FaultRecord:
    """A fault the user injected: what, on what, and the checkpoint from just before it."""

    kind: str
    target: dict[str, str]
    checkpoint: Any
    time: float

    def describe(self) -> str:
        where = self.target.get("node") or "/".join(
            x for x in (self.target.get("namespace"), self.target.get("pod")) if x
        )
        extra = f" container {self.target['container']}" if self.target.get("container") else ""
        return f"{self.kind} on {where}{extra}"


class FaultsMixin:
    """The fault keys of :class:`ktui.tui.app.KtuiApp`."""

    cluster: "Cluster"
    faults: list[FaultRecord]

    def action_faults(self) -> None:
        sel = self._selection()  # type: ignore[attr-defined]
        if sel is None:
            return
        plural, obj = sel
        md = obj.get("metadata") or {}
        choices: list[tuple[str | None, str]] = []
        if plural == "nodes":
            for kind in node_faults(self.cluster, md["name"]):
                choices.append((f"{kind}|node={md['name']}", f"{kind:<16} {FAULTS[kind][0]}"))
        elif plural == "pods":
            for c in (obj.get("spec") or {}).get("containers") or []:
                choices.append(
                    (
                        f"container-crash|namespace={md.get('namespace')}|pod={md['name']}|container={c['name']}",
                        f"container-crash  crash container {c['name']}",
                    )
                )
            for c in (obj.get("spec") or {}).get("containers") or []:
                choices.append(
                    (
                        f"image-unpullable|node={(obj.get('spec') or {}).get('nodeName', '')}|image={c['image']}",
                        f"image-unpullable make {c['image']} unpullable",
                    )
                )
        else:
            self.notify("Faults apply to a node or a pod.", severity="warning")  # type: ignore[attr-defined]
            return
        if self.faults:
            choices.append(("undo", f"undo             {self.faults[-1].describe()}"))
        self.push_screen(PickScreen(f"Fault on {self._ref(plural, obj)}", choices, id="faults"), self._fault_chosen)  # type: ignore[attr-defined]

    def _fault_chosen(self, choice: str | None) -> None:
        if choice is None:
            return
        if choice == "undo":
            self.action_undo_fault()
            return
        kind, *pairs = choice.split("|")
        target = dict(p.split("=", 1) for p in pairs)
        target = {k: v for k, v in target.items() if v}
        record = FaultRecord(kind, target, None, self.cluster.now)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.inject_fault(kind, target)

        self.push_screen(ConfirmScreen(f"Inject {record.describe()}?", FAULTS[kind][0]), confirmed)  # type: ignore[attr-defined]

    def inject_fault(self, kind: str, target: dict[str, str]) -> bool:
        """Apply a fault now, remember it for undo, and log it as an Event."""
        checkpoint = self.cluster.checkpoint(f"before {kind}")
        try:
            self._apply_fault(kind, target)
        except (ApiError, ValueError, KeyError, TypeError, ImportError) as exc:
            self.notify(f"{kind} failed: {exc}", severity="error")  # type: ignore[attr-defined]
            return False
        record = FaultRecord(kind, target, checkpoint, self.cluster.now)
        self.faults.append(record)
        self._log_fault(record, "FaultInjected", f"ktui injected {record.describe()}")
        self.notify(f"Injected {record.describe()}  (u: undo)")  # type: ignore[attr-defined]
        self.cluster.settle()
        self.changed()  # type: ignore[attr-defined]
        return True

    def _apply_fault(self, kind: str, target: dict[str, str]) -> None:
        try:
            self.cluster.fault(kind, **target)
        except TypeError:
            if "namespace" not in target:
                raise
            self.cluster.fault(kind, **{k: v for k, v in target.items() if k != "namespace"})

    def action_undo_fault(self) -> None:
        if not self.faults:
            self.notify("No fault to undo.")  # type: ignore[attr-defined]
            return
        record = self.faults[-1]
        inverse = FAULTS[record.kind][1]
        how = (
            f"by {inverse}"
            if inverse
            else f"by returning to t={record.time:.0f}s, just before it (later changes are lost)"
        )

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            self.faults.pop()
            if inverse:
                try:
                    self._apply_fault(inverse, record.target)
                except (ApiError, ValueError, KeyError, TypeError) as exc:
                    self.notify(f"undo failed: {exc}", severity="error")  # type: ignore[attr-defined]
                    return
                self._log_fault(record, "FaultUndone", f"ktui undid {record.describe()} with {inverse}")
            else:
                self.cluster.restore(record.checkpoint)
            self.notify(f"Undid {record.describe()}")  # type: ignore[attr-defined]
            self.cluster.settle()
            self.changed()  # type: ignore[attr-defined]

        self.push_screen(ConfirmScreen(f"Undo {record.describe()}?", how), confirmed)  # type: ignore[attr-defined]

    def _log_fault(self, record: FaultRecord, reason: str, message: str) -> None:
        from ktui.sim.timefmt import rfc3339

        t = record.target
        if t.get("pod"):
            ns, kind, name = t.get("namespace") or "default", "Pod", t["pod"]
        else:
            ns, kind, name = "default", "Node", t.get("node", "")
        stamp = rfc3339(self.cluster.now)
        try:
            obj = self.cluster.api.get("pods" if kind == "Pod" else "nodes", name, ns if kind == "Pod" else None)
            uid = obj["metadata"].get("uid", "")
        except (ApiError, KeyError):
            uid = ""
        event = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"generateName": f"{name}.", "namespace": ns},
            "involvedObject": {
                "apiVersion": "v1",
                "kind": kind,
                "name": name,
                "uid": uid,
                **({"namespace": ns} if kind == "Pod" else {}),
            },
            "reason": reason,
            "message": message,
            "type": "Warning",
            "source": {"component": "ktui"},
            "reportingComponent": "ktui",
            "reportingInstance": "",
            "firstTimestamp": stamp,
            "lastTimestamp": stamp,
            "count": 1,
        }
        try:
            self.cluster.api.create("events", event, ns)
        except ApiError:
            pass
