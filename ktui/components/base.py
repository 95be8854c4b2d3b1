"""What every component is given (clock, RNG, an API identity, its flags) and the controller skeleton."""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any, Callable

from ktui.api.client import Client
from ktui.api.events import EventRecorder
from ktui.api.informer import Informer, InformerFactory
from ktui.components.workqueue import WorkQueue

__all__ = ["Context", "Controller", "node_ip"]


def node_ip(index: int) -> str:
    """The InternalIP of the ``index``-th node of the spec (kind-like: 172.18.0.2, .3, ...)."""
    return f"172.18.0.{2 + index}"


@dataclass
class Context:
    """A component's view of the world: the clock, the seeded RNG, an API client for its own identity,
    and its flags. Components never see the store, the API server's internals or each other."""

    kernel: Any
    rng: Any
    client: Client
    flags: dict[str, Any] = field(default_factory=dict)
    spec: dict[str, Any] = field(default_factory=dict)
    """The whole cluster spec (read-only), for cluster-wide settings such as CIDRs and the domain."""
    register_endpoint: Callable[[str, Any], None] | None = None
    """For kubelets: make this node's kubelet reachable from the API server (logs, exec)."""
    signing_ca: Any = None
    """For kube-controller-manager: the cluster CA it signs approved CSRs with (``--cluster-signing-cert-file``
    and ``--cluster-signing-key-file``, kubeadm's ``pki/ca.crt`` and ``ca.key``)."""

    @property
    def now(self) -> float:
        return self.kernel.now


class Controller(abc.ABC):
    """One control loop: informers' handlers enqueue keys; ``reconcile(key)`` reads caches, decides with
    pure functions and writes through the API. Safe to run twice; an ApiError re-queues with backoff.

    Subclasses set ``name``, create informers in ``__init__`` through ``self.informers`` and implement
    ``reconcile``.
    """

    name = "controller"
    min_sync_interval = 0.0
    """At most one reconcile per key per this many simulated seconds (see WorkQueue.min_interval)."""

    def __init__(self, ctx: Context, informers: InformerFactory | None = None, component: str = "") -> None:
        self.ctx = ctx
        self.client = ctx.client
        self.informers = informers or InformerFactory(ctx.client)
        self.queue = WorkQueue(ctx.kernel, self.reconcile, min_interval=self.min_sync_interval)
        self.recorder = EventRecorder(ctx.client, component or self.name)

    def informer(self, resource: str, namespace: str | None = None, **selectors: str) -> Informer:
        return self.informers.informer(resource, namespace, **selectors)

    def enqueue(self, obj: dict) -> None:
        md = obj.get("metadata") or {}
        ns = md.get("namespace")
        self.queue.add(f"{ns}/{md['name']}" if ns else md["name"])

    def start(self) -> None:
        """Start this controller's informers (a shared factory starts the rest)."""
        self.informers.start()

    @abc.abstractmethod
    def reconcile(self, key: str) -> None:
        """Bring the object ``key`` names to its desired state (every controller defines this)."""
