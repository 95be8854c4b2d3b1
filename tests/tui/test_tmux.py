"""The real ``ktui`` in tmux: step part of a built-in scenario with send-keys and read the screen."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

# .ci/run installs tmux when it is missing; without it this test fails rather than skip silently.
assert shutil.which("tmux") is not None, "tmux is needed for the terminal test (apt-get install tmux)"

REPO = Path(__file__).resolve().parents[2]


def _command() -> str:
    ktui = Path(sys.executable).with_name("ktui")
    if ktui.exists():
        return str(ktui)
    return f"{sys.executable} -m ktui.tui"


class Tmux:
    def __init__(self, name: str, command: str, env: dict[str, str]) -> None:
        self.name = name
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "120", "-y", "40",
                        f"cd {REPO} && env -u COLUMNS -u LINES {exports} {command}"], check=True)
        # a detached session can start at the server's default size; make sure the app sees 120x40
        subprocess.run(["tmux", "resize-window", "-t", name, "-x", "120", "-y", "40"], check=False,
                       capture_output=True)

    def screen(self) -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name], check=True, capture_output=True,
                              text=True).stdout

    def keys(self, *keys: str) -> None:
        for k in keys:
            subprocess.run(["tmux", "send-keys", "-t", self.name, k], check=True)
            time.sleep(0.15)

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} did not appear; the screen was:\n{screen}")

    def kill(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], check=False, capture_output=True)


@pytest.fixture
def tmux(tmp_path):
    sessions: list[Tmux] = []

    def start(args: str) -> Tmux:
        t = Tmux(f"ktui-test-{os.getpid()}-{len(sessions)}", f"{_command()} {args}",
                 {"KTUI_CONFIG": str(tmp_path / "config"), "TERM": "xterm-256color"})
        sessions.append(t)
        return t

    yield start
    for t in sessions:
        t.kill()


def test_step_through_node_failure_in_tmux(tmux):
    t = tmux("--scenario node-failure --speed 0")
    t.wait_for("Pods (9)")
    screen = t.wait_for("⏸")
    assert "0/26" in screen and "00:02:00" in screen
    t.keys("]")
    screen = t.wait_for("step 1/26 A Deployment across the workers")
    assert "deployment.apps/web created" in screen
    t.keys("]")  # kubectl wait: the clock moves until the Deployment is Available
    screen = t.wait_for("2/26")
    assert "deployment.apps/web condition met" in screen
    assert screen.count("Running") >= 8
    t.keys("]", "]", "]")
    screen = t.wait_for("5/26 node01's kubelet stops")
    assert "The kubelet on node01 stops" in screen
    t.keys("[")
    t.wait_for("4/26")
    t.keys(":")
    t.keys(*"get nodes", "Enter")
    screen = t.wait_for("$ kubectl get nodes")
    assert "node01         Ready    <none>" in screen or "node01   Ready" in screen
    t.keys("q")
