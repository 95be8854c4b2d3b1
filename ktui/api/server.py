"""The simulated kube-apiserver: authenticate, authorize, admit, validate, store, answer, and fan out watches.

Every component of the cluster and every user reaches cluster state through :class:`APIServer` (via
:class:`ktui.api.client.Client`); nothing else touches the store.
"""

from __future__ import annotations

import base64
import builtins
import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from ktui.api import errors, limits
from ktui.api.admission.base import AdmissionChain, AdmissionRequest
from ktui.api.auth.attributes import RequestAttributes
from ktui.api.auth.user import UserInfo
from ktui.api.decode import Warn, decode_patched, decode_sized, readable
from ktui.api.object_rules import STRATEGIC_KINDS, Matcher, keep_system_meta, order_meta, order_top, unchanged
from ktui.api.objects import copy_json
from ktui.api.registry import REGISTRY, Registry, Resource
from ktui.api.renewal import note_written, renew
from ktui.api.strategy import prepare_for_create, prepare_for_status_update, prepare_for_update
from ktui.api.subresources import handler_for
from ktui.api.watch import ApiWatch, WatchHub
from ktui.sim.timefmt import rfc3339
from ktui.store.errors import Compacted, KeyExists, KeyNotFound, RevisionConflict

if TYPE_CHECKING:
    from ktui.sim.kernel import Kernel
    from ktui.sim.rng import SeededRandom
    from ktui.store.protocol import KeyValue, Store, WatchEvent

__all__ = ["APIServer", "ListOptions"]

_log = logging.getLogger("ktui.api")

HEARTBEAT_PREFIX = "/registry/leases/kube-node-lease/"
"""The node heartbeats' Leases, whose history is compacted at every compaction tick."""


def _node_of(obj: Any) -> Any:
    spec = obj.get("spec") if isinstance(obj, dict) else None
    return spec.get("nodeName") if isinstance(spec, dict) else None


def _matches(matches: Callable[[dict], bool], obj: Any) -> bool:
    """A selector's verdict; an object it cannot read (written around the API) matches no selector."""
    try:
        return matches(obj)
    except (AttributeError, TypeError, KeyError, ValueError):
        return False


def _as_delete(ev: Any) -> Any:
    """A store event seen as the deletion of its previous value."""
    from dataclasses import replace

    return replace(ev, type="DELETE")


_NO_FOLDER = object()


class _Forgetful(dict):
    """A cache that copies and snapshots of the server leave behind (they start with it empty)."""

    def __deepcopy__(self, memo: dict) -> "_Forgetful":
        return _Forgetful()

    def __reduce__(self) -> tuple:
        return (_Forgetful, ())


_OWN = ("metadata", "status")
"""The members of a Node that its checks compare separately (metadata) or never read (status)."""


def _same_members(a: dict, b: Any, skip: str) -> bool:
    """Whether the dicts ``a`` and ``b`` have the same keys with the very same values, ``skip`` aside."""
    if type(b) is not dict or len(a) != len(b):
        return False
    missing = _OWN  # no member's value is this tuple
    for key, value in a.items():
        if b.get(key, missing) is not value and key != skip:
            return False
    return True


def _with_rv(obj: Any, revision: int) -> Any:
    """``obj`` with ``metadata.resourceVersion`` set to ``revision`` (unchanged when not API-shaped)."""
    if isinstance(obj, dict) and isinstance(obj.get("metadata"), dict):
        return {**obj, "metadata": {**obj["metadata"], "resourceVersion": str(revision)}}
    return obj


@dataclass
class ListOptions:
    """What narrows a list or watch."""

    label_selector: str = ""
    field_selector: str = ""
    limit: int = 0
    continue_token: str = ""
    resource_version: str = ""


@dataclass
class _Hooks:
    """Places where the cluster plugs node-side services into the API server (logs and exec go to kubelets)."""

    kubelets: dict[str, Any] = field(default_factory=dict)
    events: Any = None
    """Records the server's own Events (``event(obj, type, reason, message)``, an
    :class:`ktui.api.events.EventRecorder` as kube-apiserver); None: only the log says."""


