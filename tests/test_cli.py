"""The ktui command as a user runs it: the local cluster kept between kubectl invocations."""

import os
import subprocess
import sys

import pytest

from ktui.local import LocalCluster


def ktui(home, *args, stdin=None):
    env = dict(os.environ, KTUI_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "ktui.cli", *args], env=env, capture_output=True, text=True,
                          input=stdin, timeout=300)


def test_kubectl_works_on_the_local_cluster_between_commands(tmp_path):
    r = ktui(tmp_path, "kubectl", "run", "nginx", "--image=nginx")
    assert (r.returncode, r.stdout, r.stderr) == (0, "pod/nginx created\n", "")
    r = ktui(tmp_path, "cluster", "advance", "30s")
    assert r.returncode == 0 and "advanced 30s" in r.stdout
    r = ktui(tmp_path, "kubectl", "get", "pods")
    assert r.returncode == 0
    header, row = r.stdout.splitlines()
    assert header.split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert row.split()[:4] == ["nginx", "1/1", "Running", "0"]
    r = ktui(tmp_path, "kubectl", "get", "pods", "nope")
    assert (r.returncode, r.stderr) == (1, 'Error from server (NotFound): pods "nope" not found\n')


def test_reset_starts_afresh_with_a_seed(tmp_path):
    ktui(tmp_path, "kubectl", "create", "namespace", "dev")
    r = ktui(tmp_path, "cluster", "reset", "--seed", "7")
    assert r.returncode == 0 and "seed 7" in r.stdout
    r = ktui(tmp_path, "kubectl", "get", "namespace", "dev")
    assert r.returncode == 1 and 'namespaces "dev" not found' in r.stderr


def test_a_second_process_is_told_the_cluster_is_busy(tmp_path):
    holder = LocalCluster(tmp_path)
    holder.lock()
    try:
        r = ktui(tmp_path, "kubectl", "get", "nodes")
        assert r.returncode == 1
        assert "is in use by ktui (pid" in r.stderr and "Traceback" not in r.stderr
    finally:
        holder.unlock()


def test_bad_duration_and_bad_spec_are_clear_errors(tmp_path):
    r = ktui(tmp_path, "cluster", "advance", "5x")
    assert r.returncode == 1 and r.stderr == 'ktui: time: invalid duration "5x"\n'
    spec = tmp_path / "spec.yaml"
    spec.write_text("nodes:\n  - role: worker\n")
    r = ktui(tmp_path, "cluster", "reset", "--spec", str(spec))
    assert r.returncode == 1 and r.stderr == "ktui: cluster spec: nodes[0].name is required\n"


@pytest.mark.parametrize("args", [["--help"], ["help"]])
def test_help(tmp_path, args):
    r = ktui(tmp_path, *args)
    assert r.returncode == 0 and "ktui kubectl ARGS..." in r.stdout
