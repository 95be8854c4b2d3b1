"""The admission chain calls only the plugins that handle a request; each plugin's ``handles`` is what it does:
for a request it says no to, neither ``admit`` nor ``validate`` reads the cluster, changes the object or
refuses it."""

from __future__ import annotations

import copy
import json

import pytest

import ktui.api.writes as writes_module
from ktui.api.auth.user import authenticated
from ktui.api.client import Client
from ktui.api.errors import ApiError, forbidden
from ktui.api.registry import REGISTRY
from ktui.clusterspec import normalize_spec
from ktui.world import build_world

from tests.api.admission.conftest import request

ADMIN = authenticated("system:apiserver", ("system:masters",))
NODE = authenticated("system:node:n1", ("system:nodes",))
OPERATIONS = ("CREATE", "UPDATE", "DELETE", "CONNECT")


class Watching:
    """A ClusterReader that holds nothing (every lookup fails) and notes every call."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def get_object(self, resource: str, namespace: str | None, name: str) -> dict | None:
        self.calls.append(f"get {resource}")
        return None

    def list_objects(self, resource: str, namespace: str | None = None) -> list[dict]:
        self.calls.append(f"list {resource}")
        return []

    def write_status(self, resource: str, obj: dict) -> dict:
        self.calls.append(f"write {resource}")
        return obj


def _object(kind: str, api_version: str) -> dict:
    """An object of ``kind`` that a plugin acting on it would change, look up or refuse: no service account,
    no priority or tolerations, no storage class or finalizers, a CSR for system:masters that does not parse."""
    return {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": "x", "namespace": "default"},
        "spec": {
            "containers": [{"name": "c", "image": "nginx"}],
            "signerName": "kubernetes.io/kube-apiserver-client",
            "request": "bm90IGEgQ1NS",
            "resources": {"requests": {"storage": "1Gi"}},
        },
        "status": {"conditions": [{"type": "Approved", "status": "True"}], "certificate": "Y2VydA=="},
    }


def _world():
    return build_world(normalize_spec({"nodes": []}))


def test_a_plugin_does_nothing_for_a_request_it_does_not_handle():
    chain = _world().server.admission
    checked = 0
    for r in REGISTRY:
        for op in OPERATIONS:
            for sub in ("", *r.subresources):
                for plugin in chain:
                    if plugin.handles(op, r, sub):
                        continue
                    obj = _object(r.kind, r.api_version)
                    old = _object(r.kind, r.api_version)
                    old["status"] = {}
                    reader = Watching()
                    req = request(r.plural, obj, reader, operation=op, subresource=sub, old=old)
                    plugin.admit(req)
                    plugin.validate(req)
                    assert (req.obj, reader.calls) == (_object(r.kind, r.api_version), []), (plugin.name, op, r, sub)
                    checked += 1
    assert checked > 1000


@pytest.mark.parametrize(
    ("op", "resource", "sub", "names"),
    [
        ("CREATE", "events", "", ["NamespaceLifecycle"]),
        ("UPDATE", "pods", "status", []),
        ("CREATE", "pods", "binding", []),
        ("UPDATE", "leases", "", []),
        ("DELETE", "namespaces", "", ["NamespaceLifecycle"]),
        (
            "CREATE",
            "pods",
            "",
            [
                "NamespaceLifecycle",
                "LimitRanger",
                "ServiceAccount",
                "Priority",
                "DefaultTolerationSeconds",
                "ResourceQuota",
            ],
        ),
        ("UPDATE", "certificatesigningrequests", "approval", ["CertificateApproval"]),
        ("UPDATE", "persistentvolumeclaims", "", ["LimitRanger", "ResourceQuota"]),
    ],
)
def test_the_chain_for_a_request_is_the_plugins_that_handle_it_in_order(op, resource, sub, names):
    server = _world().server
    assert [p.name for p in server.admission_for(op, REGISTRY.resolve(resource), sub)] == names


class DenyLeaseUpdates:
    """A plugin added to the chain that refuses every Lease update (and says so in ``handles``)."""

    name = "DenyLeaseUpdates"

    def handles(self, operation: str, resource, subresource: str) -> bool:
        return resource.kind == "Lease" and operation == "UPDATE"

    def admit(self, req) -> None:
        return None

    def validate(self, req) -> None:
        raise forbidden("leases", req.name, "coordination.k8s.io", "no renewals today")


class PodCreatesOnly(DenyLeaseUpdates):
    """Refuses what it is given, but handles only pod creates."""

    name = "PodCreatesOnly"

    def handles(self, operation: str, resource, subresource: str) -> bool:
        return resource.kind == "Pod" and operation == "CREATE"


class Undeclared:
    """A plugin that does not say what it handles: it is called for every request."""

    name = "Undeclared"

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str]] = []

    def admit(self, req) -> None:
        self.seen.append((req.operation, req.resource.plural, req.subresource))

    def validate(self, req) -> None:
        return None


def _lease(renew: str) -> dict:
    return {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "n1", "namespace": "kube-node-lease"},
        "spec": {"holderIdentity": "n1", "leaseDurationSeconds": 40, "renewTime": renew},
    }


def _renewed(plugin) -> tuple:
    """Renew a node Lease twice (the second may take the renewal short path) with ``plugin`` in the chain."""
    world = _world()
    server = world.server
    kubelet = Client(server, NODE)
    last = kubelet.create("leases", _lease("2026-01-01T00:00:00.000000Z"), namespace="kube-node-lease")
    server.admission.append(plugin)  # the same list, changed: the chain sees it
    out = []
    for second in (10, 20):
        body = {**last, "spec": {**last["spec"], "renewTime": f"2026-01-01T00:00:{second}.000000Z"}}
        try:
            last = kubelet.update("leases", body, namespace="kube-node-lease")
            out.append(last["spec"]["renewTime"])
        except ApiError as e:
            out.append((e.code, e.message))
    return tuple(out), json.dumps(world.store.get("/registry/leases/kube-node-lease/n1").value)


def test_a_plugin_that_handles_lease_updates_sees_every_renewal():
    out, _ = _renewed(DenyLeaseUpdates())
    refused = (403, 'leases.coordination.k8s.io "n1" is forbidden: no renewals today')
    assert out == (refused, refused)


def test_a_plugin_for_other_requests_leaves_renewals_alone_and_the_short_path_on():
    world = _world()
    renewals = []
    renew = writes_module.renew

    def spied(server, *args):
        answer = renew(server, *args)
        renewals.append(answer is not None)
        return answer

    writes_module.renew = spied
    try:
        out, stored = _renewed(PodCreatesOnly())
    finally:
        writes_module.renew = renew
    assert out == ("2026-01-01T00:00:10.000000Z", "2026-01-01T00:00:20.000000Z")
    assert renewals == [False, True]  # the first after a create takes the full pipeline, the next the short path
    assert json.loads(stored)["spec"]["renewTime"] == "2026-01-01T00:00:20.000000Z"
    assert world.server.admission_for("UPDATE", REGISTRY.resolve("leases"), "") == ()


def test_a_plugin_that_does_not_say_what_it_handles_is_called_for_everything():
    plugin = Undeclared()
    out, _ = _renewed(plugin)
    assert out == ("2026-01-01T00:00:10.000000Z", "2026-01-01T00:00:20.000000Z")
    assert plugin.seen == [("UPDATE", "leases", ""), ("UPDATE", "leases", "")]


def test_a_copied_server_works_out_its_chain_again():
    world = _world()
    events = REGISTRY.resolve("events")
    assert [p.name for p in world.server.admission_for("CREATE", events, "")] == ["NamespaceLifecycle"]
    twin = copy.deepcopy(world)  # as a snapshot is taken
    twin.server.admission.insert(0, Undeclared())
    assert [p.name for p in twin.server.admission_for("CREATE", events, "")] == ["Undeclared", "NamespaceLifecycle"]
    assert [p.name for p in world.server.admission_for("CREATE", events, "")] == ["NamespaceLifecycle"]
