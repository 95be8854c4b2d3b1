"""pflag/cobra parsing: flag forms, repeated and list flags, ``--``, global flags anywhere, and the errors."""

from __future__ import annotations

import pytest

from ktui.kubectl import KubectlEnv, run_kubectl
from ktui.kubectl.flags import FlagError, flagset_for, help_text, parse_help_flags

from tests.kubectl.discovery_server import real_kubectl
from tests.kubectl.golden_cases import api_only_cluster


def parse(path: str, line: str):
    return flagset_for(path).parse(line.split())


def test_value_forms() -> None:
    a = parse("run", "nginx --image=nginx -n team -l a=b --restart Never")
    assert a.args == ["nginx"]
    assert (a["image"], a["namespace"], a["labels"], a["restart"]) == ("nginx", "team", "a=b", "Never")
    assert parse("run", "x -nteam")["namespace"] == "team"
    assert parse("run", "x -n=team")["namespace"] == "team"
    assert parse("run", "x --namespace=team").given("namespace")


def test_bools_lists_and_dash() -> None:
    a = parse("run", "x --image=busybox --command --env=A=1 --env B=2 -- sleep 1")
    assert a["command"] is True and a["env"] == ["A=1", "B=2"]
    assert a.args == ["x", "sleep", "1"] and a.dash_index == 1
    assert parse("label", "po x a=b --overwrite=false")["overwrite"] is False
    assert parse("create role", "r --verb=get,list --verb=watch")["verb"] == ["get", "list", "watch"]
    assert parse("create configmap", "c --from-literal=a=1,2")["from-literal"] == ["a=1,2"]
    assert parse("delete", "pod x --dry-run")["dry-run"] == "unchanged"
    assert parse("delete", "pod x --cascade")["cascade"] == "background"
    assert parse("delete", "pod x --grace-period=5")["grace-period"] == 5


def test_flag_errors() -> None:
    with pytest.raises(FlagError, match="unknown flag: --foo"):
        parse("run", "x --foo")
    with pytest.raises(FlagError, match="flag needs an argument: 'n' in -n"):
        parse("run", "x -n")


def test_flags_come_from_the_help_text() -> None:
    names = {f.name for f in parse_help_flags(help_text("create deployment"))}
    assert {"image", "replicas", "port", "dry-run", "output", "save-config"} <= names
    assert {f.name for f in parse_help_flags(help_text("options"))} >= {"namespace", "as", "as-group", "kubeconfig"}


@pytest.mark.parametrize(
    "line",
    [
        "run x --foo",
        "run x --image",
        "run x -n",
        "run x -z",
        "label po x --overwrite=maybe a=b",
        "create deployment x",
        "create deployment",
        "create",
        "create foo",
        "create -f",
        "create namespace",
        "create deployment x y --image=a --dry-run=client",
        "foo",
        "crate",
        "create service foo",
        "run",
        "run x --image=a --dry-run=foo",
        "delete pod x --grace-period=abc",
        "create secret",
        "create deployment x --image=a --dry-run=client -n",
        "version --client",
        "-n kube-system create deployment g --image=nginx --dry-run=client",
        "create --namespace=x deployment g --image=nginx --dry-run=client -o name",
        "create deploy g --image=nginx --dry-run=client",
        "create svc clusterip s --tcp=80 --dry-run=client",
        "run --help",
        "create service clusterip -h",
        "apply --help",
    ],
)
def test_errors_and_help_match_the_real_kubectl(line: str) -> None:
    got = run_kubectl(KubectlEnv.for_cluster(api_only_cluster()), line)
    stdout, stderr, code = real_kubectl(line.split())
    assert (got.stdout, got.stderr, got.exit_code) == (stdout, stderr, code)


def test_kubectl_word_and_string_argv() -> None:
    env = KubectlEnv.for_cluster(api_only_cluster())
    assert run_kubectl(env, "kubectl version --client").stdout.startswith("Client Version: v1.37.1\n")
    assert run_kubectl(env, ["kubectl", "create", "namespace", "a b", "--dry-run=client"]).stdout == (
        "namespace/a b created (dry run)\n"
    )
