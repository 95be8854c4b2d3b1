"""``ktui up --detach`` / ``ktui status`` / ``ktui down`` as a user runs them: the kubeconfig context, the
real kubectl and ``ktui kubectl`` against the running server, and objects kept across a restart."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.server.conftest import KUBECTL

ROOT = Path(__file__).resolve().parents[2]

OTHER = """apiVersion: v1
kind: Config
clusters:
- name: other
  cluster: {server: "https://192.0.2.1:6443"}
contexts:
- name: other
  context: {cluster: other, user: other}
users:
- name: other
  user: {token: abc}
current-context: other
"""


def _env(tmp: Path) -> dict[str, str]:
    return {
        "PATH": f"{KUBECTL.parent}:{os.environ.get('PATH', '')}",
        "HOME": str(tmp),
        "KTUI_HOME": str(tmp / "ktui"),
        "KUBECONFIG": str(tmp / "kube" / "config"),
        "PYTHONPATH": str(ROOT),
    }


def _ktui(tmp: Path, *args: str, timeout: float = 120, stdin: str | None = None) -> tuple[str, str, int]:
    p = subprocess.run(
        [sys.executable, "-m", "ktui.cli", *args],
        capture_output=True,
        text=True,
        env=_env(tmp),
        timeout=timeout,
        cwd=str(tmp),
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
    )
    return p.stdout, p.stderr, p.returncode


def _kubectl(tmp: Path, *args: str) -> tuple[str, str, int]:
    p = subprocess.run([str(KUBECTL), *args], capture_output=True, text=True, env=_env(tmp), timeout=60)
    return p.stdout, p.stderr, p.returncode


def test_up_down_up_keeps_objects_and_the_other_contexts(tmp_path: Path) -> None:
    config = tmp_path / "kube" / "config"
    config.parent.mkdir()
    config.write_text(OTHER)
    try:
        out, err, code = _ktui(tmp_path, "up", "--detach", "--port", "0", "--seed", "5")
        assert code == 0, err
        assert out.startswith("ktui is serving the local cluster at https://127.0.0.1:")
        assert out.endswith(f'; context "ktui" written to {config}\n')
        data = yaml.safe_load(config.read_text())
        assert data["current-context"] == "ktui"
        assert [c["name"] for c in data["contexts"]] == ["other", "ktui"]

        assert _kubectl(tmp_path, "run", "keep", "--image=nginx") == ("pod/keep created\n", "", 0)
        assert _ktui(tmp_path, "kubectl", "get", "pod", "keep", "-o", "name") == ("pod/keep\n", "", 0)
        # Against a server, `ktui kubectl` is a thin client: it loads none of the simulation (fast start-up).
        p = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "ktui.cli", "kubectl", "get", "pod", "keep", "-o", "name"],
            capture_output=True,
            text=True,
            env=_env(tmp_path),
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        loaded = {line.rsplit("|", 1)[-1].strip() for line in p.stderr.splitlines() if line.startswith("import time:")}
        assert (p.stdout, p.returncode) == ("pod/keep\n", 0)
        assert "ktui.remote" in loaded
        assert not {"ktui.cluster", "ktui.kubectl", "ktui.api", "ktui.server"} & loaded
        piped = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: piped}\ndata: {a: '1'}\n"
        assert _ktui(tmp_path, "kubectl", "apply", "-f", "-", stdin=piped) == ("configmap/piped created\n", "", 0)
        assert _kubectl(tmp_path, "get", "cm", "piped", "-o", "jsonpath={.data.a}") == ("1", "", 0)
        assert _ktui(tmp_path, "kubectl", "get", "nodes", "-o", "name") == _kubectl(
            tmp_path, "get", "nodes", "-o", "name"
        )
        out, _, code = _ktui(tmp_path, "status")
        assert code == 0 and out.startswith("ktui is running at https://127.0.0.1:")
        out, err, code = _ktui(tmp_path, "cluster", "advance", "1h")
        assert code == 0 and out.startswith("advanced 1h0m0s; simulated time is now 1h"), err
        age = _kubectl(tmp_path, "get", "nodes")[0].splitlines()[1].split()[3]
        assert age.endswith("m") and 60 <= int(age[:-1]) < 70

        out, err, code = _ktui(tmp_path, "up", "--port", "0")
        assert (out, code) == ("", 1)
        assert err.startswith(f"ktui: the local cluster in {tmp_path / 'ktui'} is in use by ktui (pid ")

        out, err, code = _ktui(tmp_path, "down")
        assert code == 0, err
        assert out == (
            f'ktui stopped; the local cluster is saved in {tmp_path / "ktui"}; context "ktui" removed from {config}\n'
        )
        assert yaml.safe_load(config.read_text()) == {**yaml.safe_load(OTHER)}
        assert _ktui(tmp_path, "status")[2] == 1
        assert _ktui(tmp_path, "down") == ("", f"ktui: ktui is not running (local cluster in {tmp_path / 'ktui'})\n", 1)

        # Without a server, `ktui kubectl` opens the saved cluster itself.
        assert _ktui(tmp_path, "kubectl", "get", "pod", "keep", "-o", "name") == ("pod/keep\n", "", 0)

        assert _ktui(tmp_path, "up", "--detach", "--port", "0")[2] == 0
        assert _kubectl(tmp_path, "get", "pod", "keep", "-o", "name") == ("pod/keep\n", "", 0)
    finally:
        _ktui(tmp_path, "down")
    assert _ktui(tmp_path, "status") == (f"ktui is not running (local cluster in {tmp_path / 'ktui'})\n", "", 1)


def test_a_killed_server_keeps_what_was_saved(tmp_path: Path) -> None:
    import json
    import signal
    import time

    (tmp_path / "kube").mkdir()
    try:
        assert _ktui(tmp_path, "up", "--detach", "--port", "0", "--save-interval", "0.5")[2] == 0
        assert _kubectl(tmp_path, "run", "saved", "--image=nginx") == ("pod/saved created\n", "", 0)
        info = json.loads((tmp_path / "ktui" / "server.json").read_text())

        def state_mtime() -> int:
            newest = 0
            for f in (tmp_path / "ktui").iterdir():
                if f.name not in ("lock", "server.json", "server.log"):
                    try:
                        newest = max(newest, f.stat().st_mtime_ns)
                    except OSError:
                        pass  # a temporary file of a save in progress, gone since
            return newest

        for _ in range(2):  # a save that began before the create may not hold it; the one after does
            before, deadline = state_mtime(), time.monotonic() + 30
            while state_mtime() == before and time.monotonic() < deadline:
                time.sleep(0.05)
        os.kill(info["pid"], signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.kill(info["pid"], 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        assert _ktui(tmp_path, "kubectl", "get", "pod", "saved", "-o", "name") == ("pod/saved\n", "", 0)
        out, err, code = _ktui(tmp_path, "up", "--detach", "--port", "0")
        assert code == 0, err
        assert _kubectl(tmp_path, "get", "pod", "saved", "-o", "name") == ("pod/saved\n", "", 0)
    finally:
        _ktui(tmp_path, "down")


def test_up_in_the_foreground_stops_on_ctrl_c(tmp_path: Path) -> None:
    import signal

    (tmp_path / "kube").mkdir()
    p = subprocess.Popen(
        [sys.executable, "-m", "ktui.cli", "up", "--port", "0", "--speed", "4"],
        env=_env(tmp_path),
        cwd=str(tmp_path),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert p.stdout is not None
        first = p.stdout.readline()
        assert first.startswith("ktui is serving the local cluster at https://127.0.0.1:"), p.stderr
        out, err, code = _ktui(tmp_path, "status")
        assert code == 0 and "speed 4x" in out
        assert _kubectl(tmp_path, "get", "ns", "default", "-o", "name") == ("namespace/default\n", "", 0)
        p.send_signal(signal.SIGINT)
        rest, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert (rest, err, p.returncode) == (f"ktui stopped; the local cluster is saved in {tmp_path / 'ktui'}\n", "", 0)
    assert yaml.safe_load((tmp_path / "kube" / "config").read_text())["contexts"] == []
