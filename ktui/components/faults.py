"""Faults a learner or a scenario injects: kubelets stopped, machines powered off, networks cut, crashes."""

from __future__ import annotations

from typing import Any

__all__ = ["FAULT_KINDS", "FaultError", "apply_fault", "fault_event_message"]

FAULT_KINDS = (
    "kubelet-stop",
    "kubelet-start",
    "power-off",
    "power-on",
    "network-cut",
    "network-restore",
    "container-crash",
    "image-unpullable",
    "image-pullable",
)
"""Every fault kind; each but ``container-crash`` has an opposite that undoes it."""

UNDO = {
    "kubelet-stop": "kubelet-start",
    "kubelet-start": "kubelet-stop",
    "power-off": "power-on",
    "power-on": "power-off",
    "network-cut": "network-restore",
    "network-restore": "network-cut",
    "image-unpullable": "image-pullable",
    "image-pullable": "image-unpullable",
}


class FaultError(ValueError):
    """A fault that cannot be applied (unknown kind, node, pod or container); nothing was changed."""


def _kubelet(world: Any, node: str | None) -> Any:
    if not node:
        raise FaultError("this fault needs a node")
    k = world.components.get(f"kubelet/{node}")
    if k is None:
        raise FaultError(f'node "{node}" not found')
    return k


def apply_fault(
    world: Any,
    kind: str,
    node: str | None = None,
    pod: str | None = None,
    namespace: str | None = None,
    container: str | None = None,
    image: str | None = None,
    exit_code: int = 1,
) -> None:
    """Apply one fault to ``world`` now.

    Raises:
        FaultError: the fault is unknown or names something that does not exist.
    """
    if kind not in FAULT_KINDS:
        raise FaultError(f'unknown fault kind "{kind}" (expected one of: {", ".join(FAULT_KINDS)})')
    if kind in ("image-unpullable", "image-pullable"):
        if not image:
            raise FaultError(f"{kind} needs an image")
        if kind == "image-unpullable":
            world.images.make_unpullable(image)
        else:
            world.images.make_pullable(image)
        return
    if kind == "container-crash":
        if not pod:
            raise FaultError("container-crash needs a pod")
        ns = namespace or "default"
        from ktui.api.errors import ApiError

        try:
            p = world.client().get("pods", pod, ns)
        except ApiError as e:
            raise FaultError(e.message) from None
        node_name = (p.get("spec") or {}).get("nodeName")
        names = [c["name"] for c in p["spec"]["containers"]]
        target = container or names[0]
        if target not in names:
            raise FaultError(f'container "{target}" not found in pod "{pod}"')
        try:
            _kubelet(world, node_name).crash_container(ns, pod, target, exit_code)
        except ApiError as e:
            raise FaultError(e.message) from None
        return
    k = _kubelet(world, node)
    {
        "kubelet-stop": k.stop,
        "kubelet-start": k.start,
        "power-off": k.power_off,
        "power-on": k.power_on,
        "network-cut": k.network_cut,
        "network-restore": k.network_restore,
    }[kind]()


def fault_event_message(kind: str, **target: Any) -> str:
    """A one-line description for logs and the UI: ``kubelet-stop node01``."""
    parts = [kind] + [f"{k}={v}" for k, v in sorted(target.items()) if v not in (None, "")]
    return " ".join(parts)
