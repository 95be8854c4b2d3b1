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
    def __init__(
        self, name: str, command: str, env: dict[str, str], rc_file: Path, size: tuple[int, int] = (120, 40)
    ) -> None:
        self.name = name
        self.rc_file = rc_file
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        w, h = str(size[0]), str(size[1])
        subprocess.run(
            [
                "tmux",
                "new-session",
                "-d",
                "-s",
                name,
                "-x",
                w,
                "-y",
                h,
                f"cd {REPO} && env -u COLUMNS -u LINES {exports} {command}; echo $? > {rc_file}",
            ],
            check=True,
        )
        # a detached session can start at the server's default size; make sure the app sees it
        self.resize(*size)

    def resize(self, width: int, height: int) -> None:
        subprocess.run(
            ["tmux", "resize-window", "-t", self.name, "-x", str(width), "-y", str(height)],
            check=False,
            capture_output=True,
        )

    def type(self, text: str) -> None:
        """Send ``text`` in one send-keys, as fast typing or a paste arrives."""
        subprocess.run(["tmux", "send-keys", "-t", self.name, "-l", text], check=True)
        time.sleep(0.15)

    def exit_code(self, timeout: float = 60.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.rc_file.exists() and self.rc_file.read_text().strip():
                return int(self.rc_file.read_text())
            time.sleep(0.2)
        raise AssertionError(f"ktui did not exit; the screen was:\n{self.screen()}")

    def screen(self) -> str:
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name], check=True, capture_output=True, text=True
        ).stdout

    def keys(self, *keys: str) -> None:
        for k in keys:
            subprocess.run(["tmux", "send-keys", "-t", self.name, k], check=True)
            time.sleep(0.15)

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} did not appear; the screen was:\n{screen}")

    def wait_gone(self, text: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text not in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} did not go; the screen was:\n{screen}")

    def kill(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], check=False, capture_output=True)


@pytest.fixture
def tmux(tmp_path):
    sessions: list[Tmux] = []

    def start(args: str, size: tuple[int, int] = (120, 40)) -> Tmux:
        n = len(sessions)
        t = Tmux(
            f"ktui-test-{os.getpid()}-{n}",
            f"{_command()} {args}",
            {"KTUI_CONFIG": str(tmp_path / "config"), "TERM": "xterm-256color"},
            tmp_path / f"rc{n}",
            size,
        )
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
    t.wait_for("step 1/26 A Deployment across the workers")
    t.wait_for("deployment.apps/web created")  # the step's output may land a frame after its title
    t.keys("]")  # kubectl wait: the clock moves until the Deployment is Available
    t.wait_for("step 2/26")
    screen = t.wait_for("deployment.apps/web condition met")
    assert screen.count("Running") >= 5
    t.keys("]", "]", "]")
    t.wait_for("5/26 node01's kubelet stops")
    t.wait_for("The kubelet on node01 stops")
    t.keys("[")
    t.wait_for("step 4/26")
    t.keys(":")
    t.keys(*"get nodes", "Enter")
    screen = t.wait_for("$ kubectl get nodes")
    assert "node01         Ready    <none>" in screen or "node01   Ready" in screen
    t.keys("q")
    t.wait_for("Quit in the middle of node-failure")
    t.keys("y")
    assert t.exit_code() == 0


def test_160x48_help_typeahead_resize_and_quit(tmux):
    from ktui.tui.keys import KEYS

    t = tmux("--scenario node-failure --speed 0", size=(160, 48))
    t.wait_for("Pods (9)")
    t.keys("?")
    screen = t.wait_for("ktui keys")
    assert "Pods (9)" in screen and "⎈ kubernetes" in screen  # the main screen stays visible behind the help
    for k in KEYS:
        assert k.label in screen and k.help[:30] in screen, k
    t.keys("Escape")
    t.wait_gone("ktui keys")  # the help is closed before anything is typed
    t.wait_for("] step")
    t.type(":get pods -n kube-system")
    t.keys("Enter")
    screen = t.wait_for("$ kubectl get pods -n kube-system")
    assert "kube-proxy-" in screen and "Theme" not in screen
    t.keys("Escape")
    t.wait_gone("$ kubectl get pods")
    t.type("/kube-proxy")
    t.keys("Enter")
    screen = t.wait_for("Pods (3/9)")
    assert "filter: kube-proxy" in screen
    assert "describe" not in screen
    t.resize(80, 24)
    t.wait_for(" Pods  Nodes  Services")
    screen = t.wait_for("] step ? help")
    assert "? help" in screen.rstrip().splitlines()[-1]
    t.resize(160, 48)
    t.wait_for("╭─ Nodes (3)")
    t.keys("q")  # nothing stepped yet: quits at once
    assert t.exit_code() == 0


def test_80x24_every_theme_previews_and_quit(tmux):
    t = tmux("--seed 0 --speed 0", size=(80, 24))
    t.wait_for("Pods (9)")
    screen = t.wait_for("? help")
    assert "? help" in screen.rstrip().splitlines()[-1]
    t.keys("t")
    t.wait_for("Theme")
    t.keys("Home")
    for _ in range(30):  # every theme Textual lists and ktui's own
        t.keys("Down")
    screen = t.wait_for("Theme")
    assert "Traceback" not in screen
    t.keys("Escape")
    t.wait_for("Pods (9)")
    t.keys("q")
    assert t.exit_code() == 0
