"""``ktui lab serve`` shows the terminal UI: the real OpenSSH client in tmux sees the lab's first frame (the
task pane and the prompt), types a kubectl command, checks with ``c``, is resized, and disconnects; the lab is
saved after the command and the check, and no session process is left behind."""

from __future__ import annotations

import json
import os
import re
import time

import pytest

from tests.lab.test_ssh import Server, Tmux, session_pids, wait_until


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path, "--rate", "100")
    yield s
    print(s.text)  # the server's log, shown when a test fails
    s.close()
    assert session_pids(s.state) == []


def result(server: Server, learner: str, lab: str) -> dict:
    """What the server saved of the learner's lab ({} before the first save)."""
    try:
        doc = json.loads((server.state / "results" / f"{learner}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return doc["labs"].get(lab, {})


def test_the_terminal_ui_over_ssh_first_frame_kubectl_check_resize_disconnect(server):
    tmux = Tmux(f"ktui-ssh-tui-test-{os.getpid()}")
    cmd = " ".join(server.ssh("alice+kubelet-not-running", "-t", "-o", "BatchMode=yes"))
    env = " ".join(f"{k}={v}" for k, v in server.env(TERM="xterm-256color").items())
    try:
        tmux("new-session", "-d", "-s", "lab", "-x", "130", "-y", "40", f"env -i {env} {cmd}")
        screen = tmux.wait_for("[0/1 ✓] controlplane:~$")
        tmux.wait_for("Task 1/1: Bring node01 back")  # the task pane, beside the panels ...
        tmux.wait_for("╭─ Nodes (3)")  # ... which fill as their first lists arrive
        tmux.wait_for("╭─ Pods (")
        tmux.wait_for("# kubelet-not-running: A node that is NotReady")  # the transcript starts with the lab

        tmux("send-keys", "-t", "lab", "-l", "kubectl get nodes")
        tmux("send-keys", "-t", "lab", "Enter")
        screen = tmux.wait_for("controlplane:~$ kubectl get nodes")
        nodes = wait_until(lambda: re.search(r"node01\s+NotReady\s+<none>", tmux.screen()), 60)
        assert nodes, tmux.screen()
        assert wait_until(lambda: result(server, "alice", "kubelet-not-running").get("tasks"), 20)

        tmux("send-keys", "-t", "lab", "Escape")  # leave the prompt: c, h, o are the lab's keys
        time.sleep(1.0)  # as a person pauses: ESC and c at once would be alt+c
        tmux("send-keys", "-t", "lab", "c")
        screen = tmux.wait_for("2 of 3 checks failed")
        assert "Last check" in screen and "node01 is not Ready." in screen
        saved = wait_until(lambda: result(server, "alice", "kubelet-not-running")["tasks"][0]["checks"] == 1, 20)
        assert saved, result(server, "alice", "kubelet-not-running")

        # a small terminal: the UI lays itself out again (SIGWINCH reached it): tabs instead of the grid
        tmux("resize-window", "-t", "lab", "-x", "80", "-y", "24")
        screen = tmux.wait_for(" Pods  Nodes  Services")
        assert "Task 1/1: Bring node01 back" in screen
        assert all(len(line) <= 80 for line in screen.split("\n"))
        assert len(session_pids(server.state)) == 1

        tmux("kill-session", "-t", "lab")  # the terminal closes: ssh goes, the connection drops
        assert wait_until(lambda: session_pids(server.state) == [], 20), session_pids(server.state)
        assert wait_until(lambda: "alice kubelet-not-running: ended (disconnected" in server.text, 30), server.text
    finally:
        tmux("kill-server")
