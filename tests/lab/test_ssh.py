"""``ktui lab serve`` with the real OpenSSH client on 127.0.0.1: a session in tmux (connect, first prompt,
kubectl, check, resize, disconnect), resuming a lab, 20 concurrent sessions each on its own cluster, and no
session process left once they all went (some by kill -9 of the client)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

# .ci/run installs the OpenSSH client and tmux; without them these tests fail rather than skip.
assert shutil.which("ssh"), "the SSH tests need the OpenSSH client (apt-get install openssh-client)"
assert shutil.which("tmux"), "the SSH terminal test needs tmux (apt-get install tmux)"

SSH = shutil.which("ssh") or "/usr/bin/ssh"
KTUI = [sys.executable, "-c", "import sys; from ktui.cli import main; sys.exit(main())"]
PROMPT = "controlplane:~$ "


def wait_until(predicate, timeout: float = 20.0, step: float = 0.1):
    """Poll ``predicate`` until it is true (returns its value) or ``timeout`` seconds pass (returns it anyway)."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > end:
            return value
        time.sleep(step)


def session_pids(state: Path) -> list[int]:
    """Every live process that is a session process of the server keeping ``state`` (from /proc)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"ktui.lab.ssh.worker" in cmd and str(state).encode() in cmd:
            pids.append(int(entry.name))
    return pids


def children(pid: int) -> list[int]:
    """The child processes of ``pid``, zombies included (a session process not reaped would be one)."""
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        out += [int(c) for c in (task / "children").read_text().split()]
    return out


class Server:
    """``ktui lab serve --port 0 --listen 127.0.0.1`` in a process of its own, with a log collected as it runs."""

    def __init__(self, tmp: Path, *args: str) -> None:
        self.tmp = tmp
        self.state = tmp / "state"
        self.home = tmp / "home"  # the ssh client's HOME: nothing touches the user's ~/.ssh
        (self.home / ".ssh").mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [*KTUI, "lab", "serve", "--port", "0", "--listen", "127.0.0.1", "--state", str(self.state), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        found = wait_until(lambda: self._port(), 30)
        assert found, f"the server did not start: {self.text}"
        self.port = found

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    def _port(self) -> int | None:
        m = re.search(r"listening on 127\.0\.0\.1:(\d+)", self.text)
        return int(m.group(1)) if m else None

    @property
    def text(self) -> str:
        return "".join(self.lines)

    def ssh(self, user: str, *extra: str) -> list[str]:
        """The ssh command line for ``user@127.0.0.1`` on this server's port (no config, no known hosts)."""
        return [
            SSH,
            "-F",
            "/dev/null",
            "-p",
            str(self.port),
            *extra,
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "LogLevel=ERROR",
            "-o",
            "ConnectTimeout=20",
            f"{user}@127.0.0.1",
        ]

    def env(self, **extra: str) -> dict[str, str]:
        """The ssh client's environment: ``TERM=dumb`` gets the lab shell (the terminal UI: test_ssh_tui.py)."""
        env = {
            "HOME": str(self.home),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "TERM": "dumb",
        }
        env.update(extra)
        return env

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


class Client:
    """``ssh -tt`` driven through pipes: the session still runs on a PTY on the server."""

    def __init__(
        self, server: Server, user: str, *extra: str, env: dict[str, str] | None = None, batch: bool = True
    ) -> None:
        batch_opts = ("-o", "BatchMode=yes") if batch else ()
        self.proc = subprocess.Popen(
            server.ssh(user, "-tt", *batch_opts, *extra),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env or server.env(),
        )
        self.buf = bytearray()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            data = self.proc.stdout.read1(65536)
            if not data:
                return
            self.buf += data

    @property
    def text(self) -> str:
        return self.buf.decode("utf-8", "replace").replace("\r\n", "\n")

    def expect(self, needle: str, timeout: float = 60.0, start: int = 0) -> str:
        assert wait_until(lambda: needle in self.text[start:], timeout), f"{needle!r} not seen in:\n{self.text}"
        return self.text

    def send(self, line: str) -> int:
        """Type ``line``; returns where the output after it starts."""
        mark = len(self.text)
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()
        return mark

    def wait(self, timeout: float = 30.0) -> int:
        """Wait for ssh to exit and for the last of its output to be read."""
        code = self.proc.wait(timeout)
        self.reader.join(timeout)
        return code


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path, "--max-sessions", "25", "--rate", "100")
    yield s
    print(s.text)  # the server's log, shown when a test fails
    s.close()
    assert session_pids(s.state) == []


