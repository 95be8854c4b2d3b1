"""``script:`` checks: bash with the real kubectl against a paused, read-only HTTPS view of the lab's cluster."""

import io
import os
import socket
import threading
import time
from urllib.parse import urlparse

import pytest

from ktui.lab import LabSession, parse_lab, script_check
from ktui.lab.checks import evaluate
from ktui.lab.cli import lab_main
from ktui.lab.model import ScriptCheck
from ktui.lab.script_check import ScriptRunner

from tests.lab.conftest import cluster_state

LAB = """\
name: verify-sh
title: A Killercoda-style verify.sh
setup:
  - run: kubectl create namespace shop
  - advance: 5s
tasks:
  - title: Run web
    text: Run a pod `web` (nginx) in `shop`.
    solution: kubectl -n shop run web --image=nginx
    checks:
      - script: |
          # verify.sh
          kubectl -n shop get pod web -o jsonpath='{.status.phase}' | grep -q Running
        message: the pod web in shop is not Running
      - script: |
          set -e
          image=$(kubectl -n shop get pod web -o jsonpath='{.spec.containers[0].image}')
          if [ "$image" != "nginx" ]; then echo "image is $image" >&2; exit 1; fi
        timeout: 20s
        message: web does not run nginx
"""


def _server_threads():
    return [t for t in threading.enumerate() if t.name == "ktui-server"]


def _port_closed(url: str) -> bool:
    u = urlparse(url)
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex((u.hostname, u.port)) != 0


@pytest.fixture
def session():
    with LabSession(parse_lab(LAB, "verify-sh.yaml")) as s:
        yield s


def test_unsolved_fails_with_its_message_and_solved_passes(session):
    failed = session.check()
    assert [o.ok for o in failed.outcomes] == [False, False]
    assert failed.outcomes[0].message() == "the pod web in shop is not Running"
    not_found = 'exit code 1: Error from server (NotFound): pods "web" not found'
    assert [o.detail for o in failed.outcomes] == [not_found, not_found]  # kubectl's stderr; grep -q says nothing
    assert f"✗ the pod web in shop is not Running\n    ({not_found})" in failed.render()
    session.cluster.kubectl("-n shop run web --image=nginx")
    session.cluster.advance(30)
    assert session.check().ok and session.passed == 1


def test_a_wrong_solution_fails_with_the_scripts_last_stderr_line(session):
    session.cluster.kubectl("-n shop run web --image=httpd")
    session.cluster.advance(30)
    result = session.check()
    assert [o.ok for o in result.outcomes] == [True, False]
    assert result.outcomes[1].detail == "exit code 1: image is httpd"
    assert result.outcomes[1].message() == "web does not run nginx"


def test_without_stderr_the_last_stdout_line_is_the_detail(session):
    check = ScriptCheck(line=1, messages={"en": "m"}, script="echo one\necho two\n\nexit 3\n")
    with ScriptRunner(session.cluster) as runner:
        outcome = evaluate(session.cluster, check, scripts=runner)
    assert (outcome.ok, outcome.detail) == (False, "exit code 3: two")


_FORBIDDEN = "Error from server (Forbidden): "
_READ_ONLY = "a check may only read the cluster"


@pytest.mark.parametrize(
    "script,last",
    [
        ("kubectl -n shop delete pod web", _FORBIDDEN + _READ_ONLY),
        ("kubectl -n shop delete namespace shop --wait=false", _FORBIDDEN + _READ_ONLY),
        ("kubectl -n shop label pod web x=y", _FORBIDDEN + _READ_ONLY),
        ("kubectl -n shop run other --image=nginx", _FORBIDDEN + _READ_ONLY),
        ("echo '{\"advance\": 3600}' | kubectl create --raw /ktui/v1/clock -f -", _FORBIDDEN + _READ_ONLY),
        (
            "kubectl -n shop get pod web -o yaml | sed 's/nginx/httpd/' | kubectl replace -f -",
            _FORBIDDEN + 'error when replacing "STDIN": ' + _READ_ONLY,
        ),
    ],
)
def test_a_script_that_writes_is_refused_and_changes_nothing(session, script, last):
    session.cluster.kubectl("-n shop run web --image=nginx")
    session.cluster.advance(30)
    before = cluster_state(session.cluster)
    check = ScriptCheck(line=1, messages={"en": "m"}, script=f"set -o pipefail\n{script}\n")
    with ScriptRunner(session.cluster) as runner:
        outcome = evaluate(session.cluster, check, scripts=runner)
    assert (outcome.ok, outcome.detail) == (False, f"exit code 1: {last}")
    assert cluster_state(session.cluster) == before
    assert session.cluster.api.get("pods", "web", "shop")["spec"]["containers"][0]["image"] == "nginx"


