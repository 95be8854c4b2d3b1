"""The HTTP API itself, request by request: discovery, Tables, dry runs, collections, limits, media types,
initial-events watches, and ``ktui kubectl`` over HTTP printing what it prints in process."""

from __future__ import annotations

import http.client
import json
import ssl
from typing import Any

import pytest

from ktui.api.registry import REGISTRY
from ktui.server.certs import issue
from ktui.server.discovery import AGGREGATED_TYPE

from tests.server.conftest import Served


def request(
    served: Served,
    method: str,
    path: str,
    body: Any = None,
    *,
    accept: str = "application/json",
    content_type: str = "application/json",
    raw: bytes | None = None,
    user: str = "",
) -> tuple[int, dict[str, str], bytes]:
    """One request as ``kubernetes-admin`` (or as ``user``, with a certificate from the cluster's CA)."""
    ctx = ssl.create_default_context(cafile=str(served.pki.path("ca.crt")))
    if user:
        pair = issue(served.pki.ca, user)
        (served.home / f"{user}.crt").write_bytes(pair.cert_pem)
        (served.home / f"{user}.key").write_bytes(pair.key_pem)
        ctx.load_cert_chain(str(served.home / f"{user}.crt"), str(served.home / f"{user}.key"))
    else:
        ctx.load_cert_chain(str(served.pki.path("admin.crt")), str(served.pki.path("admin.key")))
    conn = http.client.HTTPSConnection("127.0.0.1", served.thread.server.port, context=ctx, timeout=20)
    try:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        conn.request(method, path, body=data, headers={"Accept": accept, "Content-Type": content_type})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def jrequest(served: Served, method: str, path: str, body: Any = None, **kw: Any) -> tuple[int, Any]:
    code, _, data = request(served, method, path, body, **kw)
    return code, json.loads(data)


def test_aggregated_and_legacy_discovery(served: Served) -> None:
    code, headers, data = request(served, "GET", "/apis", accept=f"{AGGREGATED_TYPE},application/json")
    assert code == 200 and headers["Content-Type"] == AGGREGATED_TYPE
    doc = json.loads(data)
    apps = next(i for i in doc["items"] if i["metadata"]["name"] == "apps")
    deploy = next(r for r in apps["versions"][0]["resources"] if r["resource"] == "deployments")
    assert deploy["scope"] == "Namespaced" and deploy["shortNames"] == ["deploy"]
    assert {
        "subresource": "scale",
        "responseKind": {"group": "autoscaling", "version": "v1", "kind": "Scale"},
        "verbs": ["get", "patch", "update"],
    } in deploy["subresources"]
    code, legacy = jrequest(served, "GET", "/apis")
    assert legacy["kind"] == "APIGroupList"
    # metrics.k8s.io only while a metrics-server runs (test_real_kubectl_commands: test_top_prints_what_ktui_prints)
    assert [g["name"] for g in legacy["groups"]] == [*dict.fromkeys(r.group for r in REGISTRY if r.group)]
    code, core = jrequest(served, "GET", "/api/v1")
    assert code == 200 and core["groupVersion"] == "v1"
    assert {
        "name": "pods/eviction",
        "singularName": "",
        "namespaced": True,
        "group": "policy",
        "version": "v1",
        "kind": "Eviction",
        "verbs": ["create"],
    } in core["resources"]
    assert jrequest(served, "GET", "/apis/apps/v9")[0] == 404
    assert request(served, "GET", "/readyz")[::2] == (200, b"ok")