class Tmux:
    """A tmux server of its own (``-L``), for a real terminal in front of the ssh client."""

    def __init__(self, name: str) -> None:
        self.sock = name

    def __call__(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.sock, *args], capture_output=True, text=True, timeout=10).stdout

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "lab")

    def wait_for(self, needle: str, timeout: float = 60.0) -> str:
        needle = needle.rstrip()  # capture-pane drops trailing blanks
        assert wait_until(lambda: needle in self.screen(), timeout), f"{needle!r} not on the screen:\n{self.screen()}"
        return self.screen()


def test_a_session_in_a_terminal_connect_kubectl_check_resize_disconnect(server):
    tmux = Tmux(f"ktui-ssh-test-{os.getpid()}")
    cmd = " ".join(server.ssh("alice+kubelet-not-running", "-t", "-o", "BatchMode=yes"))
    env = " ".join(f"{k}={v}" for k, v in server.env().items())
    try:
        tmux("new-session", "-d", "-s", "lab", "-x", "100", "-y", "40", f"env -i {env} {cmd}")
        screen = tmux.wait_for(PROMPT)
        assert "# kubelet-not-running: A node that is NotReady: its kubelet is not running" in screen
        assert "Task 1/1: Bring node01 back" in screen
        assert "[0/1 ✓] controlplane:~$" in screen

        tmux("send-keys", "-t", "lab", "kubectl get nodes", "Enter")
        screen = tmux.wait_for("node02 ")
        assert re.search(r"node01\s+NotReady\s+<none>", screen), screen

        tmux("send-keys", "-t", "lab", "check", "Enter")
        screen = tmux.wait_for("2 of 3 checks failed")
        assert "✗ node01 is not Ready." in screen

        # a narrower terminal: the task's text is laid out again to its width (SIGWINCH reached the session)
        tmux("resize-window", "-t", "lab", "-x", "50", "-y", "40")
        wait_until(lambda: tmux("display", "-p", "-t", "lab", "#{window_width}").strip() == "50", 10)
        tmux("send-keys", "-t", "lab", "task", "Enter")

        def after_task():
            lines = tmux.screen().split("\n")
            start = max((i for i, ln in enumerate(lines) if ln.endswith("$ task")), default=None)
            text = [ln for ln in lines[start + 1 :] if ln] if start is not None else []
            return text[:-1] if text and text[-1].endswith("controlplane:~$") else None

        text = wait_until(after_task, 30)
        assert text, tmux.screen()
        assert text[0] == "Task 1/1: Bring node01 back"
        assert text[1].startswith("Find out why node01 is NotReady and make it")
        assert all(len(ln) <= 50 for ln in text), text
        pid = session_pids(server.state)
        assert len(pid) == 1

        tmux("kill-session", "-t", "lab")  # the terminal closes: ssh goes, the connection drops
        assert wait_until(lambda: session_pids(server.state) == [], 20), session_pids(server.state)
        assert wait_until(lambda: "alice kubelet-not-running: ended (disconnected, exit -1" in server.text, 30), (
            server.text
        )
    finally:
        tmux("kill-server")


