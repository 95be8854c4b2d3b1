"""ServiceAccount admission: pods run as ``default`` unless they name another account, which must exist."""

import pytest

from ktui.api.admission.service_account import ServiceAccountAdmission
from ktui.api.errors import ApiError

from tests.api.admission.conftest import Reader, pod, request


def account(name: str, namespace: str = "default") -> tuple[str, dict]:
    return (
        "serviceaccounts",
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": namespace}},
    )


def admitted(obj: dict, reader: Reader, **kw) -> dict:
    req = request("pods", obj, reader, **kw)
    plugin = ServiceAccountAdmission()
    plugin.admit(req)
    plugin.validate(req)
    return req.obj["spec"]


def test_a_pod_without_an_account_runs_as_default():
    spec = admitted(pod(), Reader(account("default")))
    assert (spec["serviceAccountName"], spec["serviceAccount"]) == ("default", "default")


def test_the_deprecated_service_account_field_names_the_account():
    spec = admitted(pod(serviceAccount="robot"), Reader(account("robot")))
    assert (spec["serviceAccountName"], spec["serviceAccount"]) == ("robot", "robot")


def test_a_missing_account_is_forbidden_with_the_real_message():
    with pytest.raises(ApiError) as e:
        admitted(pod(serviceAccountName="robot"), Reader(account("default"), account("robot", "other")))
    assert (e.value.code, e.value.message) == (
        403,
        'pods "web" is forbidden: error looking up service account default/robot: serviceaccount "robot" not found',
    )


def test_a_mirror_pod_is_not_checked():
    mirror = pod()
    mirror["metadata"]["annotations"] = {"kubernetes.io/config.mirror": "abc"}
    assert admitted(mirror, Reader())["serviceAccountName"] == "default"


def test_updates_are_left_alone():
    assert "serviceAccountName" not in admitted(pod(), Reader(), operation="UPDATE", old=pod())