class APIServer:
    """kube-apiserver over a :class:`ktui.store.Store`.

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
        self._valid_specs: dict[int, Any] = _Forgetful()
        """Pod specs (by identity) this server validated without an error; a spec is never changed once
        stored, and a */status update keeps the stored one, whose spec checks need not run again."""
        self._foreign: set[str] = set()
        """Store keys whose value was written around the API (decodable or not); the others hold what this
        server decoded and stored, which decodes again to itself without a warning."""

    # ------------------------------------------------------------------ compaction

    def start_compaction(self, interval: float = 300.0) -> None:
        """Compact the store every ``interval`` simulated seconds to the revision seen at the previous tick,
        as kube-apiserver does (``--etcd-compaction-interval=5m``)."""
        self._compaction_interval = interval
        self._compact_at = 0
        self.kernel.schedule(interval, self._compact_tick)

    def _compact_tick(self) -> None:
        if self._compact_at > getattr(self.store, "compacted_revision", 0):
            self.store.compact(self._compact_at)
        self._compact_at = self.store.revision
        if hasattr(self.store, "compact_prefix"):
            # Node Leases change every 10 s per node and nobody reads their old versions: their history is kept
            # until this tick only (0-5 minutes), not until the next (5-10 minutes), which halves the log.
            self.store.compact_prefix(HEARTBEAT_PREFIX, self._compact_at)
        self.kernel.schedule(self._compaction_interval, self._compact_tick)

    # ------------------------------------------------------------------ helpers

    def _resource_for_key(self, key: str) -> Resource | None:
        """The resource a store key belongs to: prefixes are ``/registry/<one or two segments>/``. Remembered
        by key folder where the folder settles it (every Lease renewal asks for the same one)."""
        folder = key[: key.rfind("/") + 1]
        known = self.__dict__.get("_resource_of_folder")
        if known is None:
            known = self._resource_of_folder = _Forgetful()
        r = known.get(folder, _NO_FOLDER)
        if r is not _NO_FOLDER:
            return r  # type: ignore[return-value]
        r = self._resource_for_key_parts(key)
        if folder.count("/") >= 4 or not any(p.startswith(folder) and p != folder for p in self._by_prefix):
            known[folder] = r  # the answer depends on the first two segments only, which the folder holds
        return r

    def _resource_for_key_parts(self, key: str) -> Resource | None:
        parts = key.split("/", 4)
        if len(parts) > 3:
            r = self._by_prefix.get(f"/{parts[1]}/{parts[2]}/{parts[3]}/")
            if r is not None:
                return r
        return self._by_prefix.get(f"/{parts[1]}/{parts[2]}/") if len(parts) > 2 else None

    def _on_store_event(self, ev: "WatchEvent") -> None:
        new = ev.kv.value if ev.type == "PUT" else None
        hint = self._trusted_as
        r = hint[1] if hint is not None and hint[0] is new else self._resource_for_key(ev.kv.key)
        if r is None:
            return
        old = ev.prev_kv.value if ev.prev_kv is not None else None
        if new is not None and new is not self._trusted:
            self._foreign.add(ev.kv.key)
        elif self._foreign:
            self._foreign.discard(ev.kv.key)
        was_corrupt = ev.kv.key in self._corrupt if self._corrupt else False
        if was_corrupt:
            self._corrupt.discard(ev.kv.key)
            old = None  # readers never saw it
        if new is not None and new is not self._trusted and not readable(r.kind, r.api_version, new):
            # Written around the API and not decodable: no reader sees it (it is gone for them).
            _log.warning(
                "store event %s: the stored object cannot be decoded as %s; readers skip it", ev.kv.key, r.kind
            )
            self._corrupt.add(ev.kv.key)
            self.kernel.call_soon(self._report_corrupt, r, ev.kv.key, counted=False)
            if old is None:
                return
            new, ev = None, _as_delete(ev)
        if new is None and old is None:
            return
        try:
            if r.plural == "services" and self.allocator is not None:
                if old is not None:
                    self.allocator.forget(old)
                if new is not None:
                    self.allocator.observe(new)
            if r.plural in ("roles", "clusterroles", "rolebindings", "clusterrolebindings"):
                index = self.authorizer.rbac
                if old is not None:
                    index.remove(old)
                if new is not None:
                    index.add(new)
        except (AttributeError, TypeError, KeyError, ValueError) as e:
            _log.warning("store event %s: skipped an unreadable object: %s: %s", ev.kv.key, type(e).__name__, e)
        if ev.type == "DELETE":
            # A watcher sees the object as it was last stored, with the deleting revision.
            self.hub.publish(r.plural, None, _with_rv(old, ev.revision))
        else:
            self.hub.publish(r.plural, new, old, new is self._metadata_kept)

    def _report_corrupt(self, r: Resource, key: str) -> None:
        """A Warning Event about an undecodable stored object, so that ``kubectl get events`` says why it is
        missing from lists (the log line alone is only seen by whoever reads the server's log)."""
        if key not in self._corrupt:
            return  # replaced or deleted since
        if self.hooks.events is None:
            return
        rest = key[len(r.etcd_prefix) :].split("/")
        namespace, name = (rest[0], rest[-1]) if r.namespaced and len(rest) > 1 else ("", rest[-1])
        involved = {"kind": r.kind, "apiVersion": r.api_version, "metadata": {"name": name, "namespace": namespace}}
        self.hooks.events.event(
            involved,
            "Warning",
            "CorruptObject",
            f"the value stored at {key} cannot be decoded as a {r.kind}; lists and watches "
            f"leave it out until it is deleted",
        )

    def _check_corrupt(self, r: Resource, key: str) -> None:
        if self._corrupt and key in self._corrupt:
            raise errors.internal(
                f"corrupt object has been found: the value stored at {key} cannot be decoded as a {r.kind}"
            )

    def authorize(
        self, user: UserInfo, verb: str, r: Resource, namespace: str, name: str = "", subresource: str = ""
    ) -> None:
        """Raise Forbidden unless ``user`` may ``verb`` the resource (or its ``subresource``)."""
        quick = getattr(self.authorizer, "allows_node", None)  # a kubelet's usual requests
        if quick is not None and quick(user, verb, r.group, r.plural, subresource, name):
            return
        attrs = RequestAttributes(
            user=user,
            verb=verb,
            namespace=namespace if r.namespaced else "",
            api_group=r.group,
            api_version=r.version,
            resource=r.plural,
            subresource=subresource,
            name=name,
        )
        self.authorizer.check(attrs)

    def namespace_for(self, r: Resource, namespace: str | None, obj: dict | None = None) -> str:
        """The request's namespace ("" for cluster-scoped kinds); 400 when missing or contradicting ``obj``."""
        if not r.namespaced:
            return ""
        obj_ns = (obj or {}).get("metadata", {}).get("namespace") if obj else None
        if obj_ns and namespace and obj_ns != namespace:
            raise errors.bad_request(
                "the namespace of the provided object does not match the namespace sent on the request"
            )
        ns = namespace or obj_ns or ""
        if not ns:
            raise errors.bad_request(
                "an empty namespace may not be set during creation" if obj else "namespace is required"
            )
        return ns

    def admit(
        self,
        op: str,
        r: Resource,
        sub: str,
        ns: str,
        name: str,
        obj: dict | None,
        old: dict | None,
        user: UserInfo,
        dry_run: bool,
    ) -> dict | None:
        """Run the mutating admission phase; returns the (possibly changed) object."""
        plugins = self.admission_for(op, r, sub)
        if not plugins:
            return obj
        req = AdmissionRequest(op, r, sub, ns, name, obj, old, user, dry_run, self, self.kernel.now)
        for plugin in plugins:
            plugin.admit(req)
        return req.obj

    def validate_admission(
        self,
        op: str,
        r: Resource,
        sub: str,
        ns: str,
        name: str,
        obj: dict | None,
        old: dict | None,
        user: UserInfo,
        dry_run: bool,
    ) -> None:
        """Run the validating admission phase (raises ApiError on a denial)."""
        plugins = self.admission_for(op, r, sub)
        if not plugins:
            return
        req = AdmissionRequest(op, r, sub, ns, name, obj, old, user, dry_run, self, self.kernel.now)
        for plugin in plugins:
            plugin.validate(req)

    def admission_for(self, op: str, r: Resource, sub: str) -> tuple[Any, ...]:
        """The plugins of the admission chain that handle ``op`` on ``r`` (``sub``), in order: the others
        would do nothing for such a request, and are not called."""
        chain = self.__dict__.get("_admission_chain")
        if chain is None:  # also a server saved before there was one
            chain = self._admission_chain = AdmissionChain()
        return chain.plugins(self.admission, op, r, sub)

    def validate(self, r: Resource, obj: dict, old: dict | None) -> None:
        """Field validation of a create (``old`` None) or an update; 422 Invalid on errors."""
        from ktui.api.validation import validate_create, validate_update

        spec = obj.get("spec") if r.kind == "Pod" else None
        node = r.kind == "Node" and type(obj.get("metadata")) is dict
        if node and old is not None and self._node_valid_before(obj, old):
            return
        if old is None:
            errs = validate_create(obj)
        else:
            errs = validate_update(obj, old, spec is not None and self._valid_specs.get(id(spec)) is spec)
        if errs:
            raise errors.invalid(r.kind, obj.get("metadata", {}).get("name", ""), errs, r.group)
        if node:
            valid = self.__dict__.get("_valid_nodes")
            if valid is None or len(valid) >= 16384:
                valid = self._valid_nodes = _Forgetful()
            valid[obj["metadata"].get("name")] = (obj["metadata"], {k: v for k, v in obj.items() if k not in _OWN})
        if spec is not None:
            if len(self._valid_specs) >= 8192:
                self._valid_specs.clear()
            self._valid_specs[id(spec)] = spec  # kept alive here, so its id names no other object

    def _node_valid_before(self, obj: dict, old: dict) -> bool:
        """Whether the Node ``obj`` is valid as an update of ``old`` because this server found it so before:
        its metadata is ``old``'s (the very values, but the resourceVersion), and its metadata and all but
        its status are the very values of a Node this server validated without an error. A Node's checks
        read its metadata (and the stored one's) and its spec, never its status; an update with the stored
        metadata can fail only where the metadata alone fails, which it did not."""
        valid = self.__dict__.get("_valid_nodes")
        md = obj["metadata"]
        known = valid.get(md.get("name")) if valid is not None else None
        if known is None or not _same_members(md, old.get("metadata"), "resourceVersion"):
            return False
        return _same_members(md, known[0], "resourceVersion") and _same_members(
            {k: v for k, v in obj.items() if k not in _OWN}, known[1], ""
        )

    def bound_spec(self, old: dict | None, new: dict | None) -> None:
        """``new`` is the stored spec ``old`` with ``nodeName`` set (a Binding): when ``old`` passed the spec
        checks, so does ``new`` if the node name is a valid one (the only check ``nodeName`` enters, alone),
        and a */status update that keeps it need not run them again."""
        from ktui.api.validation.names import name_is_dns_subdomain

        if not isinstance(old, dict) or not isinstance(new, dict):
            return
        before: dict = old
        after: dict = new
        valid = self._valid_specs
        if valid.get(id(before)) is not old or valid.get(id(after)) is new:
            return
        if before.get("nodeName") or len(after) != len(before) + ("nodeName" not in before):
            return
        node = after.get("nodeName")
        if type(node) is not str or name_is_dns_subdomain(node):
            return
        if any(v is not before.get(k) for k, v in after.items() if k != "nodeName"):
            return
        if len(valid) >= 8192:
            valid.clear()
        valid[id(after)] = after

    def _stored_parts(self, key: str) -> dict[Any, tuple[Any, int]]:
        """The encoded sizes of the stored Node ``key``'s larger parts (``limits.stored_size``): a status
        update keeps most of them, which need not be measured again; bounded, left out of copies."""
        parts = self.__dict__.get("_parts")
        if parts is None or (len(parts) >= 16384 and key not in parts):
            parts = self._parts = _Forgetful()
        known = parts.get(key)
        if known is None:
            known = parts[key] = {}
        return known

    def _spec_sizes(self) -> dict[int, tuple[Any, int]]:
        """The encoded sizes of stored specs this server measured, by identity (a */status update keeps the
        stored spec, whose size need not be measured again); bounded, and left out of copies and snapshots."""
        sizes = self.__dict__.get("_sizes")
        if sizes is None or len(sizes) >= 8192:
            sizes = self._sizes = _Forgetful()
        return sizes

    def _next_rv(self) -> str:
        # Single writer: the revision this write will get. A remote etcd backend would set it on read instead.
        return str(self.store.revision + 1)

    # --------------------------------------------------------- ClusterReader (admission)

    def get_object(self, resource: str, namespace: str | None, name: str) -> dict | None:
        """A stored object for admission, or None (also when it cannot be decoded as its kind)."""
        r = self.registry.resolve(resource)
        kv = self.store.get(r.key(namespace, name))
        if kv is None:
            return None
        if r.plural in self._store_watches:  # every write was checked as it was stored
            return None if self._corrupt and kv.key in self._corrupt else kv.value
        return kv.value if readable(r.kind, r.api_version, kv.value) else None

    def list_objects(self, resource: str, namespace: str | None = None) -> list[dict]:
        """Stored objects for admission, leaving out any that cannot be decoded as their kind."""
        r = self.registry.resolve(resource)
        kvs = self.store.range(r.prefix(namespace)).kvs
        if r.plural in self._store_watches:  # every write was checked as it was stored
            corrupt = self._corrupt
            return [kv.value for kv in kvs if kv.key not in corrupt] if corrupt else [kv.value for kv in kvs]
        return [kv.value for kv in kvs if readable(r.kind, r.api_version, kv.value)]

    def write_status(self, resource: str, obj: dict) -> dict:
        r = self.registry.resolve(resource)
        md = obj["metadata"]
        obj = {**obj, "metadata": {**md, "resourceVersion": self._next_rv()}}
        self._trusted = obj
        self.store.update(r.key(md.get("namespace"), md["name"]), obj)
        return obj

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

    # ------------------------------------------------------------------ reads

    def get(
        self,
        user: UserInfo,
        r: Resource,
        namespace: str | None,
        name: str,
        subresource: str = "",
        shared: bool = False,
        **opts: Any,
    ) -> Any:
        """Read one object, or one of its subresources (``scale`` a Scale, ``log`` the text; ``opts`` go
        to the subresource's handler). ``shared``: the stored object itself instead of a copy, for a caller
        that never changes it."""
        self.requests += 1
        ns = self.namespace_for(r, namespace)
        handler = handler_for(r, subresource) if subresource else None
        if handler is not None and handler.get is not None:
            return handler.get(self, user, r, ns, name, **opts)
        self.authorize(user, "get", r, ns, name, subresource)
        kv = self.store.get(r.key(ns, name))
        if kv is None:
            raise errors.not_found(r.plural, name, r.group)
        if self._corrupt:
            self._check_corrupt(r, kv.key)
        return kv.value if shared else copy_json(kv.value)

    def list(self, user: UserInfo, r: Resource, namespace: str | None, opts: ListOptions | None = None) -> dict:
        self.requests += 1
        opts = opts or ListOptions()
        ns = namespace if r.namespaced else ""
        self.authorize(user, "list", r, ns or "")
        matches = self._filter(r, opts)
        start_after, revision = "", 0
        if opts.continue_token:
            try:
                token = json.loads(base64.b64decode(opts.continue_token))
                start_after, revision = token["start"], int(token["rv"])
            except (ValueError, KeyError, TypeError):
                raise errors.bad_request(
                    "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)"
                )
        prefix = r.prefix(ns)
        node, name = self._indexed_selector(r, matches)
        try:
            if name is not None and (ns or not r.namespaced) and not revision:
                one = self.store.get(r.key(ns, name))  # metadata.name=X in one namespace: one key, not a range
                kvs = [one] if one is not None else []
                res_rev, more = self.store.revision, False
            elif node is not None and not opts.limit and not revision:
                kvs = [kv for kv in self.store.range(prefix).kvs if _node_of(kv.value) == node]
                res_rev, more = self.store.revision, False
            else:
                res = self.store.range(prefix, start_after=start_after, revision=revision)
                kvs, res_rev, more = res.kvs, res.revision, False
        except Compacted as e:
            raise errors.gone(
                f"The provided continue parameter is too old to display a consistent list result. "
                f"You can start a new list without the continue parameter, or use the continue token "
                f"in this response to retrieve the remainder of the results. (compacted {e.compacted})"
            )
        items: list[dict] = []
        last_key = ""
        corrupt = self._corrupt
        for kv in kvs:
            if corrupt and kv.key in corrupt:
                continue  # undecodable: readers never see it
            if _matches(matches, kv.value):
                if opts.limit and len(items) >= opts.limit:
                    more = True
                    break
                items.append(copy_json(kv.value))
                last_key = kv.key
        metadata: dict[str, Any] = {"resourceVersion": str(res_rev)}
        if more:
            metadata["continue"] = base64.b64encode(
                json.dumps({"v": "meta.k8s.io/v1", "rv": res_rev, "start": last_key}, separators=(",", ":")).encode()
            ).decode()
        return {"apiVersion": r.api_version, "kind": f"{r.kind}List", "metadata": metadata, "items": items}

    @staticmethod
    def _indexed_selector(r: Resource, matches: Callable[[dict], bool]) -> tuple[str | None, str | None]:
        """(node, name): the ``spec.nodeName=X`` of a pods selector and the ``metadata.name=X`` of any, which
        lists read and watches are kept by without looking at other objects (the other terms still apply).
        ``matches`` is :meth:`_filter`'s answer, whose field selector is already parsed."""
        fields = getattr(matches, "fields", None)
        node = name = None
        for t in fields.terms if fields is not None else ():
            if t.op != "=":
                continue
            if r.plural == "pods" and t.field in ("spec.nodeName", "spec.host") and node is None:
                node = t.value
            elif t.field == "metadata.name" and name is None:
                name = t.value
        return node, name

    def _filter(self, r: Resource, opts: ListOptions) -> Callable[[dict], bool]:
        from ktui.api.selectors import parse_field_selector, parse_label_selector, validate_field_selector

        try:
            labels = parse_label_selector(opts.label_selector) if opts.label_selector else None
        except ValueError as e:
            raise errors.bad_request(str(e))
        fields = None
        if opts.field_selector:
            try:
                fields = parse_field_selector(opts.field_selector)
            except ValueError as e:
                raise errors.bad_request(str(e))
            fields = validate_field_selector(r.kind, fields, r.group)

        return Matcher(labels, fields)

    def watch(
        self,
        user: UserInfo,
        r: Resource,
        namespace: str | None,
        callback: Callable[[str, dict], None],
        opts: ListOptions | None = None,
    ) -> ApiWatch:
        """Start a watch. Without a resourceVersion (or "0") the current objects arrive first as ADDED;
        with one, every change after it is replayed, or 410 Expired if that revision was compacted."""
        self.requests += 1
        opts = opts or ListOptions()
        ns = namespace if r.namespaced else ""
        self.authorize(user, "watch", r, ns or "")
        matches = self._filter(r, opts)
        node, name = self._indexed_selector(r, matches)
        w = ApiWatch(
            self.hub, r.plural, ns or None, matches, callback, node_name=node, object_name=None if node else name
        )
        rv = opts.resource_version
        if rv and rv != "0":
            try:
                from_rev = int(rv) + 1
            except ValueError:
                raise errors.bad_request(f'invalid resource version "{rv}"')
            compacted = getattr(self.store, "compacted_revision", 0)
            if from_rev <= compacted:
                raise errors.gone(f"too old resource version: {rv} ({compacted + 1})")
            try:
                tmp = self.store.watch(r.prefix(ns), lambda ev: self._replay(w, r, ev), from_revision=from_rev)
            except Compacted as e:  # a heartbeat resource's shorter history (see _compact_tick)
                raise errors.gone(f"too old resource version: {rv} ({e.compacted + 1})")
            tmp.cancel()
        else:
            kvs = self.store.range(r.prefix(ns)).kvs
            for kv in kvs:
                if node is None or (kv.value.get("spec") or {}).get("nodeName") == node:
                    w.offer(kv.value, None)
        return self.hub.add(w)

    def _replay(self, w: ApiWatch, r: Resource, ev: "WatchEvent") -> None:
        new = ev.kv.value if ev.type == "PUT" else None
        old = ev.prev_kv.value if ev.prev_kv is not None else None
        if ev.type == "DELETE":
            old = _with_rv(old, ev.revision)  # as a live watch: with the deleting revision
        w.offer(new, old)

    # ------------------------------------------------------------------ writes

    def create(
        self,
        user: UserInfo,
        r: Resource,
        namespace: str | None,
        obj: dict,
        *,
        dry_run: bool = False,
        subresource: str = "",
        parent_name: str = "",
        field_validation: str | None = None,
        warn: Warn | None = None,
        shared: bool = False,
    ) -> dict:
        """Create an object (the answer is a copy of what was stored, or with ``shared`` the stored object,
        which the caller never changes). The body is decoded against the kind's v1.37 schema first (see
        :func:`ktui.api.decode.decode_body`): a wrongly typed body is a 400 and nothing else happens.

        ``field_validation`` is the ``fieldValidation`` parameter (``Strict``, ``Warn`` — the default when
        None — or ``Ignore``); under ``Warn`` each unknown field is passed to ``warn`` as
        ``unknown field "spec.foo"`` (the HTTP layer turns each into a ``Warning: 299 - "..."`` header).
        """
        self.requests += 1
        if subresource:
            ns = self.namespace_for(r, namespace)
            name = parent_name or obj.get("metadata", {}).get("name", "")
            handler = handler_for(r, subresource)
            if handler is None or handler.create is None:
                raise errors.not_found(f"{r.plural}/{subresource}", name, r.group)
            return handler.create(self, user, r, ns, name, obj, dry_run)
        if not isinstance(obj, dict):
            raise errors.bad_request("the body of the request was in an unknown format")
        obj, large = decode_sized(r.kind, r.api_version, obj, field_validation, warn)  # a new tree
        ns = self.namespace_for(r, namespace, obj)
        md = dict(obj.get("metadata") or {})
        obj["metadata"] = md
        obj["apiVersion"], obj["kind"] = r.api_version, r.kind
        if not md.get("name") and md.get("generateName"):
            md["name"] = md["generateName"] + self.rng.suffix()
        name = md.get("name", "")
        self.authorize(user, "create", r, ns, "")
        if r.namespaced:
            md["namespace"] = ns
        else:
            md.pop("namespace", None)
        from ktui.api.defaults import apply_defaults

        obj = apply_defaults(obj, copy=False)  # the decoded body is a fresh tree
        md = obj["metadata"]
        obj = prepare_for_create(r.kind, obj, r.has_status)
        if r.kind == "CertificateSigningRequest":
            from ktui.api.csr import prepare_csr_create

            obj = prepare_csr_create(obj, user)  # the requesting user, whatever the body said
        md = obj["metadata"]
        for k in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields"):
            md.pop(k, None)
        md["uid"] = self.rng.uid()
        md["creationTimestamp"] = rfc3339(self.kernel.now)
        if r.kind == "Job":
            from ktui.api.defaults import job_prepare_for_create

            job_prepare_for_create(obj, md["uid"])  # in place: the controller-uid selector and labels
        if r.kind not in (
            "Event",
            "ConfigMap",
            "Secret",
            "ServiceAccount",
            "Namespace",
            "Node",
            "Endpoints",
            "EndpointSlice",
            "Lease",
            "Role",
            "ClusterRole",
            "RoleBinding",
            "ClusterRoleBinding",
            "LimitRange",
            "ResourceQuota",
            "PriorityClass",
            "ControllerRevision",
            "Binding",
            "CertificateSigningRequest",
        ):
            md["generation"] = 1
        obj = self.admit("CREATE", r, "", ns, name, obj, None, user, dry_run)  # type: ignore[assignment]
        self.validate(r, obj, None)
        if r.plural == "services" and self.allocator is not None:
            obj = self.allocator.allocate(obj, None, dry_run)
        self.validate_admission("CREATE", r, "", ns, name, obj, None, user, dry_run)
        key = r.key(ns, name)
        if self.store.get(key) is not None:
            raise errors.already_exists(r.plural, name, r.group)
        if dry_run:
            return copy_json(obj)
        obj["metadata"] = order_meta(obj["metadata"])
        obj["metadata"]["resourceVersion"] = self._next_rv()
        obj = order_top(obj)
        if large:
            limits.check_stored(obj, self._spec_sizes())
        self._trusted = obj
        try:
            self.store.create(key, obj)
        except KeyExists:
            raise errors.already_exists(r.plural, name, r.group)
        return obj if shared else copy_json(obj)

    def update(
        self,
        user: UserInfo,
        r: Resource,
        namespace: str | None,
        obj: dict,
        *,
        dry_run: bool = False,
        subresource: str = "",
        _verb: str = "update",
        field_validation: str | None = None,
        warn: Warn | None = None,
        _decoded: bool | None = None,
        shared: bool = False,
    ) -> dict:
        """Replace an object (or its ``status``/``scale``/``finalize`` subresource). The body is decoded
        first, as for :meth:`create` (``field_validation`` and ``warn`` mean the same); ``shared``: the
        answer is the stored object itself, which the caller never changes."""
        self.requests += 1
        if r.kind == "Lease" and not (subresource or dry_run or field_validation or _decoded is not None):
            renewed = renew(self, user, r, namespace, obj, shared)  # the full pipeline's outcome, sooner
            if renewed is not None:
                return renewed
        if not isinstance(obj, dict):
            raise errors.bad_request("the body of the request was in an unknown format")
        large = bool(_decoded)  # from patch: whether the patched object may be too large to store
        if _decoded is None:
            kind, version = ("Scale", "autoscaling/v1") if subresource == "scale" else (r.kind, r.api_version)
            known = self._stored_for_status(r, namespace, obj) if subresource == "status" else None
            obj, large = decode_sized(kind, version, obj, field_validation, warn, "UpdateOptions", known)
        obj = dict(obj)  # shallow: the status copy or apply_defaults below makes the deep copy
        ns = self.namespace_for(r, namespace, obj)
        md = obj.get("metadata") or {}
        name = md.get("name", "")
        if not name:
            raise errors.bad_request("name is required")
        handler = handler_for(r, subresource) if subresource else None
        if handler is not None and handler.update is not None:
            return handler.update(self, user, r, ns, name, obj, dry_run, _verb)
        self.authorize(user, _verb, r, ns, name, subresource)
        kv = self.store.get(r.key(ns, name))
        if kv is None:
            raise errors.not_found(r.plural, name, r.group)
        self._check_corrupt(r, kv.key)
        old = kv.value
        rv = md.get("resourceVersion")
        if rv and rv != old["metadata"].get("resourceVersion"):
            raise errors.conflict(r.plural, name, r.group)
        obj["apiVersion"], obj["kind"] = r.api_version, r.kind
        if subresource == "status":
            new = prepare_for_status_update(obj, old, fresh=True)  # the decoded status is this request's own
        elif subresource == "finalize" and r.kind == "Namespace":
            new = copy_json(old)
            new["spec"] = {
                **(new.get("spec") or {}),
                "finalizers": list((obj.get("spec") or {}).get("finalizers") or []),
            }
            if not new["spec"]["finalizers"]:
                new["spec"].pop("finalizers")
            new["metadata"]["resourceVersion"] = md.get("resourceVersion") or old["metadata"]["resourceVersion"]
        elif subresource:
            raise errors.not_found(r.plural, name, r.group)
        else:
            from ktui.api.defaults import apply_defaults

            new = apply_defaults(obj, copy=False)  # the decoded body is a fresh tree
            new["metadata"] = keep_system_meta(dict(new.get("metadata") or {}), old["metadata"])
            if r.namespaced:
                new["metadata"]["namespace"] = ns
            new = prepare_for_update(r.kind, new, old, r.has_status)
        new = self.admit("UPDATE", r, subresource, ns, name, new, old, user, dry_run)  # type: ignore[assignment]
        self.validate(r, new, old)
        if r.plural == "services" and self.allocator is not None and not subresource:
            new = self.allocator.allocate(new, old, dry_run)
        self.validate_admission("UPDATE", r, subresource, ns, name, new, old, user, dry_run)
        if dry_run:
            return copy_json(new)
        if unchanged(new, old):
            # a no-op update writes nothing and keeps the resourceVersion, as etcd3 storage
            return old if shared else copy_json(old)
        return self.store_update(r, ns, name, new, kv.mod_revision, large, copy=not shared)

    def _stored_for_status(self, r: Resource, namespace: str | None, body: Any) -> dict | None:
        """For a */status update: the stored object the body names, when this server wrote it (its parts
        that the body shares by identity decode to themselves and are not decoded again); else None."""
        md = body.get("metadata") if isinstance(body, dict) else None
        if not isinstance(md, dict) or handler_for(r, "status") is not None:
            return None
        name, ns = md.get("name"), (namespace or md.get("namespace") or "") if r.namespaced else ""
        if not isinstance(name, str) or not isinstance(ns, str) or not name:
            return None
        key = r.key(ns, name)
        kv = self.store.get(key)
        if kv is None or key in self._foreign or key in self._corrupt:
            return None
        return kv.value

    def store_update(
        self, r: Resource, ns: str, name: str, new: dict, expected_rev: int, large: bool = True, copy: bool = True
    ) -> dict:
        """Write ``new`` over the stored object if it is still at ``expected_rev`` (409 otherwise); the
        answer is a copy of what was stored, or (``copy`` False) the stored object itself."""
        new["metadata"] = order_meta(new["metadata"])
        md = new["metadata"]
        finalized = (
            bool(md.get("deletionTimestamp")) and not md.get("finalizers") and not md.get("deletionGracePeriodSeconds")
        )
        if r.kind == "Namespace":
            finalized = finalized and not (new.get("spec") or {}).get("finalizers")
        if finalized:
            # The last finalizer is gone: the object is removed now.
            try:
                self.store.delete(r.key(ns, name), expected_mod_revision=expected_rev)
            except RevisionConflict:
                raise errors.conflict(r.plural, name, r.group)
            return copy_json(new)
        md["resourceVersion"] = self._next_rv()
        new = order_top(new)
        parts = None
        if large:
            if r.kind == "Node":
                parts = self._stored_parts(r.key(ns, name))
                limits.check_stored(new, parts=parts)
            else:
                limits.check_stored(new, self._spec_sizes())
        self._trusted = new
        try:
            self.store.update(r.key(ns, name), new, expected_mod_revision=expected_rev)
        except RevisionConflict:
            raise errors.conflict(r.plural, name, r.group)
        except KeyNotFound:
            raise errors.not_found(r.plural, name, r.group)
        if parts is not None:
            limits.restamp(parts, new)  # the store shared its parts in place
        if r.kind == "Lease":
            note_written(self, r.key(ns, name), new)  # its next renewal may take the short path
        return copy_json(new) if copy else new

    def patch(
        self,
        user: UserInfo,
        r: Resource,
        namespace: str | None,
        name: str,
        patch: Any,
        patch_type: str,
        *,
        dry_run: bool = False,
        subresource: str = "",
        field_validation: str | None = None,
        warn: Warn | None = None,
    ) -> dict:
        """Apply a ``json``, ``merge`` or ``strategic`` patch to the stored object, then update it.

        The patched object is decoded as kube-apiserver's patch handler does (a type error is a 422 on
        ``patch``; unknown fields follow ``field_validation``, warnings go to ``warn``)."""
        from ktui.api.patch import PatchError, apply_json_patch, apply_merge_patch, apply_strategic_merge_patch

        ns = self.namespace_for(r, namespace)
        self.authorize(user, "patch", r, ns, name, subresource)
        limits.check_depth(patch, r.kind, r.version)  # before the patch code walks it
        handler = handler_for(r, subresource) if subresource else None
        if handler is not None and handler.update is not None and handler.get is not None:
            current = handler.get(self, user, r, ns, name)
        else:
            kv = self.store.get(r.key(ns, name))
            if kv is None:
                raise errors.not_found(r.plural, name, r.group)
            self._check_corrupt(r, kv.key)
            current = copy_json(kv.value)
        try:
            if patch_type == "json":
                patched = apply_json_patch(current, patch)
            elif patch_type == "merge":
                patched = apply_merge_patch(current, patch)
            elif patch_type == "strategic":
                if r.kind not in STRATEGIC_KINDS:
                    raise errors.ApiError(
                        {
                            "kind": "Status",
                            "apiVersion": "v1",
                            "metadata": {},
                            "status": "Failure",
                            "message": "the body of the request was in an unknown format - accepted media types include: "
                            "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
                            "reason": "UnsupportedMediaType",
                            "code": 415,
                        }
                    )
                patched = apply_strategic_merge_patch(current, patch, r.kind)
            else:
                raise errors.bad_request(f"unknown patch type {patch_type!r}")
        except PatchError as e:
            raise errors.ApiError(
                {
                    "kind": "Status",
                    "apiVersion": "v1",
                    "metadata": {},
                    "status": "Failure",
                    "message": str(e),
                    "reason": getattr(e, "reason", "BadRequest"),
                    "code": getattr(e, "code", 400),
                }
            ) from None
        if not isinstance(patched, dict):
            raise errors.bad_request("the patch did not produce an object")
        kind, version = ("Scale", "autoscaling/v1") if subresource == "scale" else (r.kind, r.api_version)
        patched, large = decode_patched(kind, version, patched, patch_type, field_validation, warn, patch)
        patched.setdefault("metadata", {})
        if patched["metadata"].get("name") != name:
            raise errors.bad_request("the name of the object and the name in the request do not match")
        if subresource != "scale":
            patched["metadata"].setdefault("resourceVersion", current["metadata"]["resourceVersion"])
        return self.update(
            user, r, ns, patched, dry_run=dry_run, subresource=subresource, _verb="patch", _decoded=large
        )

    def delete(
        self,
        user: UserInfo,
        r: Resource,
        namespace: str | None,
        name: str,
        *,
        grace_period_seconds: int | None = None,
        propagation_policy: str | None = None,
        preconditions: dict | None = None,
        dry_run: bool = False,
        authorized: bool = False,
    ) -> dict:
        """Delete one object. Returns the object as left: gone (its last state) or marked for deletion."""
        self.requests += 1
        ns = self.namespace_for(r, namespace)
        if not authorized:
            self.authorize(user, "delete", r, ns, name)
        kv = self.store.get(r.key(ns, name))
        if kv is None:
            raise errors.not_found(r.plural, name, r.group)
        if self._corrupt and kv.key in self._corrupt:
            # An undecodable object can only be removed as it is (kube-apiserver asks for
            # ignoreStoreReadErrorWithClusterBreakingPotential; ktui lets a learner clean up).
            if not dry_run:
                self.store.delete(kv.key)
            return {"kind": r.kind, "apiVersion": r.api_version, "metadata": {"name": name}}
        old = kv.value
        pre = preconditions or {}
        if pre.get("uid") and pre["uid"] != old["metadata"].get("uid"):
            raise errors.conflict(
                r.plural,
                name,
                r.group,
                f"Precondition failed: UID in precondition: {pre['uid']}, UID in object meta: {old['metadata'].get('uid')}",
            )
        if pre.get("resourceVersion") and pre["resourceVersion"] != old["metadata"].get("resourceVersion"):
            raise errors.conflict(
                r.plural,
                name,
                r.group,
                f"Precondition failed: ResourceVersion in precondition: {pre['resourceVersion']}, "
                f"ResourceVersion in object meta: {old['metadata'].get('resourceVersion')}",
            )
        self.validate_admission("DELETE", r, "", ns, name, None, old, user, dry_run)
        new = copy_json(old)
        md = new["metadata"]
        finalizers = list(md.get("finalizers") or [])
        if propagation_policy == "Orphan" and "orphan" not in finalizers:
            finalizers.append("orphan")
        elif propagation_policy == "Foreground" and "foregroundDeletion" not in finalizers:
            finalizers.append("foregroundDeletion")
        grace = self._grace_period(r, old, grace_period_seconds)
        if r.kind == "Namespace":
            # Terminating until the namespace controller has emptied it and removed spec.finalizers.
            if dry_run:
                return new
            if not md.get("deletionTimestamp"):
                md["deletionTimestamp"] = rfc3339(self.kernel.now)
                new["status"] = {**(new.get("status") or {}), "phase": "Terminating"}
            md["deletionGracePeriodSeconds"] = 0
            if finalizers:
                md["finalizers"] = finalizers
            if (new.get("spec") or {}).get("finalizers") or finalizers:
                return self._store_mark(r, ns, name, new, kv.mod_revision)
        elif finalizers or grace:
            # Graceful (a kubelet confirms) or held by finalizers: marked now, removed later.
            if dry_run:
                return new
            existing_grace = md.get("deletionGracePeriodSeconds")
            if (
                md.get("deletionTimestamp")
                and existing_grace is not None
                and grace >= existing_grace
                and finalizers == list(md.get("finalizers") or [])
            ):
                return new  # already being deleted at least this fast
            md["deletionTimestamp"] = rfc3339(self.kernel.now + grace)
            md["deletionGracePeriodSeconds"] = grace
            if finalizers:
                md["finalizers"] = finalizers
            return self._store_mark(r, ns, name, new, kv.mod_revision)
        if dry_run:
            return new
        try:
            self.store.delete(r.key(ns, name), expected_mod_revision=kv.mod_revision)
        except RevisionConflict:
            raise errors.conflict(r.plural, name, r.group)
        return copy_json(old)

    def _store_mark(self, r: Resource, ns: str, name: str, new: dict, expected_rev: int) -> dict:
        new["metadata"] = order_meta(new["metadata"])
        new["metadata"]["resourceVersion"] = self._next_rv()
        self._trusted = new
        self.store.update(r.key(ns, name), new, expected_mod_revision=expected_rev)
        return copy_json(new)

    def _grace_period(self, r: Resource, obj: dict, requested: int | None) -> int:
        """Pods are deleted gracefully once a kubelet may be running them; everything else at once."""
        if r.kind != "Pod":
            return 0
        spec, status = obj.get("spec") or {}, obj.get("status") or {}
        if not spec.get("nodeName") or status.get("phase") in ("Succeeded", "Failed"):
            return 0
        if requested is not None:
            return max(0, int(requested))
        return int(spec.get("terminationGracePeriodSeconds", 30))

    def delete_collection(
        self, user: UserInfo, r: Resource, namespace: str | None, opts: ListOptions | None = None, **kwargs: Any
    ) -> builtins.list[dict]:
        ns = namespace if r.namespaced else ""
        self.authorize(user, "deletecollection", r, ns or "")
        items = self.list(user, r, ns, opts)["items"]
        return [self.delete(user, r, ns, i["metadata"]["name"], authorized=True, **kwargs) for i in items]
