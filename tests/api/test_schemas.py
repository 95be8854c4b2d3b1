"""The v1.37 schemas load from the kubernetes-validate wheel and map kinds to their types."""

from ktui.api.registry import REGISTRY
from ktui.api.schemas import definition, definition_for_kind, ref_name


def test_every_registered_kind_has_a_v1_37_schema():
    missing = [(r.api_version, r.kind) for r in REGISTRY if definition_for_kind(r.api_version, r.kind) is None]
    assert missing == []


def test_pod_schema_types_its_fields():
    pod = definition(definition_for_kind("v1", "Pod"))
    spec = definition(ref_name(pod["properties"]["spec"]["$ref"]))
    assert spec["properties"]["containers"]["type"] == "array"
    port = definition("io.k8s.api.core.v1.ContainerPort")
    assert port["properties"]["containerPort"]["format"] == "int32"
    assert port["required"] == ["containerPort"]
