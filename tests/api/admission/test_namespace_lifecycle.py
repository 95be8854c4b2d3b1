"""NamespaceLifecycle admission: nothing is created in a missing or terminating namespace, and the system
namespaces cannot be deleted, with kube-apiserver's messages."""

import pytest

from ktui.api.admission.namespace_lifecycle import NamespaceLifecycle
from ktui.api.errors import ApiError

from tests.api.admission.conftest import Reader, pod, request


def namespace(name: str, phase: str = "Active") -> tuple[str, dict]:
    return (
        "namespaces",
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}, "status": {"phase": phase}},
    )


def validate(req) -> None:
    plugin = NamespaceLifecycle()
    plugin.admit(req)
    plugin.validate(req)


def refused(req) -> ApiError:
    with pytest.raises(ApiError) as e:
        validate(req)
    return e.value


def test_a_pod_in_an_active_namespace_is_admitted_unchanged():
    req = request("pods", pod(), Reader(namespace("default")))
    validate(req)
    assert req.obj == pod()


def test_creating_in_a_missing_namespace_is_not_found():
    e = refused(request("pods", pod(), Reader(), namespace="nowhere"))
    assert (e.code, e.message) == (404, 'namespaces "nowhere" not found')


def test_creating_in_a_terminating_namespace_is_forbidden_except_events():
    reader = Reader(namespace("team", "Terminating"))
    e = refused(request("configmaps", {"metadata": {"name": "settings"}}, reader, namespace="team"))
    assert (e.code, e.message) == (
        403,
        'configmaps "settings" is forbidden: unable to create new content in '
        "namespace team because it is being terminated",
    )
    e = refused(request("deployments", {"metadata": {"name": "web"}}, reader, namespace="team"))
    assert e.message.startswith('deployments.apps "web" is forbidden: unable to create new content')
    validate(request("events", {"metadata": {"name": "web.1"}}, reader, namespace="team"))


def test_updates_deletes_and_cluster_scoped_creates_are_not_checked():
    reader = Reader(namespace("team", "Terminating"))
    validate(request("pods", pod(), reader, namespace="team", operation="UPDATE", old=pod()))
    validate(request("pods", None, reader, namespace="team", operation="DELETE", name="web"))
    validate(request("nodes", {"metadata": {"name": "node03"}}, Reader(), namespace=""))


@pytest.mark.parametrize("name", ["default", "kube-system", "kube-public"])
def test_the_system_namespaces_cannot_be_deleted(name):
    e = refused(request("namespaces", None, Reader(namespace(name)), operation="DELETE", namespace="", name=name))
    assert (e.code, e.message) == (403, f'namespaces "{name}" is forbidden: this namespace may not be deleted')


def test_another_namespace_can_be_deleted():
    validate(request("namespaces", None, Reader(namespace("team")), operation="DELETE", namespace="", name="team"))