def test_a_learner_who_reconnects_gets_the_lab_back(server):
    c = Client(server, "bob+kubelet-not-running")
    c.expect(PROMPT)
    c.send("ssh node01")
    c.expect("node01:~$ ")
    c.send("systemctl start kubelet")
    c.send("exit")
    at = c.send("hint")
    c.expect("Hint 1/", start=at)
    c.proc.kill()  # kill -9 of the client: the session process is hung up
    assert wait_until(lambda: session_pids(server.state) == [], 20)

    c = Client(server, "bob+kubelet-not-running")
    text = c.expect(PROMPT)
    assert "Welcome back: your lab is as you left it (0/1 ✓)." in text
    at = c.send("advance 1m")
    c.expect("advanced 1m0s", start=at)
    at = c.send("check")
    c.expect("✓ Task 1: Bring node01 back: passed", start=at)  # the kubelet started before the drop
    c.send("quit")
    assert c.wait() == 0
    assert "✓ 1. Bring node01 back (1 hint)" in c.text
    assert re.search(r"tasks passed: 1/1, hints used: 1, solutions shown: 0, time: 00:0\d:\d\d", c.text), c.text

    out = subprocess.run(
        [*KTUI, "lab", "results", "--state", str(server.state)], capture_output=True, text=True, timeout=30
    )
    assert out.returncode == 0
    row = [ln for ln in out.stdout.splitlines() if ln.startswith("bob ")]
    assert re.match(r"bob\s+kubelet-not-running\s+1/1\s+1\s+0\s+00:0\d:\d\d\s+20\d\d-", row[0]), out.stdout


def test_twenty_concurrent_sessions_each_on_its_own_cluster_and_none_left_behind(server):
    n = 20
    clients = [Client(server, f"l{i:02}+imperative-pods") for i in range(n)]
    for c in clients:
        c.expect(PROMPT, timeout=120)
    assert len(session_pids(server.state)) == n
    out = subprocess.run(
        [*KTUI, "lab", "results", "--state", str(server.state)], capture_output=True, text=True, timeout=30
    ).stdout
    assert out.startswith(f"connected now ({n}):\n  l00  imperative-pods  since 20"), out
    marks = [c.send(f"kubectl run mine-{i:02} --image=nginx") for i, c in enumerate(clients)]
    for i, (c, at) in enumerate(zip(clients, marks)):
        c.expect(f"pod/mine-{i:02} created", start=at)
    marks = [c.send("kubectl get pods -o name") for c in clients]
    for i, (c, at) in enumerate(zip(clients, marks)):
        c.expect(PROMPT, start=at + 30)
        seen = set(re.findall(r"pod/mine-\d\d", c.text[at:]))
        assert seen == {f"pod/mine-{i:02}"}, (i, c.text[at:])
    for i, c in enumerate(clients):  # half leave with quit, half by kill -9 of their ssh client
        if i % 2:
            c.proc.kill()
        else:
            c.send("quit")
    for c in clients:
        c.wait()
    assert wait_until(lambda: session_pids(server.state) == [], 30), session_pids(server.state)
    assert wait_until(lambda: server.lines[-1].endswith("; 0 sessions)\n"), 10), server.text
    assert children(server.proc.pid) == []  # every session process was reaped: not even a zombie is left
    out = subprocess.run(
        [*KTUI, "lab", "results", "--state", str(server.state)], capture_output=True, text=True, timeout=30
    ).stdout
    assert "connected now" not in out and re.search(r"^l19\s+imperative-pods\s+0/3\s", out, re.M), out
    assert wait_until(lambda: server.text.count(": started, pid ") == n, 10)


