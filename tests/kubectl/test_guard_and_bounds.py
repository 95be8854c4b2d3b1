"""What no real kubectl can be compared with: a command line split as bash splits it, the last guard against
ktui's own bugs, and the bound on how far one command moves the simulated clock."""

from __future__ import annotations

import dataclasses

import pytest

from ktui.kubectl import KubectlEnv, main as kubectl_main, run_kubectl
from ktui.kubectl.durations import MAX_FOLLOW_SECONDS, parse_go_duration, parse_request_timeout

from tests.kubectl.golden_cases import api_only_cluster, seed_cluster


@pytest.fixture
def cluster():
    c = api_only_cluster()
    seed_cluster(c)
    return c


@pytest.fixture
def env(cluster):
    return KubectlEnv.for_cluster(cluster)


@pytest.mark.parametrize(("line", "quote"), [("get pods '", "'"), ('get pods "a', '"'), ("get pods 'a'\\''", "'")])
def test_an_open_quote_is_bashs_syntax_error(env, line, quote):
    r = run_kubectl(env, line)
    assert (r.stdout, r.stderr, r.exit_code) == ("", f"error: unexpected EOF while looking for matching `{quote}'\n", 2)


def test_a_trailing_backslash_stays_a_backslash_as_in_bash(env):
    r = run_kubectl(env, "get pods \\")
    assert (r.stderr, r.exit_code) == ('Error from server (NotFound): pods "\\" not found\n', 1)
    r = run_kubectl(env, "get pods 'a\\'")  # no escapes inside single quotes
    assert (r.stderr, r.exit_code) == ('Error from server (NotFound): pods "a\\" not found\n', 1)


def test_a_bug_is_one_line_naming_its_log(env, monkeypatch, tmp_path):
    def boom(inv):
        raise ZeroDivisionError("division by zero\nsecond line")

    monkeypatch.setenv("KTUI_HOME", str(tmp_path))
    kubectl_main.load_commands()
    monkeypatch.setitem(
        kubectl_main.COMMANDS, "version", dataclasses.replace(kubectl_main.COMMANDS["version"], run=boom)
    )
    r = run_kubectl(env, ["version"])
    assert r.exit_code == 1 and r.stdout == ""
    (line,) = r.stderr.splitlines()
    assert line.startswith("error: this is a bug in ktui (ZeroDivisionError: division by zero); the traceback is in ")
    log = tmp_path / "logs" / line.rsplit("/", 1)[1]
    text = log.read_text()
    assert text.startswith("ktui bug while running: kubectl version\n") and "Traceback" in text
    assert "ZeroDivisionError: division by zero\nsecond line" in text


def test_a_bug_when_ktui_home_is_unusable_goes_to_the_temp_dir(env, monkeypatch, tmp_path):
    home = tmp_path / "not-a-dir"
    home.write_text("")
    monkeypatch.setenv("KTUI_HOME", str(home))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    kubectl_main.load_commands()
    monkeypatch.setitem(
        kubectl_main.COMMANDS, "version", dataclasses.replace(kubectl_main.COMMANDS["version"], run=lambda inv: [][1])
    )
    r = run_kubectl(env, ["version"])
    assert r.exit_code == 1 and f"the traceback is in {tmp_path}/ktui-logs/crash-" in r.stderr


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("0", 0),
        ("1h30m", 5400),
        ("-1s", -1),
        (".5s", 0.5),
        ("1.5h", 5400),
        ("300ms", 0.3),
        ("2562047h", 2562047 * 3600.0),
    ],
)
def test_go_durations(text, seconds):
    assert parse_go_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", 'time: invalid duration ""'),
        ("1d", 'time: unknown unit "d" in duration "1d"'),
        ("5", 'time: missing unit in duration "5"'),
        ("2562048h", 'time: invalid duration "2562048h"'),
        ("nan", 'time: invalid duration "nan"'),
        (".s", 'time: invalid duration ".s"'),
    ],
)
def test_go_duration_errors(text, message):
    with pytest.raises(ValueError, match="^" + message.replace(".", r"\.") + "$"):
        parse_go_duration(text)


def test_request_timeout_takes_seconds_or_durations():
    assert parse_request_timeout("5") == 5 and parse_request_timeout("2m") == 120
    with pytest.raises(ValueError, match="^Invalid timeout value"):
        parse_request_timeout("-5")