def test_tables_with_objects(served: Served) -> None:
    accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
    code, table = jrequest(served, "GET", "/api/v1/nodes?includeObject=Object", accept=accept)
    assert code == 200 and table["kind"] == "Table"
    assert [(c["name"], c["priority"]) for c in table["columnDefinitions"]] == [
        ("Name", 0),
        ("Status", 0),
        ("Roles", 0),
        ("Age", 0),
        ("Version", 0),
        ("Internal-IP", 1),
        ("External-IP", 1),
        ("OS-Image", 1),
        ("Kernel-Version", 1),
        ("Container-Runtime", 1),
    ]
    code, pods = jrequest(served, "GET", "/api/v1/pods", accept=accept)
    assert [c["name"] for c in pods["columnDefinitions"]] == [
        "Name",
        "Ready",
        "Status",
        "Restarts",
        "Age",
        "IP",
        "Node",
        "Nominated Node",
        "Readiness Gates",
    ]
    assert table["rows"][0]["object"]["kind"] == "Node"
    code, table = jrequest(served, "GET", "/api/v1/nodes", accept=accept)
    assert table["rows"][0]["object"] == {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": table["rows"][0]["object"]["metadata"],
    }
    assert table["rows"][0]["cells"][0] == "controlplane"


def test_dry_run_deletecollection_and_errors(served: Served) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dry", "labels": {"set": "x"}}}
    code, out = jrequest(served, "POST", "/api/v1/namespaces/default/configmaps?dryRun=All", cm)
    assert code == 201 and out["metadata"]["name"] == "dry"
    assert jrequest(served, "GET", "/api/v1/namespaces/default/configmaps/dry")[0] == 404
    for name in ("c1", "c2"):
        assert (
            jrequest(
                served,
                "POST",
                "/api/v1/namespaces/default/configmaps",
                {**cm, "metadata": {"name": name, "labels": {"set": "x"}}},
            )[0]
            == 201
        )
    code, gone = jrequest(served, "DELETE", "/api/v1/namespaces/default/configmaps?labelSelector=set%3Dx")
    assert code == 200 and sorted(i["metadata"]["name"] for i in gone["items"]) == ["c1", "c2"]
    code, status = jrequest(served, "POST", "/api/v1/namespaces/default/configmaps", cm, raw=b"{not json")
    assert code == 400 and status["reason"] == "BadRequest"
    for raw, said in (
        (
            b'{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"inf"},"data":Infinity}',
            "invalid character 'I' looking for beginning of value",
        ),
        (
            b'{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"inf"},"data":NaN}',
            "invalid character 'N' looking for beginning of value",
        ),
    ):
        code, status = jrequest(served, "POST", "/api/v1/namespaces/default/configmaps", raw=raw)
        assert (code, status["reason"]) == (400, "BadRequest") and said in status["message"], status
    assert jrequest(served, "GET", "/api/v1/namespaces/default/configmaps/inf")[0] == 404
    code, status = jrequest(
        served, "PATCH", "/api/v1/namespaces/default/configmaps/c1", {}, content_type="application/apply-patch+yaml"
    )
    assert code == 415 and status["message"].startswith(
        "the body of the request was in an unknown format - accepted media types include: application/json-patch+json"
    )
    code, status = jrequest(
        served,
        "POST",
        "/api/v1/namespaces/default/configmaps",
        raw=b'{"data":{"a":"' + b"x" * (3 * 1024 * 1024) + b'"}}',
    )
    assert (code, status["reason"], status["message"]) == (
        413,
        "RequestEntityTooLarge",
        "Request entity too large: limit is 3145728",
    )
    code, status = jrequest(served, "GET", "/api/v1/namespaces/default/widgets")
    assert (code, status["message"]) == (404, "the server could not find the requested resource")


def test_watch_with_initial_events_ends_them_with_a_bookmark(served: Served) -> None:
    path = (
        "/api/v1/namespaces/kube-system/pods?watch=true&sendInitialEvents=true&allowWatchBookmarks=true"
        "&resourceVersionMatch=NotOlderThan&timeoutSeconds=1"
    )
    code, _, data = request(served, "GET", path)
    events = [json.loads(line) for line in data.splitlines()]
    listed = jrequest(served, "GET", "/api/v1/namespaces/kube-system/pods")[1]
    assert code == 200
    assert [e["object"]["metadata"]["name"] for e in events if e["type"] == "ADDED"] == [
        p["metadata"]["name"] for p in listed["items"]
    ]
    bookmark = next(e for e in events if e["type"] == "BOOKMARK")
    assert bookmark["object"]["metadata"] == {
        "resourceVersion": listed["metadata"]["resourceVersion"],
        "annotations": {"k8s.io/initial-events-end": "true"},
    }