def test_no_shell_command_and_no_sftp(server):
    r = subprocess.run(
        server.ssh("carol+imperative-pods", "-o", "BatchMode=yes", "kubectl", "get", "pods"),
        capture_output=True,
        text=True,
        env=server.env(),
        timeout=30,
    )
    assert r.returncode != 0 and "mine" not in r.stdout
    r = subprocess.run(
        server.ssh("carol+imperative-pods", "-o", "BatchMode=yes", "-s", "sftp"),
        capture_output=True,
        text=True,
        env=server.env(),
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert r.returncode != 0
    r = subprocess.run(
        server.ssh(
            "carol+imperative-pods",
            "-o",
            "BatchMode=yes",
            "-o",
            "ExitOnForwardFailure=yes",
            "-N",
            "-R",
            "0:127.0.0.1:9",
        ),
        capture_output=True,
        text=True,
        env=server.env(),
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert r.returncode == 255 and "remote port forwarding failed" in r.stderr
    assert "started" not in server.text
    assert session_pids(server.state) == []


def test_a_learner_name_that_cannot_be_one_is_told_so(server):
    c = Client(server, "Carol+imperative-pods")
    assert c.wait() == 2
    assert "ktui lab serve: 'Carol' is not a learner name: use lower-case letters" in c.text
    assert "started" not in server.text


def test_when_the_server_is_killed_its_session_processes_go_too(tmp_path):
    s = Server(tmp_path, "--rate", "100")
    try:
        clients = [Client(s, f"k{i}+imperative-pods") for i in range(2)]
        for c in clients:
            c.expect(PROMPT)
        assert len(session_pids(s.state)) == 2
        s.proc.kill()  # kill -9: the PTYs' masters close with it, and hang their sessions up
        s.proc.wait(10)
        assert wait_until(lambda: session_pids(s.state) == [], 20), session_pids(s.state)
        for c in clients:
            c.wait()
    finally:
        s.close()


def test_an_unknown_lab_is_named_with_the_labs_there(server):
    c = Client(server, "dave+no-such-lab")
    assert c.wait() == 2
    assert "ktui lab serve: no lab 'no-such-lab' here. Labs: imperative-pods, " in c.text
    assert "started" not in server.text


def test_the_menu_for_lab_at(server):
    c = Client(server, "erin+lab")
    c.expect("Which lab (number or name, ctrl-d to leave)? ")
    assert "  1. imperative-pods  " in c.text
    at = c.send("99")
    c.expect("no lab '99': type a number from 1 to 11", start=at)
    c.send("kubelet-not-running")
    c.expect(PROMPT)
    assert "# kubelet-not-running:" in c.text
    c.send("quit")
    assert c.wait() == 1  # the task did not pass


def test_ctrl_z_ctrl_c_and_ctrl_backslash_do_not_stop_the_lab(server):
    c = Client(server, "gus+imperative-pods")
    c.expect(PROMPT)
    for keys in (b"kubectl get no\x03", b"\x1a", b"\x1c"):  # ctrl-c drops the line; ctrl-z and ctrl-\: nothing
        at = len(c.text)
        c.proc.stdin.write(keys)
        c.proc.stdin.flush()
        if keys.endswith(b"\x03"):  # the terminal drops what was typed after it: wait for the prompt again
            c.expect(PROMPT, start=at + 1)
        time.sleep(0.3)
    at = c.send("kubectl get pods")
    c.expect("No resources found in default namespace.", start=at)
    assert len(session_pids(server.state)) == 1
    c.send("quit")
    assert c.wait() == 1


def test_kubectl_reads_files_from_the_learners_directory_only(server):
    c = Client(server, "zed+imperative-pods")
    c.expect(PROMPT)
    at = c.send("kubectl create configmap leak --from-file=/etc/hostname")
    c.expect(
        "error: /etc/hostname: outside the lab's working directory; in this session kubectl reads files only "
        "from there (ls lists them)",
        start=at,
    )
    at = c.send("kubectl apply -f ../../../results")
    c.expect("error: ../../../results: outside the lab's working directory", start=at)
    at = c.send("kubectl get configmap leak")
    c.expect('Error from server (NotFound): configmaps "leak" not found', start=at)
    c.send("cat > mine.yaml <<EOF")
    for line in ("apiVersion: v1", "kind: ConfigMap", "metadata: {name: mine}", "EOF"):
        c.send(line)
    at = c.send("kubectl apply -f mine.yaml")
    c.expect("configmap/mine created", start=at)
    c.send("quit")
    assert c.wait() == 1


def test_no_port_forwarding_not_even_to_the_servers_own_machine(server):
    import socket

    with socket.socket() as target:  # a port on the server's machine that -W or -L would reach
        target.bind(("127.0.0.1", 0))
        target.listen()
        target.settimeout(0.5)
        port = target.getsockname()[1]
        r = subprocess.run(
            server.ssh(
                "carol+imperative-pods", "-o", "BatchMode=yes", "-o", "LogLevel=INFO", "-W", f"127.0.0.1:{port}"
            ),
            capture_output=True,
            text=True,
            env=server.env(),
            timeout=30,
            stdin=subprocess.DEVNULL,
        )
        assert r.returncode == 255
        assert "open failed: administratively prohibited: a lab server forwards no ports" in r.stderr, r.stderr
        with pytest.raises(socket.timeout):
            target.accept()  # nothing was connected to it
    r = subprocess.run(
        server.ssh("carol+imperative-pods", "-tt", "-o", "BatchMode=yes", "-X"),
        capture_output=True,
        text=True,
        env=server.env(DISPLAY=":0"),
        timeout=30,
        input="quit\n",
    )
    assert "X11 forwarding request failed on channel 0" in r.stderr, r.stderr
    assert session_pids(server.state) == []


def test_the_host_key_is_kept_so_learners_connect_again_without_a_warning(tmp_path):
    known = tmp_path / "known_hosts"
    opts = ("-o", "HostKeyAlias=ktui-lab", "-o", f"UserKnownHostsFile={known}", "-o", "BatchMode=yes")

    def connect(server: Server, checking: str) -> subprocess.CompletedProcess:
        # ssh takes the first value given for an option: these come before Server.ssh's defaults
        cmd = server.ssh("hana+no-such-lab", *opts, "-o", f"StrictHostKeyChecking={checking}")
        return subprocess.run(
            cmd, capture_output=True, text=True, env=server.env(), timeout=30, stdin=subprocess.DEVNULL
        )

    first = Server(tmp_path, "--rate", "100")
    try:
        r = connect(first, "accept-new")  # the learner accepts the fingerprint once
        assert "no lab 'no-such-lab' here" in r.stdout and known.read_text().startswith("ktui-lab ssh-ed25519 ")
        fingerprint = re.search(r"host key .*host_key \(new\): (SHA256:\S+)", first.text).group(1)
    finally:
        first.close()
    again = Server(tmp_path, "--rate", "100")  # restarted on the same state directory: the same key
    try:
        assert f"host_key (kept): {fingerprint}" in again.text
        r = connect(again, "yes")
        assert "no lab 'no-such-lab' here" in r.stdout and "Host key verification failed" not in r.stderr
    finally:
        again.close()
    other = Server(tmp_path / "elsewhere", "--rate", "100")  # another state directory: another key, and ssh says so
    try:
        r = connect(other, "yes")
        assert r.returncode == 255 and "Host key verification failed." in r.stderr
    finally:
        other.close()


def test_a_lab_graded_by_script_checks_over_ssh_under_the_memory_cap(server):
    """The real kubectl of a verify.sh runs from the session process, under its --memory cap, exec included."""
    from ktui.lab import load_builtin

    c = Client(server, "sam+configmap-env")
    c.expect(PROMPT)
    at = c.send("check")
    c.expect("✗ The ConfigMap app-config in shop does not set APP_MODE to production.", start=at, timeout=120)
    for line in load_builtin("configmap-env").tasks[0].solution("en").splitlines():
        c.send(line)
    at = c.send("advance 30s")
    c.expect("advanced 30s", start=at)
    at = c.send("check")
    c.expect("✓ Task 1: Settings from a ConfigMap: passed", start=at, timeout=120)
    c.send("quit")
    assert c.wait() == 1  # task 2 is not done
    assert "✓ 1. Settings from a ConfigMap" in c.text
