"""``ktui lab serve`` with the real OpenSSH client: connect → first frame, memory per session, command latency.

``python benchmarks/bench_ssh.py --sessions 20``: a server on 127.0.0.1 (a free port, a temporary state
directory), then

- connect → first frame: from starting ``ssh`` to the lab's first prompt on its output, for sessions one at a
  time (each alone on the machine) and for all of them started at once (median, p95);
- memory per session process: RSS and PSS (``/proc/PID/smaps_rollup``) of each, and its address space;
- command latency: K sessions each type ``kubectl get pods`` at the same moment; the time until each one's
  prompt is back (median, p95), for K = 1, 5, 10, ... up to ``--sessions``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import header  # noqa: E402

PROMPT = b"controlplane:~$ "
KTUI = [sys.executable, "-c", "import sys; from ktui.cli import main; sys.exit(main())"]


class Session:
    """One ``ssh -tt`` client, its output collected as it comes."""

    def __init__(self, port: int, user: str, home: Path) -> None:
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            ["ssh", "-F", "/dev/null", "-p", str(port), "-tt", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
             "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", f"{user}@127.0.0.1"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env={"HOME": str(home), "PATH": os.environ["PATH"], "LANG": "C.UTF-8", "TERM": "xterm"})
        self.buf = bytearray()
        self.lock = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while data := self.proc.stdout.read1(65536):
            with self.lock:
                self.buf += data
                self.lock.notify_all()

    def wait_for(self, needle: bytes, start: int = 0, timeout: float = 120.0) -> float:
        """Seconds (perf_counter) when ``needle`` appeared after offset ``start``."""
        end = time.monotonic() + timeout
        with self.lock:
            while self.buf.find(needle, start) < 0:
                if not self.lock.wait(max(0.0, end - time.monotonic())):
                    raise TimeoutError(f"{needle!r} not seen: {bytes(self.buf[-300:])!r}")
            return time.perf_counter()

    def send(self, line: str) -> tuple[int, float]:
        with self.lock:
            mark = len(self.buf)
        t = time.perf_counter()
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()
        return mark, t

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def proc_memory(pid: int) -> tuple[float, float, float]:
    """RSS, PSS and address space of a process, MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
    vsz = int(re.search(r"VmSize:\s+(\d+)", status).group(1)) / 1024
    try:
        pss = int(re.search(r"Pss:\s+(\d+)", Path(f"/proc/{pid}/smaps_rollup").read_text()).group(1)) / 1024
    except (OSError, AttributeError):
        pss = float("nan")
    return rss, pss, vsz


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--lab", default="imperative-pods")
    ns = ap.parse_args()
    if not shutil.which("ssh"):
        print("needs the OpenSSH client (ssh)", file=sys.stderr)
        return 2
    header("bench_ssh")
    n = ns.sessions
    with tempfile.TemporaryDirectory(prefix="ktui-bench-ssh-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        server = subprocess.Popen([*KTUI, "lab", "serve", "--port", "0", "--listen", "127.0.0.1", "--state",
                                   f"{tmp}/state", "--max-sessions", str(n + 1), "--rate", str(10 * n)],
                                  stdout=subprocess.PIPE, text=True)
        port = int(re.search(r":(\d+) ", server.stdout.readline()).group(1))
        log: list[str] = []
        threading.Thread(target=lambda: log.extend(server.stdout), daemon=True).start()
        try:
            alone = []
            for i in range(n):
                s = Session(port, f"solo{i}+{ns.lab}", home)
                alone.append(s.wait_for(PROMPT) - s.started)
                s.close()
                time.sleep(0.3)  # its process is hung up and reaped before the next one
            print(f"connect → first frame, one at a time ({n}): median {statistics.median(alone):.3f} s, "
                  f"p95 {pct(alone, 95):.3f} s, min {min(alone):.3f} s")

            sessions = [Session(port, f"l{i}+{ns.lab}", home) for i in range(n)]
            together = [s.wait_for(PROMPT) - s.started for s in sessions]
            print(f"connect → first frame, {n} at once: median {statistics.median(together):.3f} s, "
                  f"p95 {pct(together, 95):.3f} s, last {max(together):.3f} s")

            time.sleep(1.0)
            pids = [int(m) for m in re.findall(r"started, pid (\d+)", "".join(log))][-n:]
            mem = [proc_memory(pid) for pid in pids]
            print(f"memory per session process ({len(mem)}): RSS median {statistics.median(m[0] for m in mem):.1f} MiB, "
                  f"PSS median {statistics.median(m[1] for m in mem):.1f} MiB, address space "
                  f"{statistics.median(m[2] for m in mem):.0f} MiB (the default --memory cap is 1024 MiB)")
            server_rss = proc_memory(server.pid)[0]
            print(f"server process RSS with {n} sessions: {server_rss:.1f} MiB")

            for s in sessions:  # a first command warms each session's kubectl
                s.wait_for(PROMPT, s.send("kubectl get nodes")[0] + 1)
            k = 1
            while k <= n:
                lat = []
                for _ in range(3):
                    sent = [(s, *s.send("kubectl get pods")) for s in sessions[:k]]
                    lat += [s.wait_for(PROMPT, mark + 1) - t for s, mark, t in sent]
                print(f"command latency, {k:2} sessions typing at once: median {statistics.median(lat) * 1000:.0f} ms, "
                      f"p95 {pct(lat, 95) * 1000:.0f} ms")
                k = 5 if k == 1 else k + 5
            for s in sessions:
                s.close()
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
