"""A manifest nested deeper than ktui can copy is refused with one line, for every command that reads files."""

import json

import pytest

from ktui import Cluster
from ktui.api.limits import MAX_DEPTH


@pytest.mark.parametrize(
    "command", ["apply -f {}", "create -f {}", "create --validate=false -f {}", "replace -f {}", "delete -f {}"]
)
def test_a_manifest_too_deep_is_one_line_and_changes_nothing(tmp_path, command):
    text = '{"x": 1}'
    for _ in range(1500):
        text = '{"a": ' + text + "}"
    path = tmp_path / "deep.json"
    path.write_text('{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "deep"}, "extra": ' + text + "}")
    c = Cluster.default(seed=0)
    before = c.api.list("configmaps", "default")["metadata"]["resourceVersion"]
    out, err, code = c.kubectl(command.format(path))
    assert (out, code) == ("", 1)
    assert err == (
        f"error: error parsing {path}: error converting YAML to JSON: json: exceeded max depth of {MAX_DEPTH}\n"
    )
    assert c.api.list("configmaps", "default")["metadata"]["resourceVersion"] == before


def test_a_manifest_just_within_the_limit_is_decoded_and_its_unknown_field_dropped(tmp_path):
    value: object = "v"
    for _ in range(MAX_DEPTH - 2):
        value = {"a": value}
    doc = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ok"}, "data": {"k": "v"}, "extra": value}
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(doc))
    c = Cluster.default(seed=0)
    assert c.kubectl(f"create --validate=false -f {path}") == ("configmap/ok created\n", "", 0)
    assert "extra" not in c.api.get("configmaps", "ok", "default")
