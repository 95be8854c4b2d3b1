"""The simulated kube-apiserver: authenticate, authorize, admit, validate, store, answer, and fan out watches.

Every component of the cluster and every user reaches cluster state through :class:`APIServer` (via
:class:`ktui.api.client.Client`); nothing else touches the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ktui.api.admission.base import AdmissionChain
from ktui.api.auth.user import UserInfo
from ktui.api.cluster_reader import AdmissionReader
from ktui.api.compaction import Compaction
from ktui.api.deletes import Deletes
from ktui.api.forgetful import Forgetful
from ktui.api.patching import Patching
from ktui.api.reads import Reads
from ktui.api.registry import REGISTRY, Registry, Resource
from ktui.api.request_checks import RequestChecks
from ktui.api.store_events import StoreEvents
from ktui.api.watch import WatchHub
from ktui.api.writes import Writes

if TYPE_CHECKING:
    from ktui.sim.kernel import Kernel
    from ktui.sim.rng import SeededRandom
    from ktui.store.protocol import KeyValue, Store

__all__ = ["APIServer"]


@dataclass
class _Hooks:
    """Places where the cluster plugs node-side services into the API server (logs and exec go to kubelets)."""

    kubelets: dict[str, Any] = field(default_factory=dict)
    events: Any = None
    """Records the server's own Events (``event(obj, type, reason, message)``, an
    :class:`ktui.api.events.EventRecorder` as kube-apiserver); None: only the log says."""


class APIServer(Compaction, Deletes, Reads, Patching, Writes, RequestChecks, AdmissionReader, StoreEvents):
    """kube-apiserver over a :class:`ktui.store.Store`.

    Its parts live in their own modules: reads (get, list, watch), writes (create, update), patching, deletes,
    request checks (authorization, admission, validation), the admission plugins' reader, the store's events
    and compaction. This class sets their state and serves the subresource handlers.

    Args:
        kernel: the simulation clock (timestamps, watch delivery).
        rng: the cluster's seeded RNG (UIDs, generated names).
        store: where objects live.
        authorizer: has ``authorize(attrs) -> Decision`` (RBAC plus the system:masters bypass).
        admission: mutating/validating plugins in order.
        allocator: allocates Service ClusterIPs and NodePorts.
    """

    _metadata_kept: Any = None  # a server saved before the attribute existed reads this default
    _trusted_as: Any = None  # likewise

    def __init__(
        self,
        kernel: "Kernel",
        rng: "SeededRandom",
        store: "Store",
        *,
        authorizer: Any,
        admission: list[Any],
        allocator: Any,
        registry: Registry = REGISTRY,
    ) -> None:
        self.kernel = kernel
        self.rng = rng
        self.store = store
        self.registry = registry
        self.authorizer = authorizer
        self.admission = admission
        self._admission_chain = AdmissionChain()
        """Which of ``admission`` handle each kind of request (see :meth:`admission_for`)."""
        self.allocator = allocator
        self.hub = WatchHub(kernel)
        self.hooks = _Hooks()
        self.requests = 0
        """How many requests were served (all verbs)."""
        self._store_watches: dict[str, Any] = {}
        for r in registry:
            if "watch" in r.verbs or "list" in r.verbs:
                self._store_watches[r.plural] = store.watch(r.etcd_prefix, self._on_store_event)
        self._by_prefix = {r.etcd_prefix: r for r in registry}
        self._trusted: Any = None
        self._trusted_as: tuple[dict, Resource] | None = None
        """(value, resource) of the Lease renewal being stored (see :func:`ktui.api.renewal.renew`)."""
        """The object this server is writing now (decoded already): its store event needs no check."""
        self._metadata_kept: Any = None
        """The value last written whose metadata is the replaced value's but for the resourceVersion (a Lease
        renewal): its watchers that read only metadata are not told of it."""
        self._corrupt: set[str] = set()
        """Store keys whose value cannot be decoded as its kind (written around the API): reads skip them."""
        self._valid_specs: dict[int, Any] = Forgetful()
        """Pod specs (by identity) this server validated without an error; a spec is never changed once
        stored, and a */status update keeps the stored one, whose spec checks need not run again."""
        self._foreign: set[str] = set()
        """Store keys whose value was written around the API (decodable or not); the others hold what this
        server decoded and stored, which decodes again to itself without a warning."""

    # ------------------------------------------------ storage for subresource handlers

    @property
    def now(self) -> float:
        """The simulated time, in seconds."""
        return self.kernel.now

    def stored(self, r: Resource, namespace: str, name: str) -> "KeyValue | None":
        """The stored key-value of one object (no checks), or None."""
        return self.store.get(r.key(namespace, name))

    def kubelet_for(self, node: str) -> Any:
        """The kubelet serving ``node`` (logs, exec), or None."""
        return self.hooks.kubelets.get(node)

    @property
    def token_signer(self) -> Any:
        """The cluster's service account signing key (:class:`ktui.api.auth.sa_tokens.TokenSigner`), made
        from the seed on first use (a world saved before it existed gets the same key)."""
        signer = self.__dict__.get("_token_signer")
        if signer is None:
            from ktui.api.auth.sa_tokens import TokenSigner

            signer = self._token_signer = TokenSigner(self.rng.seed)
        return signer

    @property
    def cluster_ca(self) -> Any:
        """The cluster's signing CA (:class:`ktui.api.auth.cluster_ca.ClusterCA`), made from the seed on first
        use: kube-controller-manager signs approved CSRs with it, and client certificates it issued
        authenticate (see :meth:`authenticate_certificate`)."""
        ca = self.__dict__.get("_cluster_ca")
        if ca is None:
            from ktui.api.auth.cluster_ca import ClusterCA

            ca = self._cluster_ca = ClusterCA(self.rng.seed)
        return ca

    def authenticate_certificate(self, der: bytes) -> UserInfo | None:
        """The user a client certificate the cluster's signer issued names (CN, O as groups), while it is
        valid on the simulated clock; None for any other certificate."""
        from ktui.api.auth.user import authenticated

        who = self.cluster_ca.identity(der, self.kernel.now)
        return authenticated(who[0], who[1]) if who is not None else None

    def new_uid(self) -> str:
        """A UID from the seeded generator (a token's ``jti``)."""
        return self.rng.uid()

    def authenticate_service_account(self, token: str) -> UserInfo | None:
        """The service account a bearer token this cluster issued names, or None."""
        return self.token_signer.authenticate(token, self)
