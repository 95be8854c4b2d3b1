"""Random kubectl argument lists: whatever comes in, run_kubectl answers as kubectl would, never with a crash.

Every command ktui implements is tried with flags from its own flag set (well-formed and malformed values),
stray words, resource names and files that exist, do not, or hold odd bytes. The property: no unexpected
exception (the last guard's "bug in ktui" line never appears), and every failure says something on stderr
with a non-zero exit code.
"""

from __future__ import annotations

import shlex

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ktui.kubectl import KubectlEnv, run_kubectl
from ktui.kubectl.flags import flagset_for
from ktui.kubectl.main import COMMANDS, load_commands

from tests.kubectl.golden_cases import api_only_cluster, seed_cluster

load_commands()
SKIP = {"edit", "exec"}
"""Commands that start an editor or need a running container: not for random input."""
PATHS = sorted({c.path for c in COMMANDS.values() if c.path.split()[0] not in SKIP})
WORDS = [
    "pods",
    "pod/nginx",
    "nginx",
    "redis",
    "deployment",
    "deploy/web",
    "svc",
    "service/redis-svc",
    "nodes",
    "node/node01",
    "node01",
    "a=b",
    "a-",
    "k:NoExecute",
    "k=v:NoSchedule",
    "-",
    "--",
    "''",
    "x" * 300,
    "ns",
    "configmaps",
    "foo.bar/baz",
    "\u00e9",
    "[",
    "{",
    "*",
    "%",
    "\\",
    "1e99",
    "-1",
    "0",
    "99999h",
]
VALUES = [
    "",
    "x",
    "0",
    "-1",
    "1d",
    "-1s",
    "99999h",
    "nan",
    "inf",
    "1e9999",
    "a=b",
    "a=b,c",
    "=",
    ",",
    "::",
    "/",
    "yaml",
    "json",
    "wide",
    "name",
    "jsonpath={.x}",
    "jsonpath={",
    "custom-columns=A:.a",
    "strict",
    "false",
    "client",
    "server",
    "none",
    "2",
    "80:8080",
    "nginx",
    "http://[::1",
    "/dev/null",
    "/nonexistent",
    "FILE:list",
    "FILE:bomb",
    "FILE:binary",
    "FILE:dir",
    "FILE:zero",
    "\x00",
    "\u2028",
    "'",
    '"',
    "$",
]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    files = tmp_path_factory.mktemp("fuzz")
    (files / "list.json").write_text('{"kind":"List","apiVersion":"v1","items":[5]}\n')
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: bomb", "data:", '  a: &a ["l","l","l","l"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"  {name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    (files / "bomb.yaml").write_text("\n".join(lines) + "\n")
    (files / "binary.dat").write_bytes(bytes(range(256)))
    (files / "dir").mkdir()
    (files / "dir" / "b.bin").write_bytes(b"\x80\xff")
    cluster = api_only_cluster(seed=3)
    seed_cluster(cluster)
    e = KubectlEnv.for_cluster(cluster)
    e.cwd = str(files)
    return e


def _value(raw: str) -> str:
    if raw.startswith("FILE:"):
        name = raw[5:]
        return {
            "list": "list.json",
            "bomb": "bomb.yaml",
            "binary": "binary.dat",
            "dir": "dir",
            "zero": "/dev/zero" if name == "zero" else name,
        }[name]
    return raw


@st.composite
def command_lines(draw) -> list[str]:
    path = draw(st.sampled_from(PATHS))
    cmd = COMMANDS[path]
    flags = sorted(flagset_for(cmd.path, cmd.flags).by_name.values(), key=lambda f: f.name)
    argv = path.split()
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.integers(0, 2))
        if kind == 0:
            argv.append(draw(st.sampled_from(WORDS) | st.text(max_size=12)))
        else:
            f = draw(st.sampled_from(flags))
            if f.name in ("kubeconfig", "help", "watch", "follow", "watch-only") and kind == 1:
                continue
            value = _value(draw(st.sampled_from(VALUES) | st.text(max_size=8)))
            if f.kind == "bool" and draw(st.booleans()):
                argv.append(f"--{f.name}")
            elif f.short and draw(st.booleans()):
                argv += [f"-{f.short}", value]
            else:
                argv.append(f"--{f.name}={value}")
    if path in ("apply", "create", "delete", "replace") and draw(st.booleans()):
        argv += [
            "-f",
            _value(draw(st.sampled_from(["FILE:list", "FILE:bomb", "FILE:binary", "FILE:dir", "/nonexistent"]))),
        ]
    return argv


