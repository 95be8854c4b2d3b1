"""The controllers' shared rigs: the recording fake client (``fake_client``, ``start_controller``) for
reconcile-level tests; a world with only the controllers under test, a controller-manager context, and pods
written as a kubelet would write them for whole-world tests. Test modules import the helpers by name."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from ktui.api.auth.user import authenticated
from ktui.api.informer import InformerFactory
from ktui.clusterspec import normalize_spec
from ktui.components.base import Context
from ktui.sim.kernel import Kernel
from ktui.sim.rng import SeededRandom
from ktui.sim.timefmt import rfc3339
from ktui.world import build_world

from tests.components.controllers.fake import FakeClient

# node lifecycle's flags at the seed's values (make_ctx's default)
FLAGS = {"node-monitor-period": "5s", "node-monitor-grace-period": "40s", "pod-eviction-timeout": "5m0s"}


def make_ctx(flags: dict | None = None, spec: dict | None = None):
    w = build_world(normalize_spec(spec or {"nodes": []}))
    client = w.client(authenticated("system:kube-controller-manager", ("system:masters",)))
    ctx = Context(kernel=w.kernel, rng=w.rng, client=client, flags=dict(flags or FLAGS), spec=w.spec)
    return w, ctx, InformerFactory(ctx.client)


class Rig:
    """A world without scheduler or kubelet, and the controllers under test on one informer factory."""

    def __init__(self, *controllers: type) -> None:
        self.world = build_world(normalize_spec({"nodes": []}))
        self.kernel = self.world.kernel
        self.client = self.world.client()
        self.ctx = Context(
            kernel=self.kernel,
            rng=self.world.rng,
            client=self.world.client(authenticated("system:kube-controller-manager", ("system:masters",))),
            flags={},
            spec=self.world.spec,
        )
        self.factory = InformerFactory(self.ctx.client)
        self.controllers = [c(self.ctx, self.factory) for c in controllers]
        self.factory.start()

    def settle(self, seconds: float = 0.5) -> None:
        self.kernel.advance(seconds)

    def pods(self, selector: str = "", namespace: str = "default") -> list[dict]:
        items = self.client.list("pods", namespace, label_selector=selector)["items"]
        return [p for p in items if not p["metadata"].get("deletionTimestamp")]

    def events(self, reason: str | None = None) -> list[dict]:
        evs = self.client.list("events", None)["items"]
        return [e for e in evs if reason is None or e["reason"] == reason]

    def set_pod_phase(self, pod: dict, phase: str = "Running", ready: bool = True, **extra) -> dict:
        """Play the kubelet: write a pod's phase and Ready condition through pods/status."""
        fresh = self.client.get("pods", pod["metadata"]["name"], pod["metadata"]["namespace"])
        now = rfc3339(self.kernel.now)
        status = dict(fresh.get("status") or {})
        status["phase"] = phase
        status["conditions"] = [
            {"type": "Ready", "status": "True" if ready else "False", "lastProbeTime": None, "lastTransitionTime": now}
        ]
        status.update(extra)
        fresh["status"] = status
        return self.client.update("pods", fresh, subresource="status")

    def ready_all(self, selector: str = "", namespace: str = "default") -> None:
        for p in self.pods(selector, namespace):
            if (p.get("status") or {}).get("phase") != "Running":
                self.set_pod_phase(p)


def template(labels: dict, image: str = "nginx") -> dict:
    return {"metadata": {"labels": dict(labels)}, "spec": {"containers": [{"name": "app", "image": image}]}}


def replicaset(name: str, replicas: int, labels: dict, **spec) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": name},
        "spec": {"replicas": replicas, "selector": {"matchLabels": dict(labels)}, "template": template(labels), **spec},
    }


def running_pod(
    w,
    name: str,
    node: str,
    ip: str,
    labels: dict | None = None,
    ns: str = "default",
    ready: bool = True,
    ports: list | None = None,
) -> dict:
    admin = w.client()
    container = {"name": "app", "image": "nginx"}
    if ports:
        container["ports"] = ports
    admin.create(
        "pods",
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": labels or {"app": "web"}},
            "spec": {"nodeName": node, "containers": [container]},
        },
        ns,
    )
    pod = admin.get("pods", name, ns)
    now = rfc3339(w.kernel.now)
    pod["status"] = {
        "phase": "Running",
        "podIP": ip,
        "podIPs": [{"ip": ip}],
        "conditions": [
            {"type": "Ready", "status": "True" if ready else "False", "lastProbeTime": None, "lastTransitionTime": now}
        ],
    }
    return admin.update("pods", pod, ns, subresource="status")


# ------------------------------------------------------------------------------ the recording fake client


@pytest.fixture
def fake_client() -> FakeClient:
    return FakeClient(Kernel())


@pytest.fixture
def start_controller(fake_client: FakeClient) -> Callable[..., Any]:
    """``start_controller(cls, flags=None, spec=None, now=0.0)``: the controller on the fake client with the
    clock at ``now``, its caches filled from the seeded objects, and the record emptied of the listing and
    watching it did to start. The keys its handlers queued while the caches filled are dropped (what runs at
    that instant runs with a no-op reconcile), so the test's own ``reconcile(key)`` is the only sync."""

    def start(cls: type, flags: dict | None = None, spec: dict | None = None, now: float = 0.0) -> Any:
        fake_client.kernel.run_until(now)
        ctx = Context(fake_client.kernel, SeededRandom(0), fake_client, flags=dict(flags or {}), spec=dict(spec or {}))
        controller = cls(ctx)
        controller.start()
        controller.queue.reconcile = lambda key: None
        fake_client.kernel.settle()
        controller.queue.reconcile = controller.reconcile
        fake_client.actions.clear()
        return controller

    return start