def test_reads_leave_the_store_revision_and_the_clock_as_they_were(session):
    session.cluster.kubectl("-n shop run web --image=nginx")
    session.cluster.advance(30)
    before = cluster_state(session.cluster)
    session.check()
    time.sleep(0.3)  # the server's clock task ticks meanwhile: paused, it moves nothing
    session.check()
    assert cluster_state(session.cluster) == before


def test_one_server_per_session_stopped_at_the_end_with_nothing_left_behind():
    assert _server_threads() == []
    with LabSession(parse_lab(LAB, "verify-sh.yaml")) as s:
        s.check()
        s.check()
        runner = s.scripts
        url, home = runner.url, runner._tmp.name
        assert runner.starts == 1 and runner.running and len(_server_threads()) == 1
        assert not _port_closed(url)
    assert not runner.running and _server_threads() == []
    assert _port_closed(url) and not os.path.exists(home)


def test_a_session_without_script_checks_starts_no_server():
    lab = (
        LAB.split("    checks:")[0]
        + "    checks:\n      - {resource: namespace, name: shop, exists: true, message: m}\n"
    )
    with LabSession(parse_lab(lab, "plain.yaml")) as s:
        assert s.check().ok
        assert s.scripts is None and _server_threads() == []


def test_a_script_that_runs_too_long_is_stopped_with_a_clear_message(session, tmp_path):
    pidfile = tmp_path / "pid"
    check = ScriptCheck(line=1, messages={"en": "m"}, timeout=1.0, script=f"sleep 60 &\necho $! > {pidfile}\nwait\n")
    with ScriptRunner(session.cluster) as runner:
        outcome = evaluate(session.cluster, check, scripts=runner)
    assert (outcome.ok, outcome.detail) == (False, "the script did not finish within 1s (stopped)")
    pid = int(pidfile.read_text())
    for _ in range(100):  # the background sleep went with the script (gone, or a zombie about to be reaped)
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(") ")[1].startswith("Z"):
                    break
        except FileNotFoundError:
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"process {pid} still runs")


def test_without_kubectl_a_clear_message(session, monkeypatch):
    monkeypatch.setattr(script_check, "find_kubectl", lambda: None)
    outcome = evaluate(session.cluster, session.task.checks[0], scripts=ScriptRunner(session.cluster))
    assert not outcome.ok and outcome.unavailable
    assert outcome.detail.startswith("kubectl not found (next to ")
    assert _server_threads() == []


def test_ktui_lab_run_runs_script_checks_and_stops_the_server(tmp_path):
    path = tmp_path / "verify-sh.yaml"
    path.write_text(LAB)
    out = io.StringIO()
    code = lab_main(
        ["run", str(path)],
        stdin=io.StringIO("check\nkubectl -n shop run web --image=nginx\nadvance 30s\ncheck\n"),
        stdout=out,
    )
    text = out.getvalue()
    assert (
        "controlplane$ check\n✗ Task 1: Run web: 2 of 2 checks failed\n  ✗ the pod web in shop is not Running\n"
        '    (exit code 1: Error from server (NotFound): pods "web" not found)\n'
    ) in text
    assert "controlplane$ check\n✓ Task 1: Run web: passed\n" in text
    assert "tasks passed: 1/1" in text and code == 0, text
    assert _server_threads() == []


EXEC_LAB = """\
name: exec-checks
setup:
  - run: kubectl run web --image=nginx --labels=app=web --port=80
  - run: kubectl run client --image=busybox --env=MODE=blue -- sleep 3600
  - run: kubectl expose pod web --port=80 --name=web-svc
  - run: kubectl run broken --image=nginx:no-such-tag
  - wait: --for=condition=Ready pod/web pod/client --timeout=60s
  - advance: 5s
tasks:
  - title: t
    text: t
    checks:
      - {resource: pod, name: web, exists: true, message: m}
"""


