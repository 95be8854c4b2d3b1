"""The API server's reads: get, list and watch, with their selectors and the indexes they are kept by."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from ktui.api import errors
from ktui.api.auth.user import UserInfo
from ktui.api.object_rules import Matcher
from ktui.api.objects import copy_json
from ktui.api.registry import Resource
from ktui.api.request_checks import RequestChecks
from ktui.api.store_events import StoreEvents, with_rv
from ktui.api.subresources import handler_for
from ktui.api.watch import ApiWatch
from ktui.store.errors import Compacted

if TYPE_CHECKING:
    from ktui.store.protocol import WatchEvent

__all__ = ["Reads", "ListOptions"]


def _node_of(obj: Any) -> Any:
    spec = obj.get("spec") if isinstance(obj, dict) else None
    return spec.get("nodeName") if isinstance(spec, dict) else None


def _matches(matches: Callable[[dict], bool], obj: Any) -> bool:
    """A selector's verdict; an object it cannot read (written around the API) matches no selector."""
    try:
        return matches(obj)
    except (AttributeError, TypeError, KeyError, ValueError):
        return False


@dataclass
class ListOptions:
    """What narrows a list or watch."""

    label_selector: str = ""
    field_selector: str = ""
    limit: int = 0
    continue_token: str = ""
    resource_version: str = ""


class Reads(RequestChecks, StoreEvents):
    """The read part of :class:`ktui.api.server.APIServer` (which sets what is declared here)."""

    requests: int

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
            except Compacted as e:  # a heartbeat resource's shorter history (see Compaction._compact_tick)
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
            old = with_rv(old, ev.revision)  # as a live watch: with the deleting revision
        w.offer(new, old)
