"""The simulated world: kernel, RNG, store, API server and the components, wired from a cluster spec."""

from __future__ import annotations

import copy
from typing import Any

from ktui.api.auth.authn import ADMIN, Authenticator
from ktui.api.auth.authz import Authorizer
from ktui.api.auth.user import SYSTEM_MASTERS, authenticated
from ktui.api.client import Client
from ktui.api.events import EventRecorder
from ktui.api.server import APIServer
from ktui.sim.kernel import Kernel
from ktui.sim.rng import SeededRandom
from ktui.store.memory import MemoryStore

__all__ = ["World", "build_world", "SYSTEM_NAMESPACES", "BOOT_SECONDS"]

SYSTEM_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")
BOOT_SECONDS = 120
"""Simulated seconds a cluster runs before it is handed over, so that its system pods are up."""


def _admission_chain(spec: dict[str, Any]) -> list[Any]:
    """The default-enabled admission plugins of v1.37 that matter here, in the apiserver's order."""
    from ktui.api.admission.certificates import (
        CertificateApproval,
        CertificateSigning,
        CertificateSubjectRestriction,
    )
    from ktui.api.admission.default_storage_class import DefaultStorageClass
    from ktui.api.admission.default_tolerations import DefaultTolerationSeconds
    from ktui.api.admission.limit_ranger import LimitRangerAdmission
    from ktui.api.admission.namespace_lifecycle import NamespaceLifecycle
    from ktui.api.admission.priority import PriorityAdmission
    from ktui.api.admission.resource_quota import ResourceQuotaAdmission
    from ktui.api.admission.service_account import ServiceAccountAdmission
    from ktui.api.admission.storage_protection import StorageObjectInUseProtection

    flags = spec["components"]["kube-apiserver"]
    return [
        NamespaceLifecycle(),
        LimitRangerAdmission(),
        ServiceAccountAdmission(),
        PriorityAdmission(),
        DefaultTolerationSeconds(
            int(flags["default-not-ready-toleration-seconds"]), int(flags["default-unreachable-toleration-seconds"])
        ),
        DefaultStorageClass(),
        StorageObjectInUseProtection(),
        CertificateApproval(),
        CertificateSigning(),
        CertificateSubjectRestriction(),
        ResourceQuotaAdmission(),
    ]


class World:
    """Everything simulated, and nothing else: deep-copying a World is a snapshot of the cluster."""

    def __init__(self, spec: dict[str, Any]) -> None:
        from ktui.api.allocators import ServiceAllocator

        self.spec = spec
        self.kernel = Kernel()
        self.rng = SeededRandom(spec["seed"])
        self.store = MemoryStore()
        low, high = (int(x) for x in spec["components"]["kube-apiserver"]["service-node-port-range"].split("-"))
        self.server = APIServer(
            self.kernel,
            self.rng,
            self.store,
            authorizer=Authorizer(),
            admission=_admission_chain(spec),
            allocator=ServiceAllocator(self.rng, spec["serviceCIDR"], (low, high)),
        )
        self.server.hooks.events = EventRecorder(
            Client(self.server, authenticated("system:apiserver", (SYSTEM_MASTERS,))), "kube-apiserver"
        )
        self.authenticator = Authenticator(spec.get("users"))
        self.components: dict[str, Any] = {}
        """Every running component by name (scheduler, controller-manager, kubelet/<node>, ...)."""

    def __deepcopy__(self, memo: dict) -> "World":
        # The store first: it registers its (immutable, shared) values so nothing copies them again.
        new = World.__new__(World)
        memo[id(self)] = new
        new.store = copy.deepcopy(self.store, memo)
        for k, v in self.__dict__.items():
            if k != "store":
                setattr(new, k, copy.deepcopy(v, memo))
        return new

    def client(self, user=ADMIN) -> Client:
        return Client(self.server, user)

    def register_kubelet(self, node: str, kubelet: Any) -> None:
        """Make a node's kubelet reachable from the API server (pods/log, exec)."""
        self.server.hooks.kubelets[node] = kubelet


def detach_outside(world: World) -> tuple[list[Any], list[Any]]:
    """Take out what belongs to observers outside the simulation (their watches, and the deliveries to them
    already queued), so that a copy or a snapshot of the world is the world alone."""
    return world.server.hub.take_external(), world.kernel.take_uncounted()


def attach_outside(world: World, token: tuple[list[Any], list[Any]]) -> None:
    """Put back what :func:`detach_outside` took out."""
    external, observer_events = token
    for w in external:
        world.server.hub.add(w)
    world.kernel.put_back(observer_events)


def build_world(spec: dict[str, Any]) -> World:
    """A World with the API server's own bootstrap done (namespaces, RBAC defaults, the kubernetes Service)."""
    from ktui.api.auth.bootstrap import bootstrap_objects

    world = World(spec)
    system = world.client(authenticated("system:apiserver", (SYSTEM_MASTERS,)))
    for ns in SYSTEM_NAMESPACES:
        system.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    for obj in bootstrap_objects():
        system.create(obj["kind"], obj)
    for ns in SYSTEM_NAMESPACES:
        system.create(
            "serviceaccounts",
            {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": ns}},
        )
    for name, value in (("system-node-critical", 2000001000), ("system-cluster-critical", 2000000000)):
        system.create(
            "priorityclasses",
            {
                "apiVersion": "scheduling.k8s.io/v1",
                "kind": "PriorityClass",
                "metadata": {"name": name},
                "value": value,
                "description": "Used for system critical pods that must not be moved from their current node."
                if name == "system-node-critical"
                else "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
                "preemptionPolicy": "PreemptLowerPriority",
            },
        )
    system.create(
        "services",
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": "kubernetes",
                "namespace": "default",
                "labels": {"component": "apiserver", "provider": "kubernetes"},
            },
            "spec": {
                "clusterIP": _first_ip(spec["serviceCIDR"]),
                "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
            },
        },
    )
    from ktui.components import install

    world.server.start_compaction()
    if spec["nodes"]:
        install(world)
        _kubernetes_endpoints(system, spec)
        from ktui.net import install_network

        install_network(world)
        world.kernel.run_until(BOOT_SECONDS)
    return world


def _kubernetes_endpoints(system: Client, spec: dict[str, Any]) -> None:
    """The API server's endpoint reconciler: the ``kubernetes`` Service points at the API server itself."""
    from ktui.components import node_ip

    nodes = spec["nodes"]
    index = next((i for i, n in enumerate(nodes) if n["role"] == "control-plane"), 0)
    ip = nodes[index].get("ip") or node_ip(index)
    system.create(
        "endpoints",
        {
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": {
                "name": "kubernetes",
                "namespace": "default",
                "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"},
            },
            "subsets": [{"addresses": [{"ip": ip}], "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}],
        },
    )
    system.create(
        "endpointslices",
        {
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {
                "name": "kubernetes",
                "namespace": "default",
                "labels": {"kubernetes.io/service-name": "kubernetes"},
            },
            "addressType": "IPv4",
            "endpoints": [{"addresses": [ip], "conditions": {"ready": True}}],
            "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}],
        },
    )


def _first_ip(cidr: str) -> str:
    import ipaddress

    return str(next(ipaddress.ip_network(cidr, strict=False).hosts()))
