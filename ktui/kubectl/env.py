"""What a kubectl invocation runs against: a client, the simulated clock, the default namespace, the environment."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

__all__ = ["KubectlEnv", "KubectlTarget"]


class KubectlTarget(Protocol):
    """What kubectl needs of a cluster it runs against (:class:`ktui.cluster.Cluster` is one): the API
    client for its admin, and the simulated clock."""

    @property
    def api(self) -> Any:
        """A client with the :class:`ktui.api.client.Client` verbs (and ``impersonate``), as the admin."""
        ...

    @property
    def now(self) -> float:
        """Simulated seconds."""
        ...

    def advance(self, seconds: float) -> Any:
        """Move the simulated clock on."""
        ...


@dataclass
class KubectlEnv:
    """kubectl's world: the API client (as kubeconfig's user), the clock, and the process environment.

    ``client`` has the :class:`ktui.api.client.Client` verbs plus ``impersonate(user, groups)`` (``--as``).
    ``advance(seconds)`` moves the simulated clock on (``wait``, ``-w``); ``now()`` reads it.
    """

    client: Any
    advance: Callable[[float], None] = lambda seconds: None
    now: Callable[[], float] = lambda: 0.0
    namespace: str = "default"
    """The namespace of the current context (used when no ``-n`` is given)."""
    environ: dict[str, str] = field(default_factory=dict)
    """Environment variables commands may read (``KUBE_EDITOR``, ``EDITOR``)."""
    cwd: str | None = None
    """Where relative ``-f`` paths are looked up (None: the process's working directory)."""

    @classmethod
    def for_cluster(
        cls, cluster: KubectlTarget, *, namespace: str = "default", environ: dict[str, str] | None = None
    ) -> "KubectlEnv":
        """kubectl as the cluster's admin (``kubernetes-admin``), as kubeadm's admin.conf sets it up."""
        return cls(
            client=cluster.api,
            advance=cluster.advance,
            now=lambda: cluster.now,
            namespace=namespace,
            environ=dict(environ or {}),
        )
