"""``kubectl exec -i``/``-it`` and ``kubectl attach`` with the real kubectl 1.37 over WebSocket (v5.channel.k8s.io):
stdin through a pipe, a terminal through a pty (echo, prompt, ``\\r\\n``, resize), the exit code, RBAC on
``pods/attach``."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import time
from typing import Iterator

import pytest

from ktui.cluster import Cluster
from ktui.server.shell import Session, is_shell

from tests.server.conftest import KUBECTL, Served, serve


@pytest.fixture(scope="module")
def pod(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    cluster = Cluster.default(seed=7)
    cluster.advance(60)
    cluster.kubectl("run box --image=busybox -- sleep 3600")
    cluster.kubectl("run web --image=nginx")
    cluster.kubectl("expose pod web --port=80")
    cluster.kubectl(["run", "ticker", "--image=busybox", "--", "sh", "-c", "while true; do echo tick; sleep 5; done"])
    shell = {"name": "shell", "image": "busybox", "command": ["sh"], "stdin": True, "tty": True}
    cluster.kubectl(
        "apply -f -",
        stdin=json.dumps(
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "shell"}, "spec": {"containers": [shell]}}
        ),
    )
    cluster.kubectl("create role exec-only --verb=get --resource=pods")
    cluster.kubectl("create role attacher --verb=get,create --resource=pods,pods/attach")
    cluster.kubectl("create rolebinding sam-attaches --role=attacher --user=sam")
    cluster.kubectl("create rolebinding jane-execs --role=exec-only --user=jane")
    cluster.advance(30)
    yield from serve(tmp_path_factory.mktemp("interactive"), cluster)


def _env(served: Served) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), "HOME": str(served.home), "KUBECONFIG": str(served.kubeconfig)}


def test_exec_stdin_runs_the_in_pod_shell(pod: Served) -> None:
    script = "echo hello\nnslookup web\ncat /nope\nexit 3\necho never\n"
    p = subprocess.run(
        [str(KUBECTL), "exec", "-i", "box", "--", "sh"],
        input=script,
        capture_output=True,
        text=True,
        env=_env(pod),
        timeout=60,
    )
    nslookup = pod.ktui("exec box -- nslookup web")[0]
    assert p.stdout == "hello\n" + nslookup
    assert p.stderr == "cat: can't open '/nope': No such file or directory\ncommand terminated with exit code 3\n"
    assert p.returncode == 3


def test_exec_stdin_ends_with_the_input_and_the_last_status(pod: Served) -> None:
    p = subprocess.run(
        [str(KUBECTL), "exec", "-i", "box", "--", "/bin/sh"],
        input="echo a; echo b\nfalse",
        capture_output=True,
        text=True,
        env=_env(pod),
        timeout=60,
    )
    assert (p.stdout, p.stderr, p.returncode) == ("a\nb\n", "command terminated with exit code 1\n", 1)


def test_exec_stdin_reaches_a_program_that_reads_it(pod: Served) -> None:
    text = "first line\nsecond, no newline"
    p = subprocess.run(
        [str(KUBECTL), "exec", "-i", "box", "--", "cat"],
        input=text,
        capture_output=True,
        text=True,
        env=_env(pod),
        timeout=60,
    )
    assert (p.stdout, p.stderr, p.returncode) == (text, "", 0)
    without = subprocess.run(
        [str(KUBECTL), "exec", "box", "--", "cat"],
        input=text,
        capture_output=True,
        text=True,
        env=_env(pod),
        timeout=60,
    )
    assert (without.stdout, without.returncode) == ("", 0)  # no -i: cat reads an empty stdin


def _drive(served: Served, args: list[str], keys: list[str], settle: float = 1.5) -> tuple[str, int]:
    """Run the real kubectl on a pty, type ``keys`` one entry at a time, and return what the terminal showed."""
    master, slave = pty.openpty()
    p = subprocess.Popen(
        [str(KUBECTL), *args], stdin=slave, stdout=slave, stderr=slave, env=_env(served), close_fds=True
    )
    os.close(slave)
    shown = b""

    def read(seconds: float) -> None:
        nonlocal shown
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    return
                if not chunk:
                    return
                shown += chunk

    try:
        read(3)
        for key in keys:
            os.write(master, key.encode())
            read(settle)
        p.wait(timeout=20)
        read(0.2)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(master)
    return shown.decode(), p.returncode


def test_exec_with_a_terminal_prompts_echoes_and_exits(pod: Served) -> None:
    shown, code = _drive(
        pod,
        ["exec", "-it", "box", "--", "sh"],
        ["echo hi\r", "ech\x7f\x7fcho there\r", "cat /etc/hostname\r", "exit 4\r"],
    )
    assert shown == (
        "/ # echo hi\r\nhi\r\n/ # ech\b \b\b \bcho there\r\nthere\r\n/ # cat /etc/hostname\r\n"
        "box\r\n/ # exit 4\r\ncommand terminated with exit code 4\r\n"
    )
    assert code == 4


def test_a_program_on_a_terminal_ends_its_lines_with_crlf(pod: Served) -> None:
    shown, code = _drive(pod, ["exec", "-it", "box", "--", "cat", "/etc/hostname"], [])
    assert (shown, code) == ("box\r\n", 0)


def test_attach_with_a_terminal_reaches_the_containers_shell(pod: Served) -> None:
    assert pod.ktui("get pod shell")[0].split("\n")[1].split()[1:3] == ["1/1", "Running"]  # waiting on its stdin
    shown, code = _drive(pod, ["attach", "-it", "shell"], ["\r", "echo hi\r", "cat /etc/hostname\r", "exit\r"])
    assert shown == (
        "All commands and output from this session will be recorded in container logs, including credentials and "
        "sensitive information passed through the command prompt.\r\nIf you don't see a command prompt, try "
        "pressing enter.\r\n\r\n/ # echo hi\r\nhi\r\n/ # cat /etc/hostname\r\nshell\r\n/ # exit\r\n"
        "Session ended, resume using 'kubectl attach shell -c shell -n default -i -t' command\r\n"
    )
    assert code == 0
    shown, code = _drive(pod, ["attach", "-it", "shell", "--as", "sam"], ["echo hi\r", "exit\r"])  # no pods/exec
    assert "enter.\r\necho hi\r\nhi\r\n/ # exit\r\n" in shown and code == 0


def test_attach_streams_what_the_container_prints_from_then_on(pod: Served) -> None:
    before = pod.ktui("logs ticker")[0]
    p = subprocess.Popen(
        [str(KUBECTL), "attach", "ticker"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(pod)
    )
    try:
        time.sleep(2)  # attached: nothing of the log so far is sent again
        pod.advance(11)
        time.sleep(1.5)
    finally:
        p.terminate()
        out, err = p.communicate(timeout=20)
    after = pod.ktui("logs ticker")[0]
    assert after.startswith(before) and out == after[len(before) :] and out.count("tick\n") >= 2, err


def test_attach_needs_create_on_pods_attach(pod: Served) -> None:
    out, err, code = pod.kubectl("attach", "ticker", "--as", "jane")
    assert (out, code) == ("", 1)
    assert err.endswith(
        '\nerror: unable to upgrade connection: pods "ticker" is forbidden: User "jane" cannot '
        'create resource "pods/attach" in API group "" in the namespace "default"\n'
    )
    assert pod.ktui("get pod ticker -o name") == ("pod/ticker\n", "", 0)


def test_a_shell_session_as_the_server_runs_it() -> None:
    ran: list[str] = []

    def run(line: str) -> tuple[str, str, int]:
        ran.append(line)
        return ("out\n", "", 0) if line != "false" else ("", "", 1)

    s = Session(run, tty=True)
    assert s.start() == ("/ # ", "")
    assert s.feed("ls\r") == ("ls\r\nout\r\n/ # ", "")
    assert s.feed("x\x03") == ("x^C\r\n/ # ", "")
    assert s.feed("false\r\x04") == ("false\r\n/ # ", "")
    assert (s.ended, s.status, ran) == (True, 1, ["ls", "false"])
    piped = Session(run, tty=False)
    assert piped.feed("ls\nexit 7\nls\n") == ("out\n", "")
    assert (piped.ended, piped.status) == (True, 7)
    assert [is_shell(a) for a in (["sh"], ["/bin/bash", "-i"], ["sh", "-c", "ls"], ["nginx"], [])] == [
        True,
        True,
        False,
        False,
        False,
    ]
