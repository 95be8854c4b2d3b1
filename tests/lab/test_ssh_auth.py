"""``ktui lab serve``: keys and tokens (a wrong one is refused before any process starts), the limits (max
sessions overall and per learner, connections per address, idle and absolute timeouts), and what the session
process is given (its PTY as controlling terminal, the memory cap, only TERM, LANG and COLORTERM)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.lab.test_ssh import PROMPT, Client, Server, session_pids, wait_until  # noqa: F401


def keygen(path: Path) -> str:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", path.name, "-f", str(path)], check=True, timeout=30
    )
    return path.with_suffix(".pub").read_text() if path.suffix else Path(f"{path}.pub").read_text()


@pytest.fixture
def served(tmp_path):
    servers = []

    def start(*args: str) -> Server:
        s = Server(tmp_path / f"s{len(servers)}", *args)
        servers.append(s)
        return s

    yield start
    for s in servers:
        print(s.text)  # the server's log, shown when a test fails
        s.close()
        assert session_pids(s.state) == []


def run(server: Server, user: str, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        server.ssh(user, "-tt", *extra),
        capture_output=True,
        text=True,
        env=env or server.env(),
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


def test_keys_a_roster_key_gets_its_learner_and_another_key_is_refused_before_any_process(tmp_path, served):
    keys = tmp_path / "keys"
    keys.mkdir()
    alice = keygen(keys / "alice")
    keygen(keys / "mallory")
    roster = tmp_path / "roster"
    roster.write_text(f"# the class\nalice {alice}")
    s = served("--auth", "keys", str(roster))
    assert "WARNING" not in s.text

    r = run(s, "imperative-pods", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-i", str(keys / "mallory"))
    assert r.returncode == 255
    assert "Permission denied (publickey)" in r.stderr
    r = run(s, "alice+imperative-pods", "-o", "BatchMode=yes", "-o", "PubkeyAuthentication=no")
    assert r.returncode == 255
    assert "started" not in s.text and session_pids(s.state) == []

    # alice's key names alice, whatever she calls herself: as bob she is refused
    r = run(s, "bob+imperative-pods", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-i", str(keys / "alice"))
    assert r.returncode == 255 and "Permission denied" in r.stderr
    c = Client(s, "imperative-pods", "-o", "IdentitiesOnly=yes", "-i", str(keys / "alice"))
    c.expect(PROMPT)
    assert wait_until(lambda: "alice imperative-pods: started" in s.text, 10)
    assert (s.state / "learners" / "alice" / "imperative-pods" / "session.json").is_file()
    c.send("quit")
    assert c.wait() == 1


def askpass(tmp_path: Path) -> Path:
    script = tmp_path / "askpass"
    script.write_text('#!/bin/sh\nprintf "%s\\n" "$KTUI_TEST_TOKEN"\n')
    script.chmod(0o755)
    return script


def test_tokens_log_in_once_and_a_wrong_token_is_refused_before_any_process(tmp_path, served):
    tokens = tmp_path / "tokens"
    tokens.write_text("alice tok-alice-1\nalice tok-alice-2  # a second one, to come back\nbob tok-bob-1\n")
    s = served("--auth", "tokens", str(tokens))
    opts = (
        "-o",
        "PubkeyAuthentication=no",
        "-o",
        "PreferredAuthentications=password,keyboard-interactive",
        "-o",
        "NumberOfPasswordPrompts=1",
    )

    def env(token: str) -> dict[str, str]:
        return s.env(
            SSH_ASKPASS=str(askpass(tmp_path)), SSH_ASKPASS_REQUIRE="force", DISPLAY=":0", KTUI_TEST_TOKEN=token
        )

    r = run(s, "imperative-pods", *opts, env=env("not-a-token"))
    assert r.returncode == 255 and "Permission denied" in r.stderr
    r = run(s, "alice+imperative-pods", *opts, env=env("tok-bob-1"))  # bob's token is not alice's
    assert r.returncode == 255 and "Permission denied" in r.stderr
    assert "started" not in s.text and session_pids(s.state) == []

    c = Client(s, "imperative-pods", *opts, env=env("tok-alice-1"), batch=False)
    c.expect(PROMPT)
    c.send("quit")
    c.wait()
    assert wait_until(lambda: "alice imperative-pods: started" in s.text, 10)
    r = run(s, "imperative-pods", *opts, env=env("tok-alice-1"))  # used: it does not log in twice
    assert r.returncode == 255 and "Permission denied" in r.stderr
    c = Client(s, "imperative-pods", *opts, env=env("tok-alice-2"), batch=False)
    assert "Welcome back" in c.expect(PROMPT)
    c.send("quit")
    c.wait()
    assert wait_until(lambda: s.text.count("alice imperative-pods: started") == 2, 10)


def test_past_max_sessions_and_per_learner_a_clear_message(served):
    s = served("--max-sessions", "2")
    first = Client(s, "ann+imperative-pods")
    first.expect(PROMPT)
    again = Client(s, "ann+kubelet-not-running")
    assert again.wait() == 1
    assert "ktui lab serve: ann has 1 session open already (at most 1 per learner); close it first." in again.text
    # the same learner and lab again (as after a connection that died unnoticed): the new connection takes over
    back = Client(s, "ann+imperative-pods")
    assert "Welcome back" in back.expect(PROMPT)
    assert first.wait() == 0
    assert "*** This lab was opened from another connection: this one ends here. ***" in first.text
    assert wait_until(lambda: "ann imperative-pods: ended (taken over" in s.text, 10)
    first = back
    second = Client(s, "ben+imperative-pods")
    second.expect(PROMPT)
    third = Client(s, "cid+imperative-pods")
    assert third.wait() == 1
    assert (
        "ktui lab serve: the server is full (2 sessions, its --max-sessions); try again in a few minutes." in third.text
    )
    assert len(session_pids(s.state)) == 2
    for c in (first, second):
        c.send("quit")
        c.wait()


def test_connections_per_address_are_limited(served):
    s = served("--rate", "2")
    for _ in range(2):
        r = run(s, "x+no-such-lab", "-o", "BatchMode=yes")
        assert "no lab 'no-such-lab'" in r.stdout
    r = run(s, "x+no-such-lab", "-o", "BatchMode=yes", "-o", "LogLevel=INFO")  # ssh says why at INFO, its default
    assert r.returncode == 255
    assert "too many connections from 127.0.0.1 in the last minute; try again in a minute" in r.stderr


def test_idle_timeout_warns_then_ends_the_session_and_its_process(served):
    s = served("--idle-timeout", "4s")
    c = Client(s, "ida+imperative-pods")
    c.expect(PROMPT)
    assert c.wait(30) == 0
    text = c.text
    assert re.search(
        r"\*\*\* No input for 3 seconds: this session ends in 1 second unless you type something\. "
        r"\*\*\*",
        text,
    ), text
    assert "*** No input for 4 seconds: this session ends. Your lab is saved: connect again to go on. ***" in text
    assert wait_until(lambda: "ida imperative-pods: ended (idle" in s.text, 10)
    assert session_pids(s.state) == []


def test_session_timeout_warns_then_ends(served):
    s = served("--session-timeout", "4s")
    c = Client(s, "tim+imperative-pods")
    c.expect(PROMPT)
    for _ in range(8):  # typing does not extend the absolute limit
        try:
            c.send("tasks")
        except BrokenPipeError:
            break
        if wait_until(lambda: c.proc.poll() is not None, 1.0):
            break
    assert c.wait(30) == 0
    assert "*** This session ends in 1 second (its time limit); your lab is saved. ***" in c.text
    assert (
        "*** This session has reached its time limit (4 seconds); your lab is saved: connect again to go on. ***"
        in c.text
    )
    assert session_pids(s.state) == []


def test_the_session_process_has_its_pty_as_controlling_terminal_a_memory_cap_and_three_variables(served):
    s = served("--memory", "900M")
    c = Client(s, "pat+imperative-pods", "-o", "SetEnv=SECRET=1 COLORTERM=truecolor LANG=ko_KR.UTF-8")
    c.expect(PROMPT)
    assert "과제 1/" in c.text and "Task 1/" not in c.text  # LANG=ko: the lab speaks Korean
    [pid] = session_pids(s.state)
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    assert int(stat[3]) == pid  # a session of its own, it leads
    assert int(stat[4]) != 0  # with a controlling terminal
    assert int(stat[5]) == pid  # and is in the foreground there: hang-up and SIGWINCH reach it
    limits = Path(f"/proc/{pid}/limits").read_text()
    assert re.search(r"Max address space\s+943718400\s+943718400\s+bytes", limits), limits
    env = dict(kv.split("=", 1) for kv in Path(f"/proc/{pid}/environ").read_text().split("\0") if kv)
    assert env["COLORTERM"] == "truecolor" and env["LANG"] == "ko_KR.UTF-8" and env["TERM"] == "dumb"  # the lab shell
    assert "SECRET" not in env
    assert set(env) <= {"TERM", "LANG", "COLORTERM", "PATH", "HOME", "PYTHONIOENCODING", "PYTHONPATH"}
    assert Path(env["PYTHONPATH"], "ktui", "lab", "ssh", "worker.py").is_file()  # the server's own ktui
    c.send("quit")
    c.wait()