def test_wait_for_a_week_follows_the_clock_one_hour_and_says_so(env, cluster):
    """``--timeout=-1s`` is kubectl's week; one ktui command moves the clock at most an hour."""
    start = cluster.now
    r = run_kubectl(env, ["wait", "pod/nginx", "--for=delete", "--timeout=-1s"])
    assert r.exit_code == 1
    assert r.stderr == (
        "Warning: ktui moves the simulated clock at most 1h0m0s per command; stopped waiting after "
        "1h0m0s of 168h0m0s\nerror: timed out waiting for the condition on pods/nginx\n"
    )
    assert cluster.now - start == MAX_FOLLOW_SECONDS


def test_a_week_long_wait_that_is_met_returns_at_once(env, cluster):
    start = cluster.now
    r = run_kubectl(env, ["wait", "pod/nginx", "--for=create", "--timeout=-1s"])
    assert (r.stdout, r.exit_code) == ("pod/nginx condition met\n", 0)
    assert cluster.now == start


def test_a_long_watch_is_cut_at_the_bound(env, cluster):
    start = cluster.now
    r = run_kubectl(env, ["get", "pods", "-w", "--request-timeout=99999h"])
    assert r.exit_code == 0 and r.stdout.startswith("NAME")
    assert r.stderr.startswith("Warning: ktui moves the simulated clock at most 1h0m0s per command")
    assert cluster.now - start == MAX_FOLLOW_SECONDS


def test_did_you_mean_is_not_computed_for_words_far_longer_than_any_command(env, monkeypatch):
    calls = []
    real = kubectl_main._levenshtein
    monkeypatch.setattr(kubectl_main, "_levenshtein", lambda a, b: calls.append(1) or real(a, b))
    r = run_kubectl(env, ["g" * 70_000])
    assert r.stderr == f'error: unknown command "{"g" * 70_000}" for "kubectl"\n' and r.exit_code == 1
    assert calls == []
    r = run_kubectl(env, ["gett"])
    assert r.stderr == 'error: unknown command "gett" for "kubectl"\n\nDid you mean this?\n\tset\n\tget\n'


@pytest.mark.parametrize(
    "argv",
    [
        ["apply", "-f", "/dev/zero", "--dry-run=client"],
        ["create", "configmap", "x", "--from-file=/dev/zero", "--dry-run=client"],
        ["create", "secret", "tls", "x", "--cert=/dev/zero", "--key=/dev/zero"],
    ],
)
def test_an_endless_file_is_read_only_so_far(env, argv):
    """kubectl reads ``/dev/zero`` until memory runs out; ktui stops at a bound and says so."""
    r = run_kubectl(env, argv)
    assert (r.stdout, r.stderr, r.exit_code) == (
        "",
        "error: error reading /dev/zero: ktui reads at most 64 MiB from one file\n",
        1,
    )


def _slow_pod_on_node01(cluster) -> None:
    cluster.api.create(
        "pods",
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "slow", "namespace": "default", "finalizers": ["example.com/hold"]},
            "spec": {"nodeName": "node01", "containers": [{"name": "c", "image": "nginx"}]},
        },
    )
    cluster.advance(20)


@pytest.mark.parametrize(
    ("timeout", "note"),
    [
        ("5s", ""),
        (
            "3h",
            "Warning: ktui moves the simulated clock at most 1h0m0s per command; stopped waiting after 1h0m0s of "
            "3h0m0s\n",
        ),
    ],
)
def test_a_drain_that_times_out_says_so(timeout, note):
    from ktui import Cluster

    cluster = Cluster.default()
    _slow_pod_on_node01(cluster)
    env = KubectlEnv.for_cluster(cluster)
    start = cluster.now
    r = run_kubectl(env, ["drain", "node01", "--ignore-daemonsets", "--force", f"--timeout={timeout}"])
    assert r.exit_code == 1
    assert r.stderr.endswith(
        note + f'error: unable to drain node "node01" due to error: drain did not complete '
        f"within {timeout}, continuing command...\n"
    )
    assert cluster.now - start == min(parse_go_duration(timeout), MAX_FOLLOW_SECONDS)
