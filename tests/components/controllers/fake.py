"""A recording fake API client for reconcile-level controller tests, the sample-controller way.

Seed the fake's objects (the informers list them into their caches when the controller starts), call
``reconcile(key)`` directly, and assert the writes the fake recorded — no API server, no other component, and
no clock running unless a test moves it. As client-go's fake clientset with ``Actions()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ktui.api import errors
from ktui.api.objects import copy_json
from ktui.api.patch import apply_json_patch, apply_merge_patch, apply_strategic_merge_patch
from ktui.api.registry import REGISTRY
from ktui.sim.kernel import Kernel
from ktui.sim.timefmt import rfc3339

__all__ = ["Action", "FakeClient"]

WRITES = ("create", "update", "patch", "delete")


@dataclass(frozen=True)
class Action:
    """One call the controller made: ``verb resource namespace/name[/subresource]``, the body sent and the
    call's options (``propagation_policy``, ``grace_period_seconds``, ``preconditions``, ``patch_type``)."""

    verb: str
    resource: str
    namespace: str
    name: str
    subresource: str = ""
    obj: Any = None
    options: dict = field(default_factory=dict)

    @property
    def short(self) -> tuple[str, str, str]:
        """``(verb, resource[/subresource], name)``: what most assertions compare."""
        return (self.verb, f"{self.resource}/{self.subresource}" if self.subresource else self.resource, self.name)


class _NoWatch:
    def stop(self) -> None:
        pass


def _plural(resource: str) -> str:
    """``pods``, ``deployments.apps`` or ``replicasets`` all name one store: the resource's plural."""
    return REGISTRY.resolve(resource).plural


