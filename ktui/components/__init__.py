"""Cluster components — scheduler, controller-manager, kubelets — each an API client, and their wiring."""

from __future__ import annotations

from typing import Any

from ktui.components.base import node_ip

__all__ = ["install", "node_ip"]


def install(world: Any) -> None:
    """Start the control plane a spec describes, as kubeadm would: kubelets (with the control plane's
    static pods), kube-scheduler, kube-controller-manager, then the kube-proxy and CoreDNS addons.

    ``world`` provides ``kernel``, ``rng``, ``spec``, ``server`` and ``client(user)``; components are
    registered in ``world.components`` by name.
    """
    from ktui.api.auth.user import SYSTEM_MASTERS, authenticated, node_user
    from ktui.components.addons import addon_objects
    from ktui.components.base import Context
    from ktui.components.controller_manager import ControllerManager
    from ktui.components.kubelet import ImageRegistry, Kubelet
    from ktui.components.scheduler import Scheduler

    spec = world.spec
    flags = spec["components"]
    world.images = ImageRegistry()

    def ctx(user: Any, component: str, **extra: Any) -> Context:
        return Context(
            kernel=world.kernel,
            rng=world.rng,
            client=world.client(user),
            flags=dict(flags.get(component, {})),
            spec=spec,
            **extra,
        )

    cm = ControllerManager(
        ctx(
            authenticated("system:kube-controller-manager", (SYSTEM_MASTERS,)),
            "kube-controller-manager",
            signing_ca=world.server.cluster_ca,
        )
    )
    world.components["kube-controller-manager"] = cm
    sched = Scheduler(ctx(authenticated("system:kube-scheduler"), "kube-scheduler"))
    world.components["kube-scheduler"] = sched
    for i, node in enumerate(spec["nodes"]):
        node = {**node, "index": i, "ip": node.get("ip") or node_ip(i)}
        kubelet = Kubelet(
            ctx(node_user(node["name"]), "kubelet", register_endpoint=world.register_kubelet),
            node,
            registry=world.images,
        )
        world.components[f"kubelet/{node['name']}"] = kubelet
    cm.start()
    sched.start()
    for i, node in enumerate(spec["nodes"]):
        if node.get("kubelet", True):
            world.components[f"kubelet/{node['name']}"].start()
    admin = world.client(authenticated("kubernetes-admin", (SYSTEM_MASTERS,)))
    for obj in addon_objects(spec):
        admin.create(obj["kind"], obj)
