"""A recording fake API client for reconcile-level controller tests, the sample-controller way.

Seed the fake's objects (the informers list them into their caches when the controller starts), call
``reconcile(key)`` directly, and assert the writes the fake recorded — no API server, no clock running.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import pytest

from ktui.api import errors
from ktui.api.objects import copy_json
from ktui.components.base import Context
from ktui.sim.kernel import Kernel
from ktui.sim.rng import SeededRandom


@dataclass(frozen=True)
class Action:
    """One call the controller made: ``verb resource namespace/name[/subresource]`` and the body sent."""

    verb: str
    resource: str
    namespace: str
    name: str
    subresource: str = ""
    obj: Any = None


class _NoWatch:
    def stop(self) -> None:
        pass


class FakeClient:
    """Answers from seeded objects and records every call (client-go's fake clientset with ``Actions()``).

    Writes change the fake's objects (so a later ``get`` sees them) but never reach any informer: a test
    sees exactly what one ``reconcile`` did.
    """

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self.server = self  # the event recorder reads ``client.server.kernel`` and ``.requests``
        self.requests = 0
        self.objects: dict[tuple[str, str, str], dict] = {}
        self.actions: list[Action] = []
        self._serial = 0

    # ----------------------------------------------------------------- seeding and reading the record

    def seed(self, resource: str, *objs: dict) -> None:
        for obj in objs:
            md = obj.setdefault("metadata", {})
            self._serial += 1
            md.setdefault("uid", f"uid-{md['name']}")
            md.setdefault("resourceVersion", str(self._serial))
            self.objects[(resource, md.get("namespace", ""), md["name"])] = obj

    def writes(self) -> list[Action]:
        """What the controller changed: every create, update, patch and delete except Events."""
        return [a for a in self.actions if a.verb in ("create", "update", "patch", "delete") and a.resource != "events"]

    def events(self) -> list[tuple[str, str]]:
        """``(type, reason)`` of the Events the controller recorded."""
        return [(a.obj["type"], a.obj["reason"]) for a in self.actions if a.resource == "events" and a.verb == "create"]

    # ----------------------------------------------------------------- the Client verbs controllers use

    def _record(self, verb: str, resource: str, namespace: str | None, name: str, subresource: str = "",
                obj: Any = None) -> None:
        self.requests += 1
        self.actions.append(Action(verb, resource, namespace or "", name, subresource, copy_json(obj)))

    def list(self, resource: str, namespace: str | None = None, **_: Any) -> dict:
        self._record("list", resource, namespace, "")
        items = [copy_json(o) for (r, ns, _n), o in sorted(self.objects.items())
                 if r == resource and (namespace is None or ns == namespace)]
        return {"items": items, "metadata": {"resourceVersion": str(self._serial)}}

    def watch(self, resource: str, callback: Callable[[str, dict], None], namespace: str | None = None,
              **_: Any) -> _NoWatch:
        self._record("watch", resource, namespace, "")
        return _NoWatch()

    def get(self, resource: str, name: str, namespace: str | None = None, *, subresource: str = "") -> dict:
        self._record("get", resource, namespace, name, subresource)
        obj = self.objects.get((resource, namespace or "", name))
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
        if (resource, ns, md["name"]) in self.objects:
            raise errors.already_exists(resource, md["name"])
        if ns:
            md["namespace"] = ns
        self.seed(resource, obj)
        return copy_json(obj)

    def update(self, resource: str, obj: dict, namespace: str | None = None, *, subresource: str = "",
               **_: Any) -> dict:
        md = obj["metadata"]
        ns = namespace or md.get("namespace") or ""
        self._record("update", resource, ns, md["name"], subresource, obj)
        if (resource, ns, md["name"]) not in self.objects:
            raise errors.not_found(resource, md["name"])
        self._serial += 1
        new = copy_json(obj)
        new["metadata"]["resourceVersion"] = str(self._serial)
        self.objects[(resource, ns, md["name"])] = new
        return copy_json(new)

    def patch(self, resource: str, name: str, patch: Any, namespace: str | None = None, **kwargs: Any) -> dict:
        self._record("patch", resource, namespace, name, kwargs.get("subresource", ""), patch)
        return self.get(resource, name, namespace)

    def delete(self, resource: str, name: str, namespace: str | None = None, **_: Any) -> dict:
        self._record("delete", resource, namespace, name)
        obj = self.objects.pop((resource, namespace or "", name), None)
        if obj is None:
            raise errors.not_found(resource, name)
        return obj


@pytest.fixture
def fake_client() -> FakeClient:
    return FakeClient(Kernel())


@pytest.fixture
def start_controller(fake_client: FakeClient) -> Callable[..., Any]:
    """``start_controller(cls, flags=None)``: the controller on the fake client, its caches filled from the
    seeded objects, and the record emptied of the listing and watching it did to start."""

    def start(cls: type, flags: dict | None = None) -> Any:
        ctx = Context(fake_client.kernel, SeededRandom(0), fake_client, flags=dict(flags or {}))
        controller = cls(ctx)
        controller.start()
        fake_client.actions.clear()
        return controller

    return start