class FakeClient:
    """Answers from seeded objects and records every call.

    Writes change the fake's objects (so a later ``get`` sees them; patches are applied as the API server
    applies them) but never reach an informer: a test sees exactly what one ``reconcile`` did.

    Args:
        kernel: the clock the controller and its event recorder read.
    """

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self.server = self  # the event recorder reads ``client.server.kernel`` and ``.requests``
        self.requests = 0
        self.objects: dict[tuple[str, str, str], dict] = {}
        """Stored objects by (plural, namespace, name)."""
        self.actions: list[Action] = []
        """Every call, in order (reads, watches and Events included)."""
        self._serial = 0

    # ----------------------------------------------------------------- seeding and reading the record

    def seed(self, resource: str, *objs: dict) -> None:
        """Store ``objs`` as they are, with a ``uid`` (``uid-<name>``), a resourceVersion and a creationTimestamp
        (the clock's now) when missing."""
        plural = _plural(resource)
        for obj in objs:
            md = obj.setdefault("metadata", {})
            self._serial += 1
            md.setdefault("uid", f"uid-{md['name']}")
            md.setdefault("resourceVersion", str(self._serial))
            md.setdefault("creationTimestamp", rfc3339(self.kernel.now))
            self.objects[(plural, md.get("namespace", ""), md["name"])] = obj

    def stored(self, resource: str, name: str, namespace: str = "") -> dict | None:
        """The fake's current copy of one object (after the writes so far)."""
        return self.objects.get((_plural(resource), namespace, name))

    def writes(self) -> list[Action]:
        """What the controller changed: every create, update, patch and delete except Events."""
        return [a for a in self.actions if a.verb in WRITES and a.resource != "events"]

    def events(self) -> list[tuple[str, str]]:
        """``(type, reason)`` of the Events the controller recorded."""
        return [(a.obj["type"], a.obj["reason"]) for a in self.actions if a.resource == "events" and a.verb == "create"]

    def event_messages(self) -> list[str]:
        """The messages of the Events the controller recorded."""
        return [a.obj["message"] for a in self.actions if a.resource == "events" and a.verb == "create"]

    # ----------------------------------------------------------------- the Client verbs controllers use

    def _record(
        self,
        verb: str,
        resource: str,
        namespace: str | None,
        name: str,
        subresource: str = "",
        obj: Any = None,
        **options: Any,
    ) -> None:
        self.requests += 1
        opts = {k: v for k, v in options.items() if v is not None}
        self.actions.append(Action(verb, _plural(resource), namespace or "", name, subresource, copy_json(obj), opts))

    def list(self, resource: str, namespace: str | None = None, **_: Any) -> dict:
        self._record("list", resource, namespace, "")
        plural = _plural(resource)
        items = [
            copy_json(o)
            for (r, ns, _n), o in sorted(self.objects.items())
            if r == plural and (namespace is None or ns == namespace)
        ]
        return {"items": items, "metadata": {"resourceVersion": str(self._serial)}}

    def watch(
        self, resource: str, callback: Callable[[str, dict], None], namespace: str | None = None, **_: Any
    ) -> _NoWatch:
        self._record("watch", resource, namespace, "")
        return _NoWatch()

    def get(self, resource: str, name: str, namespace: str | None = None, *, subresource: str = "") -> dict:
        self._record("get", resource, namespace, name, subresource)
        obj = self.objects.get((_plural(resource), namespace or "", name))
        if obj is None:
            raise errors.not_found(resource, name)
        return copy_json(obj)

    def create(self, resource: str, obj: dict, namespace: str | None = None, **_: Any) -> dict:
        obj = copy_json(obj)
        md = obj.setdefault("metadata", {})
        ns = namespace or md.get("namespace") or ""
        if not md.get("name") and md.get("generateName"):
            self._serial += 1
            md["name"] = f"{md['generateName']}{self._serial:05d}"
        self._record("create", resource, ns, md.get("name", ""), obj=obj)
        if (_plural(resource), ns, md["name"]) in self.objects:
            raise errors.already_exists(resource, md["name"])
        if ns:
            md["namespace"] = ns
        self.seed(resource, obj)
        return copy_json(obj)

    def update(
        self, resource: str, obj: dict, namespace: str | None = None, *, subresource: str = "", **_: Any
    ) -> dict:
        md = obj["metadata"]
        ns = namespace or md.get("namespace") or ""
        self._record("update", resource, ns, md["name"], subresource, obj)
        key = (_plural(resource), ns, md["name"])
        if key not in self.objects:
            raise errors.not_found(resource, md["name"])
        self._serial += 1
        new = copy_json(obj)
        new["metadata"]["resourceVersion"] = str(self._serial)
        self.objects[key] = new
        return copy_json(new)

    def patch(
        self,
        resource: str,
        name: str,
        patch: Any,
        namespace: str | None = None,
        *,
        patch_type: str = "strategic",
        subresource: str = "",
        **_: Any,
    ) -> dict:
        self._record("patch", resource, namespace, name, subresource, patch, patch_type=patch_type)
        key = (_plural(resource), namespace or "", name)
        current = self.objects.get(key)
        if current is None:
            raise errors.not_found(resource, name)
        if patch_type == "json":
            new = apply_json_patch(current, patch)
        elif patch_type == "merge":
            new = apply_merge_patch(current, patch)
        else:
            new = apply_strategic_merge_patch(current, patch, current.get("kind", ""))
        self._serial += 1
        new["metadata"]["resourceVersion"] = str(self._serial)
        self.objects[key] = new
        return copy_json(new)

    def delete(
        self,
        resource: str,
        name: str,
        namespace: str | None = None,
        *,
        grace_period_seconds: int | None = None,
        propagation_policy: str | None = None,
        preconditions: dict | None = None,
        **_: Any,
    ) -> dict:
        self._record(
            "delete",
            resource,
            namespace,
            name,
            grace_period_seconds=grace_period_seconds,
            propagation_policy=propagation_policy,
            preconditions=preconditions,
        )
        obj = self.objects.pop((_plural(resource), namespace or "", name), None)
        if obj is None:
            raise errors.not_found(resource, name)
        return obj
