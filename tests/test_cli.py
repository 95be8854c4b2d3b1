"""The ktui command as a user runs it: the local cluster kept between kubectl invocations."""

import os
import subprocess
import sys

import pytest

from ktui.local import LocalCluster


def ktui(home, *args, stdin=None):
    env = dict(os.environ, KTUI_HOME=str(home))
    return subprocess.run(
        [sys.executable, "-m", "ktui.cli", *args], env=env, capture_output=True, text=True, input=stdin, timeout=300
    )


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


def test_a_bug_in_any_shell_is_one_line_and_a_log_never_a_traceback(tmp_path, monkeypatch, capsys):
    import ktui.cli as cli

    def boom(args):
        raise KeyError("no such thing")

    monkeypatch.setenv("KTUI_HOME", str(tmp_path))
    monkeypatch.setattr(cli, "_cluster", boom)
    assert cli.main(["cluster", "info"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    (line,) = err.splitlines()
    assert line.startswith(
        f"ktui: this is a bug in ktui (KeyError: 'no such thing'); the traceback is in {tmp_path}/logs/crash-"
    )
    log = line.rsplit(" ", 1)[1]
    assert "Traceback" in open(log).read() and "ktui cluster info" in open(log).read()


def test_a_bug_in_a_scenario_run_is_exit_3_and_one_line(tmp_path, monkeypatch):
    import io

    import ktui.scenario.cli as scli

    monkeypatch.setenv("KTUI_HOME", str(tmp_path))
    monkeypatch.setattr(scli, "_list", lambda lang, out: 1 / 0)
    out, err = io.StringIO(), io.StringIO()
    assert scli.scenario_main(["list"], stdout=out, stderr=err) == 3
    (line,) = err.getvalue().splitlines()
    assert line.startswith(
        "ktui scenario: internal error: this is a bug in ktui (ZeroDivisionError: division by "
        "zero); the traceback is in "
    )


def test_kubectl_errors_through_the_ktui_command(tmp_path):
    """The shell prints kubectl's words for input that used to raise (a missing env file, an open quote is bash's)."""
    r = ktui(tmp_path, "kubectl", "create", "configmap", "c", "--from-env-file=/nonexistent")
    assert (r.returncode, r.stdout, r.stderr) == (
        1,
        "",
        "error: error reading /nonexistent: no such file or directory\n",
    )
    r = ktui(tmp_path, "kubectl", "wait", "pod/x", "--for=delete", "--timeout=1d")
    assert r.returncode == 1 and r.stderr == (
        'error: invalid argument "1d" for "--timeout" flag: time: unknown unit '
        '"d" in duration "1d"\nSee \'kubectl wait --help\' for usage.\n'
    )
