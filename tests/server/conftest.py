"""A ktui server on 127.0.0.1 (a free port, its own thread, paused clock) and the real clients against it."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from ktui.cluster import Cluster
from ktui.server import PKI, KtuiServer, ServerThread
from ktui.server.kubeconfig import kubeconfig_text

KUBECTL = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "kubectl"


@dataclass
class Served:
    """A running server and what tests need to reach it."""

    thread: ServerThread
    cluster: Cluster
    pki: PKI
    home: Path
    kubeconfig: Path

    @property
    def url(self) -> str:
        return self.thread.server.url

    def call(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` on the server's loop (the only thread that may touch the cluster)."""
        return self.thread.call(fn)

    def advance(self, seconds: float) -> None:
        self.call(lambda: self.cluster.advance(seconds))

    def ktui(self, line: str, stdin: str = "") -> tuple[str, str, int]:
        """ktui's own kubectl, in process, on the served cluster."""
        return self.call(lambda: self.cluster.kubectl(line, stdin=stdin))

    def kubectl(
        self, *args: str, kubeconfig: Path | None = None, stdin: str = "", timeout: float = 60
    ) -> tuple[str, str, int]:
        """The real kubectl 1.37 against the server."""
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(self.home),
            "KUBECONFIG": str(kubeconfig or self.kubeconfig),
        }
        p = subprocess.run(
            [str(KUBECTL), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            cwd=str(self.home),
        )
        return p.stdout, p.stderr, p.returncode


def serve(tmp: Path, cluster: Cluster, speed: float = 0.0) -> Iterator[Served]:
    pki = PKI(tmp / "pki")
    pki.ensure()
    with ServerThread(KtuiServer(cluster, pki, port=0, speed=speed)) as thread:
        kubeconfig = tmp / "config"
        kubeconfig.write_text(kubeconfig_text(pki, thread.server.url))
        yield Served(thread, cluster, pki, tmp, kubeconfig)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The built-in cluster (seed 0) a minute after it started, served with its clock paused."""
    cluster = Cluster.default(seed=0)
    cluster.advance(60)
    yield from serve(tmp_path_factory.mktemp("served"), cluster)
