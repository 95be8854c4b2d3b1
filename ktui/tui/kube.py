"""kubectl's cells for the panels (from :mod:`ktui.kubectl.tables`) and the theme variable of each status.

Every panel reads its values through :func:`columns_for` and :func:`row_for`, so the screen shows exactly what
``kubectl get`` prints.
"""

from __future__ import annotations

from ktui.kubectl.tables import age, columns_for, human_duration, row_for

__all__ = ["age", "columns_for", "row_for", "human_duration", "status_class"]


# ---------------------------------------------------------------------------- colouring

_POD_PENDING = {"Pending", "ContainerCreating", "PodInitializing", "NotReady"}
_POD_OK = {"Completed", "Succeeded"}


def status_class(plural: str, status: str) -> str | None:
    """The theme variable that colours a STATUS (or TYPE) cell: ``pod-running``, ``node-notready``, ..."""
    if plural == "pods":
        if status == "Running":
            return "pod-running"
        if status == "Terminating":
            return "pod-terminating"
        if status in _POD_OK:
            return "pod-succeeded"
        if status in _POD_PENDING or status.startswith("Init:") and status[5:6].isdigit():
            return "pod-pending"
        return "pod-failed"
    if plural == "nodes":
        if status.startswith("Ready"):
            return "node-cordoned" if "SchedulingDisabled" in status else "node-ready"
        return "node-notready"
    if plural == "namespaces":
        return "ns-active" if status == "Active" else "ns-terminating"
    if plural == "events":
        return "event-warning" if status == "Warning" else "event-normal"
    return None
