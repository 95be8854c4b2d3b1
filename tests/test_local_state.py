"""The local cluster's state files as a user meets them: broken files, wrong versions, bad directories.

Each case runs the ``ktui`` command (``ktui.cli.main``) and asserts what it prints and its exit code: a message
saying what is wrong and how to recover, never a traceback, and nothing changed on disk by the failure.
"""

import json
import os
import subprocess
import sys

import pytest

from ktui.cli import main
from ktui.local import LocalCluster


@pytest.fixture(scope="module")
def good_state(tmp_path_factory):
    """Bytes of a saved local cluster (configmap ``keep``) and of the one saved before it (no configmap)."""
    home = tmp_path_factory.mktemp("good")
    with LocalCluster(home, catch_up=False) as local:
        local.cluster.kubectl("create namespace dev")
    with LocalCluster(home, catch_up=False) as local:
        local.cluster.kubectl("create configmap keep --from-literal=a=b")
    return (home / "cluster.json").read_bytes(), (home / "cluster.json.bak").read_bytes()


@pytest.fixture
def home(tmp_path, monkeypatch):
    h = tmp_path / "ktui"
    h.mkdir()
    monkeypatch.setenv("KTUI_HOME", str(h))
    return h


def ktui(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def doc(good_state):
    return json.loads(good_state[0])


BROKEN = {
    "empty": (b"", "it is empty"),
    "blank": (b" \n\n", "it is empty"),
    "binary": (b"\x80\x81\xfe\xff garbage", "it is not UTF-8 text (byte 0)"),
    "not json": (
        b"hello, world",
        "it is not valid JSON (line 1 column 1: Expecting value); it may have been cut short",
    ),
    "a json list": (b"[1, 2, 3]", "it is not a ktui cluster state"),
    "the old metadata file": (
        b'{"saved_at": 1.0, "now": 3.0, "seed": 0, "name": "kubernetes"}',
        "it is not a ktui cluster state",
    ),
    "deeply nested": (b"[" * 100_000 + b"]" * 100_000, "it is nested too deeply"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_state_says_what_is_wrong_and_how_to_start_afresh(home, capsys, case):
    data, what = BROKEN[case]
    (home / "cluster.json").write_bytes(data)
    code, out, err = ktui(capsys, "kubectl", "get", "pods")
    assert (code, out) == (1, "")
    assert err == (
        f"ktui: the local cluster's state {home}/cluster.json cannot be loaded: {what}.\n"
        "To start afresh: ktui cluster reset (the unreadable file is kept as cluster.json.broken)\n"
    )
    assert (home / "cluster.json").read_bytes() == data  # a failed command changes nothing


def test_a_truncated_state_points_to_the_backup_and_restore_brings_it_back(home, capsys, good_state):
    state, backup = good_state
    (home / "cluster.json").write_bytes(state[: len(state) // 2])
    (home / "cluster.json.bak").write_bytes(state)
    code, _, err = ktui(capsys, "cluster", "info")
    assert code == 1
    first, second, third = err.splitlines()
    assert first.startswith(
        f"ktui: the local cluster's state {home}/cluster.json cannot be loaded: it is not valid JSON (line "
    )
    assert first.endswith("; it may have been cut short.")
    assert second.startswith("To go back to the last good state (saved 20") and second.endswith(
        " UTC): ktui cluster restore-backup"
    )
    assert third == "To start afresh: ktui cluster reset (the unreadable file is kept as cluster.json.broken)"

    code, out, err = ktui(capsys, "cluster", "restore-backup")
    assert (code, err) == (0, "")
    assert out.startswith("local cluster 'kubernetes' restored from its backup; simulated time is ")
    assert (home / "cluster.json.broken").read_bytes() == state[: len(state) // 2]
    code, out, _ = ktui(capsys, "kubectl", "get", "configmap", "keep", "-o", "jsonpath={.data.a}")
    assert (code, out) == (0, "b")


def test_reset_on_a_broken_state_keeps_it_and_the_backup(home, capsys, good_state):
    state, backup = good_state
    (home / "cluster.json").write_bytes(b"{oops")
    (home / "cluster.json.bak").write_bytes(backup)
    code, out, _ = ktui(capsys, "cluster", "reset", "--seed", "3")
    assert code == 0 and "seed 3" in out
    assert (home / "cluster.json.broken").read_bytes() == b"{oops"
    assert (home / "cluster.json.bak").read_bytes() == backup
    assert json.loads((home / "cluster.json").read_bytes())["seed"] == 3


def test_reset_on_a_good_state_makes_it_the_backup(home, capsys, good_state):
    (home / "cluster.json").write_bytes(good_state[0])
    assert ktui(capsys, "cluster", "reset")[0] == 0
    assert (home / "cluster.json.bak").read_bytes() == good_state[0]
    assert ktui(capsys, "cluster", "restore-backup")[0] == 0  # undoes the reset
    assert ktui(capsys, "kubectl", "get", "configmap", "keep")[0] == 0


def test_each_save_keeps_the_state_before_it_as_the_backup(home, capsys):
    assert ktui(capsys, "kubectl", "create", "configmap", "one")[0] == 0
    assert ktui(capsys, "kubectl", "create", "configmap", "two")[0] == 0
    backup = json.loads((home / "cluster.json.bak").read_bytes())
    state = json.loads((home / "cluster.json").read_bytes())
    assert len(state["inputs"]) == len(backup["inputs"]) + 1
    assert not [p.name for p in home.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    "field, value, what, how",
    [
        ("format", 99, "it has state format 99, written by ktui 0.3.1; this ktui 0.3.1 reads format 1", "version"),
        (
            "ktui",
            "0.0.9",
            "it was written by ktui 0.0.9; this is ktui 0.3.1, whose simulation may replay it differently",
            "version",
        ),
        ("now", "soon", "its time is not a time: 'soon'", "corrupt"),
        ("steps", -1, "its step count is not a count: -1", "corrupt"),
        ("spec", None, "it has no cluster spec", "corrupt"),
        ("inputs", {}, "it has no list of inputs", "corrupt"),
        ("inputs", [5], "an input is not a [steps, now, kind, payload] list", "corrupt"),
        ("inputs", [[0, 0.0, "fork", {}]], "its inputs do not replay: the world is past step 0 at t=0.0", "corrupt"),
        ("steps", 10**9, "its inputs do not replay: the world reaches only step", "corrupt"),
        (
            "spec",
            {"nodes": [{"role": "worker"}]},
            "its cluster spec is invalid: cluster spec: nodes[0].name is required",
            "corrupt",
        ),
        ("snapshot", {"now": 0}, "its snapshot is not a snapshot", "corrupt"),
        (
            "snapshot",
            {"now": 0, "steps": 0, "inputs": 0, "world": {"$id": 0, "$new": [{"$g": "os:system"}, ["id"]]}},
            "its snapshot cannot be loaded: os:system may not be loaded",
            "corrupt",
        ),
        (
            "snapshot",
            {"now": 0, "steps": 0, "inputs": 7, "world": None},
            "its snapshot follows 7 inputs of 2",
            "corrupt",
        ),
        ("seed-in-spec", 4, "its snapshot is of another cluster than its spec", "corrupt"),
    ],
)
def test_a_state_that_is_not_this_ktuis_is_refused_with_what_to_do(home, capsys, good_state, field, value, what, how):
    d = doc(good_state)
    if field == "seed-in-spec":
        d["spec"]["seed"] = value
    else:
        d[field] = value
    if field == "inputs":
        d["snapshot"] = None  # every input is replayed from the spec
    (home / "cluster.json").write_text(json.dumps(d))
    code, out, err = ktui(capsys, "cluster", "info")
    assert (code, out) == (1, "")
    head, tail = err.splitlines()[0], err.splitlines()[-1]
    assert head.startswith(f"ktui: the local cluster's state {home}/cluster.json cannot be loaded: {what}")
    if how == "version":
        assert (
            tail == "To start afresh with this ktui: ktui cluster reset (the old state is kept as cluster.json.broken)"
        )
    else:
        assert tail == "To start afresh: ktui cluster reset (the unreadable file is kept as cluster.json.broken)"


@pytest.mark.parametrize(
    "kind, payload, what",
    [
        ("api", {"verb": "__class__", "args": [], "kwargs": {}}, "not a recorded API verb: '__class__'"),
        ("api", {"verb": "get", "args": ["pods", "x"], "kwargs": {}}, "not a recorded API verb: 'get'"),
        ("shell", {"argv": ["rm", "-rf", "/"]}, "unknown input kind 'shell'"),
    ],
)
def test_a_recorded_input_can_only_be_a_write_exec_or_fault(home, capsys, good_state, kind, payload, what):
    d = doc(good_state)
    d["snapshot"] = None
    user = {"name": "kubernetes-admin", "groups": ["system:masters"], "uid": "", "extra": {}}
    d["inputs"].append([d["steps"], d["now"], kind, {"user": user, **payload}])
    (home / "cluster.json").write_text(json.dumps(d))
    code, _, err = ktui(capsys, "cluster", "info")
    assert code == 1 and f"cannot be loaded: its inputs do not replay: {what}.\n" in err


def test_an_old_pickle_state_is_not_loaded(home, capsys):
    (home / "cluster.pickle").write_bytes(b"\x80\x05K\x01.")
    (home / "cluster.json").write_text('{"saved_at": 1.0, "now": 3.0, "seed": 0, "name": "kubernetes"}')
    code, _, err = ktui(capsys, "kubectl", "get", "nodes")
    assert code == 1
    assert err.splitlines() == [
        f"ktui: the local cluster's state {home}/cluster.json cannot be loaded: the local cluster was saved by an "
        "older ktui in the pickle format, which this ktui does not load (loading a pickle can run any code).",
        "To start afresh with this ktui: ktui cluster reset (the old state is kept as cluster.json.broken)",
    ]
    (home / "cluster.json").unlink()
    code, _, err = ktui(capsys, "kubectl", "get", "nodes")
    assert code == 1 and err.startswith(
        f"ktui: the local cluster's state {home}/cluster.pickle cannot be loaded: "
        "it is in the pickle format of an older ktui"
    )


def test_a_state_that_is_a_directory(home, capsys):
    (home / "cluster.json").mkdir()
    code, _, err = ktui(capsys, "kubectl", "get", "nodes")
    assert (code, err) == (
        1,
        f"ktui: the local cluster's state {home}/cluster.json cannot be loaded: it is a "
        f"directory, not a file.\nMove it away (mv {home}/cluster.json {home}/cluster.json.dir) "
        "and try again\n",
    )


def test_a_lock_file_that_is_a_directory(home, capsys):
    (home / "lock").mkdir()
    code, _, err = ktui(capsys, "cluster", "advance", "5s")
    assert (code, err) == (
        1,
        f"ktui: the lock file {home}/lock is a directory; remove it (rmdir {home}/lock) and try again\n",
    )


def test_a_home_that_is_a_file(tmp_path, monkeypatch, capsys):
    f = tmp_path / "ktui"
    f.write_text("not a directory")
    monkeypatch.setenv("KTUI_HOME", str(f))
    for args in (["kubectl", "get", "pods"], ["cluster", "reset"], ["cluster", "restore-backup"]):
        code, _, err = ktui(capsys, *args)
        assert (code, err) == (
            1,
            f"ktui: {f} is a file, not a directory, so the local cluster cannot be kept there; "
            "move that file away, or set KTUI_HOME to a directory\n",
        )
    assert f.read_text() == "not a directory"


def test_restore_backup_without_a_usable_backup(home, capsys):
    code, _, err = ktui(capsys, "cluster", "restore-backup")
    assert (code, err) == (
        1,
        f"ktui: there is no backup of the local cluster in {home}; start afresh with: ktui cluster reset\n",
    )
    (home / "cluster.json.bak").write_bytes(b"")
    code, _, err = ktui(capsys, "cluster", "restore-backup")
    assert (code, err) == (
        1,
        f"ktui: the backup {home}/cluster.json.bak cannot be loaded either: it is empty.\n"
        "To start afresh: ktui cluster reset\n",
    )


def test_advance_is_bounded_per_command(home, capsys):
    for arg, message in (
        ("99999h", "cannot advance by 99999h: at most 24h0m0s (24 hours) per command"),
        ("24h0m1s", "cannot advance by 24h0m1s: at most 24h0m0s (24 hours) per command"),
        ("x", 'time: invalid duration "x"'),
        ("nan", 'time: invalid duration "nan"'),
        ("1e12", 'time: invalid duration "1e12"'),
        ("99999999999999999999h", 'time: invalid duration "99999999999999999999h"'),
    ):
        code, out, err = ktui(capsys, "cluster", "advance", arg)
        assert (code, out, err) == (1, "", f"ktui: {message}\n")
    assert not (home / "cluster.json").exists()  # refused before the cluster was opened


# ------------------------------------------------------------------ permissions (a real process, no root powers)


def _unprivileged(args, home):
    """Run ``ktui`` in a process that file permissions apply to, even when the tests run as root."""
    prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []
    env = dict(os.environ, KTUI_HOME=str(home))
    return subprocess.run(
        [*prefix, sys.executable, "-m", "ktui.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_an_unreadable_home(tmp_path):
    home = tmp_path / "ktui"
    home.mkdir()
    home.chmod(0)
    try:
        r = _unprivileged(["kubectl", "get", "pods"], home)
    finally:
        home.chmod(0o755)
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == (
        f"ktui: cannot open the local cluster in {home}: Permission denied; give your user read and "
        "write access to that directory (or set KTUI_HOME to another one)\n"
    )


def test_an_unreadable_state_and_a_read_only_home(tmp_path, good_state):
    home = tmp_path / "ktui"
    home.mkdir()
    (home / "lock").touch()
    state = home / "cluster.json"
    state.write_bytes(good_state[0])
    state.chmod(0)
    r = _unprivileged(["cluster", "info"], home)
    assert (r.returncode, r.stderr) == (
        1,
        f"ktui: cannot read cluster.json in {home}: Permission denied; give your "
        "user read and write access to that directory (or set KTUI_HOME to another "
        "one)\n",
    )
    state.chmod(0o644)
    home.chmod(0o555)
    try:
        r = _unprivileged(["kubectl", "create", "configmap", "x"], home)
    finally:
        home.chmod(0o755)
    assert (r.returncode, r.stdout) == (1, "")  # not saved: not reported as done
    assert r.stderr == (
        f"ktui: cannot save the local cluster to {home}/cluster.json: Permission denied; the state "
        "saved before is unchanged\n"
    )
    assert state.read_bytes() == good_state[0]


def test_a_save_after_a_rewind_to_before_the_snapshot_still_loads(tmp_path):
    with LocalCluster(tmp_path, catch_up=False) as local:
        c = local.cluster
        c.api.create("configmaps", {"metadata": {"name": "early"}})
        c.advance(30)
        local.save()  # the snapshot is taken here
        c.rewind(to=c.now - 20)
        c.api.create("configmaps", {"metadata": {"name": "other-branch"}})
        c.advance(60)
        expected = c.kubectl("get cm,pods,events -A -o yaml")
    with LocalCluster(tmp_path, catch_up=False) as local:
        assert local.cluster.kubectl("get cm,pods,events -A -o yaml") == expected


def test_a_cluster_put_in_place_of_the_open_one_is_saved_as_itself(tmp_path):
    from ktui import Cluster

    with LocalCluster(tmp_path, catch_up=False) as local:
        local.save()  # a snapshot of the built-in cluster, seed 0
        local.cluster = Cluster.default(seed=9)  # as the UI hands back the cluster it ended with
        local.cluster.api.create("configmaps", {"metadata": {"name": "nine"}})
    seed9 = Cluster.default(seed=9).kubectl("get pods -A -o name")[0]
    assert seed9 != Cluster.default(seed=0).kubectl("get pods -A -o name")[0]
    with LocalCluster(tmp_path, catch_up=False) as local:
        assert local.cluster.seed == 9 and local.cluster.api.get("configmaps", "nine", "default")
        assert local.cluster.kubectl("get pods -A -o name")[0] == seed9


def test_a_world_without_a_data_form_is_saved_without_a_snapshot(tmp_path, monkeypatch):
    import ktui.local

    def no_data_form(cluster):
        raise TypeError("cannot name <function <lambda>> (a lambda or a closure?)")

    monkeypatch.setattr(ktui.local, "snapshot_text", no_data_form)
    with LocalCluster(tmp_path, catch_up=False) as local:
        local.cluster.api.create("configmaps", {"metadata": {"name": "kept"}})
    assert json.loads((tmp_path / "cluster.json").read_bytes())["snapshot"] is None
    with LocalCluster(tmp_path, catch_up=False) as local:  # replayed from the spec
        assert local.cluster.api.get("configmaps", "kept", "default")["metadata"]["name"] == "kept"
