"""Wire the network into a world: the data-plane model, each node's kube-proxy, and the in-container programs."""

from __future__ import annotations

from typing import Any

__all__ = ["install_network", "NETWORK_USER", "KUBE_PROXY_USER"]

NETWORK_USER = "system:ktui:network"
"""The identity the data plane and CoreDNS read the API as (in ``system:masters``)."""
KUBE_PROXY_USER = "system:kube-proxy"


class _ProxyFactory:
    """Builds one node's kube-proxy (a picklable callable, so a snapshot of the world copies it)."""

    def __init__(self, world: Any) -> None:
        self.world = world

    def __call__(self, node: str) -> Any:
        from ktui.api.auth.user import authenticated
        from ktui.components.base import Context
        from ktui.net.kube_proxy import KubeProxy

        w = self.world
        ctx = Context(
            kernel=w.kernel,
            rng=w.rng,
            client=w.client(authenticated(KUBE_PROXY_USER)),
            flags=dict(w.spec["components"].get("kube-proxy", {})),
            spec=w.spec,
        )
        proxy = KubeProxy(ctx, node, w.network.table(node))
        w.components[f"kube-proxy/{node}"] = proxy
        return proxy


def install_network(world: Any) -> Any:
    """Create ``world.network``, start the kube-proxy manager and register the programs with every kubelet.

    Call after :func:`ktui.components.install` (kubelets must exist). Returns the network.
    """
    from ktui.api.auth.user import SYSTEM_MASTERS, authenticated
    from ktui.net.graph import Network
    from ktui.net.kube_proxy import KubeProxyManager
    from ktui.net.programs import Programs

    client = world.client(authenticated(NETWORK_USER, (SYSTEM_MASTERS,)))
    network = Network(client, world.kernel, world.spec, world.components, seed=world.spec.get("seed", 0))
    world.network = network
    network.start()
    manager = KubeProxyManager(client, _ProxyFactory(world))
    world.components["kube-proxy-manager"] = manager
    manager.start()
    programs = Programs(network)
    network.programs = programs  # type: ignore[attr-defined]
    for name, comp in sorted(world.components.items()):
        if name.startswith("kubelet/") and hasattr(comp, "exec_hook"):
            comp.exec_hook = programs
    return network