@pytest.fixture(scope="module")
def exec_session():
    with LabSession(parse_lab(EXEC_LAB, "exec-checks.yaml")) as s:
        yield s


@pytest.mark.parametrize(
    "script",
    [
        "kubectl exec client -- cat /etc/resolv.conf | grep -qx 'search default.svc.cluster.local svc.cluster.local "
        "cluster.local'",
        "kubectl exec client -- env | grep -qx MODE=blue",
        "kubectl exec client -- printenv WEB_SVC_SERVICE_PORT | grep -qx 80",
        "kubectl exec client -- nslookup web-svc.default.svc.cluster.local | grep -q '^Name:'",
        # a request to a Service: nginx would log it; in the check's copy of the cluster only
        "kubectl exec client -- wget -qO- http://web-svc.default.svc.cluster.local | grep -q '<h1>Welcome to nginx!</h1>'",
        "kubectl exec web -- curl -s http://web-svc | grep -q 'Welcome to nginx'",
        # a script that writes in a container sees its own file; the learner's container never has it
        "kubectl exec client -- sh -c 'echo checked > /tmp/mark' && kubectl exec client -- cat /tmp/mark | grep -qx checked",
    ],
)
def test_exec_in_a_script_is_a_pure_read(exec_session, script):
    from ktui.state import encode_state

    cluster = exec_session.cluster
    before, document = cluster_state(cluster), encode_state(cluster)
    check = ScriptCheck(line=1, messages={"en": "m"}, script=f"set -o pipefail\n{script}\n")
    outcome = evaluate(cluster, check, scripts=exec_session.scripts or _runner(exec_session))
    assert (outcome.ok, outcome.detail) == (True, "")
    # the store's revision, the clock, the next event, nginx's log; and no input was recorded (the state document)
    assert cluster_state(cluster) == before and encode_state(cluster) == document
    assert cluster.kubectl("exec client -- cat /tmp/mark")[1].startswith(  # the learner's container: no such file
        "cat: can't open '/tmp/mark': No such file or directory\n"
    )


def _runner(session):
    session.scripts = ScriptRunner(session.cluster)
    return session.scripts


def test_each_script_execs_in_a_copy_of_the_cluster_as_it_is_then(exec_session):
    runner = exec_session.scripts or _runner(exec_session)
    cluster = exec_session.cluster
    check = ScriptCheck(line=1, messages={"en": "m"}, script="kubectl exec client -- cat /tmp/mark\n")
    assert not evaluate(cluster, check, scripts=runner).ok  # the file an earlier script wrote went with its copy
    cluster.kubectl(["exec", "client", "--", "sh", "-c", "echo mine > /tmp/mark"])  # the learner writes it
    try:
        assert evaluate(cluster, check, scripts=runner).ok
    finally:
        cluster.kubectl(["exec", "client", "--", "rm", "/tmp/mark"])


def test_an_exec_the_cluster_cannot_run_fails_with_kubectls_message(exec_session):
    runner = exec_session.scripts or _runner(exec_session)
    cluster = exec_session.cluster
    before = cluster_state(cluster)
    cases = {
        "kubectl exec client -- wget -qO- -T 1 http://nothing-here 2>&1 >/dev/null | head -1 >&2; exit 1": "wget: bad address 'nothing-here'",
        "kubectl exec ghost -- env": 'Error from server (NotFound): pods "ghost" not found',
        "kubectl exec client -c sidecar -- env": "error: container sidecar is not valid for pod client out of: client",
        # a container that is not running: the same answer as the cluster's own server gives, not a refusal
        "kubectl exec broken -- cat /etc/hostname": "error: unable to upgrade connection: ",
    }
    for script, last in cases.items():
        outcome = evaluate(cluster, ScriptCheck(line=1, messages={"en": "m"}, script=script), scripts=runner)
        assert not outcome.ok and outcome.detail.startswith(f"exit code 1: {last}"), (script, outcome.detail)
        assert _READ_ONLY not in outcome.detail
    assert cluster_state(cluster) == before
