"""Printers: YAML and JSON byte for byte as kubectl writes them, ``-o name``, JSONPath, custom columns."""

from __future__ import annotations

import pytest

from ktui.kubectl import KubectlEnv, run_kubectl
from ktui.kubectl.printers import (
    OutputError,
    custom_columns,
    go_key_less,
    jsonpath_print,
    resource_name,
    tabwrite,
    to_json,
    to_yaml,
)

from tests.kubectl.discovery_server import real_kubectl
from tests.kubectl.golden_cases import api_only_cluster

TRICKY = {
    "long": "this is a very long string that goes on and on and on and on and on and on and on and on and on",
    "yes": "yes",
    "y": "y",
    "n": "N",
    "on": "off",
    "empty": "",
    "star": "*x",
    "multi": "l1\nl2",
    "multi_nl": "l1\nl2\n",
    "colon": "a: b",
    "html": "<&>",
    "num": "1",
    "float": "1.5",
    "exp": "1e3",
    "octal": "0777",
    "hex": "0x1F",
    "date": "2024-01-02",
    "ts": "2024-01-02T03:04:05Z",
    "null": "null",
    "tilde": "~",
    "hash": "# not a comment",
    "dash": "- x",
    "quote": "'q'",
    "dq": '"dq"',
    "pct": "50%",
    "sp": " lead",
    "trail": "trail ",
    "unicode": "héllo ✓",
    "base60": "1:20",
    "tab": "a\tb",
    "a10": "x",
    "a9": "x",
    "A_b": "x",
    "a-b": "x",
    "a.b": "x",
    "Zed": "x",
    "_u": "x",
}


def test_yaml_and_json_match_the_real_kubectl() -> None:
    args = ["create", "configmap", "tricky", "--dry-run=client"] + [
        f"--from-literal={k}={v}" for k, v in TRICKY.items()
    ]
    env = KubectlEnv.for_cluster(api_only_cluster())
    for output in ("yaml", "json"):
        want = real_kubectl(args + ["-o", output])
        got = run_kubectl(env, args + ["-o", output])
        assert (got.stdout, got.stderr, got.exit_code) == want


def test_yaml_of_a_server_object_sorts_and_quotes_like_go_yaml() -> None:
    obj = {
        "metadata": {
            "creationTimestamp": "2026-01-01T00:00:00Z",
            "resourceVersion": "54",
            "name": "x",
            "labels": {"b": "1", "a": "true"},
        },
        "spec": {"replicas": 2, "list": [], "map": {}, "flag": False, "none": None, "half": 0.5},
    }
    assert to_yaml(obj) == (
        'metadata:\n  creationTimestamp: "2026-01-01T00:00:00Z"\n  labels:\n    a: "true"\n    b: "1"\n'
        '  name: x\n  resourceVersion: "54"\nspec:\n  flag: false\n  half: 0.5\n  list: []\n  map: {}\n'
        "  none: null\n  replicas: 2\n"
    )


def test_go_yaml_key_order() -> None:
    assert go_key_less("a9", "a10") and not go_key_less("a10", "a9")
    assert go_key_less("a-b", "aa")  # a non-letter sorts before a letter
    assert go_key_less("_u", "Zed")
    assert go_key_less("app", "app.kubernetes.io/name")


def test_json_is_go_json() -> None:
    assert to_json({"b": "<&>", "a": [1, {}], "c": []}) == (
        '{\n    "a": [\n        1,\n        {}\n    ],\n    "b": "\\u003c\\u0026\\u003e",\n    "c": []\n}'
    )
    assert to_json({"b": 1, "a": 2}, sort=False, indent=None) == '{"b":1,"a":2}'


def test_resource_name() -> None:
    assert resource_name({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}}) == (
        "deployment.apps/x"
    )
    assert resource_name({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}) == "pod/p"


POD_LIST = {
    "kind": "List",
    "items": [
        {
            "metadata": {"name": "a", "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "c1", "image": "nginx"}, {"name": "c2", "image": "redis"}]},
            "status": {"conditions": [{"type": "Ready", "status": "True"}, {"type": "Initialized", "status": "True"}]},
        },
        {
            "metadata": {"name": "b"},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]},
            "status": {"conditions": [{"type": "Ready", "status": "False"}]},
        },
    ],
}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{.items[0].metadata.name}", "a"),
        ("{.items[*].metadata.name}", "a b"),
        (
            '{range .items[*]}{.metadata.name}{"\\t"}{.spec.containers[*].image}{"\\n"}{end}',
            "a\tnginx redis\nb\tbusybox\n",
        ),
        ('{.items[?(@.metadata.name=="b")].spec.containers[0].image}', "busybox"),
        ('{.items[0].status.conditions[?(@.type=="Ready")].status}', "True"),
        ("{.items[-1:].metadata.name}", "b"),
        ("{.items[0].metadata.labels}", '{"app":"web"}'),
        ("{.items[0].metadata.missing}", ""),
        ("name: {.items[1].metadata.name}", "name: b"),
        ("{..image}", "nginx redis busybox"),
        ("{.items[0].spec.containers[1]['name']}", "c2"),
    ],
)
def test_jsonpath(template: str, expected: str) -> None:
    assert jsonpath_print(template, POD_LIST) == expected


def test_jsonpath_errors() -> None:
    with pytest.raises(OutputError):
        jsonpath_print("{.items[0", POD_LIST)


def test_custom_columns_and_tabwriter() -> None:
    out = custom_columns(
        "NAME:.metadata.name,IMAGES:.spec.containers[*].image,APP:.metadata.labels.app", POD_LIST["items"]
    )
    assert out == "NAME   IMAGES        APP\na      nginx,redis   web\nb      busybox       <none>\n"
    assert tabwrite([["A", "LONGER", ""], ["xyzxyzxyz", "b", ""]]) == "A           LONGER   \nxyzxyzxyz   b        \n"


def test_output_flag_on_a_write_command() -> None:
    env = KubectlEnv.for_cluster(api_only_cluster())
    r = run_kubectl(
        env, "create deployment x --image=nginx --dry-run=client -o jsonpath={.spec.template.spec.containers[0].name}"
    )
    assert r.stdout == "nginx"
    bad = run_kubectl(env, "create deployment x --image=a -o foo")
    assert bad.stderr == real_kubectl(["create", "deployment", "x", "--image=a", "-o", "foo"])[1]
    assert bad.exit_code == 1