KTUI_LINES = [
    "get pods -A",
    "get nodes -o wide",
    "describe node node01",
    "get pod nope",
    "get deploy -A -o yaml",
    "api-resources",
    "auth can-i delete nodes",
    "version",
]


@pytest.mark.parametrize("line", KTUI_LINES)
def test_ktui_kubectl_over_http_prints_what_it_prints_in_process(served: Served, line: str) -> None:
    code, out = jrequest(served, "POST", "/ktui/v1/kubectl", {"args": line.split()})
    assert code == 200
    assert (out["stdout"], out["stderr"], out["exitCode"]) == served.ktui(line)


def test_logs_over_http(served: Served) -> None:
    pod = served.ktui("get pods -n kube-system -l k8s-app=kube-dns -o name")[0].split()[0]
    assert served.kubectl("logs", "-n", "kube-system", pod, "--tail=3") == served.ktui(
        f"logs -n kube-system {pod} --tail=3"
    )


def test_the_clock_control_api(served: Served) -> None:
    now = served.call(lambda: served.cluster.now)
    assert jrequest(served, "GET", "/ktui/v1/clock")[1]["now"] == now
    code, clock = jrequest(served, "POST", "/ktui/v1/clock", {"advance": 30})
    assert (code, clock["now"], clock["speed"]) == (200, now + 30, 0)
    assert served.call(lambda: served.cluster.now) == now + 30
    code, status = jrequest(served, "POST", "/ktui/v1/clock", {"advance": -5})
    assert (code, status["message"]) == (400, "advance must be a number of at least 0")
    code, status = jrequest(served, "POST", "/ktui/v1/clock", {"speed": 2}, user="jane")
    assert (code, status["message"]) == (403, 'forbidden: User "jane" cannot post path "/ktui/v1/clock"')
    assert jrequest(served, "GET", "/ktui/v1/clock")[1]["speed"] == 0


def test_faults_through_the_control_api(served: Served) -> None:
    code, status = jrequest(served, "POST", "/ktui/v1/faults", {"kind": "meteor", "node": "node02"})
    assert (code, status["message"]) == (
        400,
        'unknown fault kind "meteor" (expected one of: ' + status["message"].split("(expected one of: ")[1],
    )
    code, status = jrequest(served, "POST", "/ktui/v1/faults", {"kind": "kubelet-stop", "node": "node02"}, user="jane")
    assert (code, status["message"]) == (403, 'forbidden: User "jane" cannot post path "/ktui/v1/faults"')
    code, out = jrequest(served, "POST", "/ktui/v1/faults", {"kind": "kubelet-stop", "node": "node02"})
    assert code == 201 and out["kind"] == "kubelet-stop"
    jrequest(served, "POST", "/ktui/v1/clock", {"advance": 45})
    nodes = served.kubectl("get", "nodes", "--no-headers")[0].splitlines()
    assert [line.split()[:2] for line in nodes] == [
        ["controlplane", "Ready"],
        ["node01", "Ready"],
        ["node02", "NotReady"],
    ]
    assert jrequest(served, "POST", "/ktui/v1/faults", {"kind": "kubelet-start", "node": "node02"})[0] == 201


def test_server_side_apply_is_refused_with_kube_apiservers_message(served: Served) -> None:
    (served.home / "ssa.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa}\ndata: {a: '1'}\n")
    assert served.kubectl("apply", "--server-side", "-f", str(served.home / "ssa.yaml")) == (
        "",
        (
            "error: Server-side apply not available on the server: (the body of the request was in an unknown format - "
            "accepted media types include: application/json-patch+json, application/merge-patch+json, "
            "application/strategic-merge-patch+json)\n"
        ),
        1,
    )
    assert served.ktui("get cm ssa")[2] == 1
