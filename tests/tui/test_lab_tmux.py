"""``ktui lab run NAME`` in a real terminal (tmux): the UI's first frame with the task pane, a kubectl command at
the prompt, a check with ``c``, a hint with ``h``, a smaller terminal, and ``q``: the summary, on the UI and then
on the terminal after the UI has gone."""

from __future__ import annotations

import sys

from tests.tui.test_tmux import Tmux


def test_a_lab_in_the_terminal_ui(tmp_path):
    env = {"KTUI_CONFIG": str(tmp_path / "config"), "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    t = Tmux(
        f"ktui-lab-test-{tmp_path.name}",
        f"{sys.executable} -m ktui.cli lab run expose-clusterip; echo exit=$?; sleep 60",
        env,
        tmp_path / "rc",
        size=(140, 42),
    )
    try:
        t.wait_for("[0/2 ✓] controlplane:~$")
        t.wait_for("Task 1/2: A ClusterIP Service for web")
        t.wait_for("Expose the pod web as a Service named web-svc")  # each part of the first frame, as it comes
        t.wait_for("# expose-clusterip: Expose a pod as a ClusterIP Service")
        t.type("kubectl expose pod web --name=web-svc --port=8080")
        t.keys("Enter")
        t.wait_for("service/web-svc exposed")
        t.keys("Escape")
        t.keys("c")  # Tmux.keys pauses between keys: ESC is not taken for alt+c
        screen = t.wait_for("✗ Task 1: A ClusterIP Service for web: 1 of 6 checks failed")
        assert "The Service web-svc does not listen on port 80." in screen
        assert 'saw "8080", expected "80"' in screen
        t.keys("h")
        t.wait_for("Hint 1/2: kubectl expose makes a Service")
        t.resize(90, 30)
        screen = t.wait_for(" Pods  Nodes  Services")  # the small layout: tabs, and the pane above them
        assert screen.index("Task 1/2") < screen.index(" Pods  Nodes  Services")
        t.keys("q")
        t.wait_for("Lab finished")
        t.keys("Enter")
        screen = t.wait_for("exit=1")  # a task did not pass; the summary stays on the terminal
        assert "tasks passed: 0/2, hints used: 1, solutions shown: 0, time: 00:0" in screen
        assert "✗ 1. A ClusterIP Service for web (1 hint)" in screen
    finally:
        t.kill()