def _check(result) -> None:
    assert "this is a bug in ktui" not in result.stderr, result.stderr
    if result.exit_code != 0:
        assert result.stderr.strip() or result.stdout.strip()


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(argv=command_lines())
def test_random_argument_lists_never_crash(env, argv):
    _check(run_kubectl(env, argv))


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=st.text(alphabet=st.sampled_from(list("getpods -'\"\\$|&;#=x:/[]{}\t")), max_size=40))
def test_random_command_lines_never_crash(env, line):
    """A line typed in the UI or a scenario (split as bash would): quotes left open are bash's error."""
    result = run_kubectl(env, line)
    _check(result)
    try:
        shlex.split(line)
    except ValueError:
        if not line.rstrip().endswith("\\") or "'" in line or '"' in line:
            assert result.exit_code in (1, 2)


TEMPLATES = [
    "get pods",
    "get pods -o wide",
    "get deploy web -o yaml",
    "get svc -A",
    "describe pod nginx",
    "describe deploy web",
    "create deployment d --image=nginx",
    "create configmap c --from-literal=a=b",
    "create secret generic s",
    "create secret tls t --cert=c --key=k",
    "create secret docker-registry r --docker-username=u",
    "create quota q --hard=cpu=1",
    "create role r --verb=get --resource=pods",
    "create clusterrole c --verb=get",
    "create service clusterip s --tcp=80:80",
    "create job j --image=busybox",
    "create cronjob cj --image=x",
    "create ingress i --rule=a/b=s:80",
    "create pdb p --selector=a=b",
    "create priorityclass p --value=1",
    "create namespace n",
    "create serviceaccount sa",
    "run r --image=nginx",
    "expose pod nginx --port=80",
    "expose deploy web --port=80",
    "label pod nginx a=b",
    "annotate pod nginx a=b",
    "scale deploy web --replicas=2",
    "taint node node01 a=b:NoSchedule",
    "cordon node01",
    "drain node01 --ignore-daemonsets --force --timeout=5s",
    "delete pod nginx",
    "logs nginx",
    "rollout status deploy/web",
    "rollout history deploy/web",
    "rollout undo deploy/web",
    "set image deploy/web c=x",
    "patch pod nginx -p {}",
    "wait pod/nginx --for=condition=Ready",
    "top pod",
    "auth can-i get pods",
    "api-resources",
    "explain pods",
    "version",
    "cluster-info",
]


@st.composite
def mutated_lines(draw) -> list[str]:
    argv = draw(st.sampled_from(TEMPLATES)).split()
    path = next(" ".join(argv[:n]) for n in (3, 2, 1) if " ".join(argv[:n]) in COMMANDS)
    cmd = COMMANDS[path]
    flags = sorted(flagset_for(cmd.path, cmd.flags).by_name.values(), key=lambda f: f.name)
    for _ in range(draw(st.integers(1, 3))):
        choice = draw(st.integers(0, 3))
        if choice == 0 and len(argv) > 1:
            i = draw(st.integers(1, len(argv) - 1))
            argv[i] = draw(st.sampled_from(WORDS) | st.text(max_size=10))
        elif choice == 1:
            argv.append(draw(st.sampled_from(WORDS)))
        else:
            f = draw(st.sampled_from(flags))
            if f.name in ("kubeconfig", "help", "edit"):
                continue
            argv.append(f"--{f.name}={_value(draw(st.sampled_from(VALUES) | st.text(max_size=8)))}")
    return argv


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(argv=mutated_lines())
def test_mutated_everyday_commands_never_crash(env, argv):
    _check(run_kubectl(env, argv))
