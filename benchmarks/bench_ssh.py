"""``ktui lab serve`` with the real OpenSSH client: connect → first frame, memory per session, latency.

``python benchmarks/bench_ssh.py --sessions 20 [--frontend tui|headless]``: a server on 127.0.0.1 (a free port,
a temporary state directory), clients with ``TERM=xterm-256color`` (the terminal UI) or ``TERM=dumb`` (the lab
shell), then

- connect → first frame: from starting ``ssh`` to the lab's prompt (``controlplane:~$``) on its output — in the
  UI that is drawn with the first whole frame — for sessions one at a time (each alone on the machine) and for
  all of them started at once (median, p95);
- memory per session process: RSS and PSS (``/proc/PID/smaps_rollup``) of each, and its address space;
- command latency: K sessions each type ``kubectl get pods`` at the same moment; the time until each one's
  answer is back (median, p95), for K = 1, 5, 10, ... up to ``--sessions``;
- (UI) CPU of an idle session (its clock runs in real time and redraws);
- (UI) keypress latency: N sessions connected, every one typing a key every 250 ms (a fast typist), each at
  its own moment; the time from a key's byte leaving the client to its echo in the prompt arriving back
  (median, p95), for N = 2, 4, 6, ... up to ``--sessions``. The largest N whose p95 stays under 100 ms, over
  the CPUs, is "sessions per core".
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

PROMPT = b"controlplane:~$"
KTUI = [sys.executable, "-c", "import sys; from ktui.cli import main; sys.exit(main())"]


class Session:
    """One ``ssh -tt`` client, its output collected as it comes."""

    def __init__(self, port: int, user: str, home: Path, term: str = "xterm-256color") -> None:
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [
                "ssh",
                "-F",
                "/dev/null",
                "-p",
                str(port),
                "-tt",
                "-o",
                "BatchMode=yes",
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
                "-o",
                "LogLevel=ERROR",
                f"{user}@127.0.0.1",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={"HOME": str(home), "PATH": os.environ["PATH"], "LANG": "C.UTF-8", "TERM": term},
        )
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

    def send(self, line: str, end: bytes = b"\n") -> tuple[int, float]:
        with self.lock:
            mark = len(self.buf)
        t = time.perf_counter()
        self.proc.stdin.write(line.encode() + end)
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


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process used so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def typing(s: Session, keys: int, phase: float, out: list[float]) -> None:
    """Type ``keys`` keys into the UI's prompt, one every 250 ms from ``phase``; each echo's latency into ``out``."""
    time.sleep(phase)
    value = ""
    for i in range(keys):
        if len(value) >= 12:  # ctrl+u clears the prompt (not timed)
            s.send("", b"\x15")
            value = ""
            time.sleep(0.25)
        value += "z" if not value else str(i % 10)
        mark, t = s.send(value[-1], b"")
        out.append(s.wait_for(value.encode(), mark, 30) - t)
        time.sleep(max(0.0, 0.25 - (time.perf_counter() - t)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--lab", default="imperative-pods")
    ap.add_argument("--frontend", choices=("tui", "headless"), default="tui")
    ns = ap.parse_args()
    if not shutil.which("ssh"):
        print("needs the OpenSSH client (ssh)", file=sys.stderr)
        return 2
    header("bench_ssh")
    tui = ns.frontend == "tui"
    term = "xterm-256color" if tui else "dumb"
    enter = b"\r" if tui else b"\n"
    print(f"# frontend: {'the terminal UI' if tui else 'the lab shell'} (TERM={term})")
    n = ns.sessions
    with tempfile.TemporaryDirectory(prefix="ktui-bench-ssh-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        server = subprocess.Popen(
            [
                *KTUI,
                "lab",
                "serve",
                "--port",
                "0",
                "--listen",
                "127.0.0.1",
                "--state",
                f"{tmp}/state",
                "--max-sessions",
                str(n + 1),
                "--rate",
                str(100 * n),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        port = int(re.search(r":(\d+) ", server.stdout.readline()).group(1))
        log: list[str] = []
        threading.Thread(target=lambda: log.extend(server.stdout), daemon=True).start()

        def pids(k: int) -> list[int]:
            return [int(m) for m in re.findall(r"started, pid (\d+)", "".join(log))][-k:]

        try:
            alone = []
            for i in range(n):
                s = Session(port, f"solo{i}+{ns.lab}", home, term)
                alone.append(s.wait_for(PROMPT) - s.started)
                s.close()
                time.sleep(0.3)  # its process is hung up and reaped before the next one
            print(
                f"connect → first frame, one at a time ({n}): median {statistics.median(alone):.3f} s, "
                f"p95 {pct(alone, 95):.3f} s, min {min(alone):.3f} s"
            )

            sessions = [Session(port, f"l{i}+{ns.lab}", home, term) for i in range(n)]
            together = [s.wait_for(PROMPT) - s.started for s in sessions]
            print(
                f"connect → first frame, {n} at once: median {statistics.median(together):.3f} s, "
                f"p95 {pct(together, 95):.3f} s, last {max(together):.3f} s"
            )

            time.sleep(2.0)
            mem = [proc_memory(pid) for pid in pids(n)]
            print(
                f"memory per session process ({len(mem)}): RSS median {statistics.median(m[0] for m in mem):.1f} MiB, "
                f"PSS median {statistics.median(m[1] for m in mem):.1f} MiB, address space "
                f"{statistics.median(m[2] for m in mem):.0f} MiB (the default --memory cap is 1024 MiB)"
            )
            server_rss = proc_memory(server.pid)[0]
            print(f"server process RSS with {n} sessions: {server_rss:.1f} MiB")
            if tui:
                before = {pid: cpu_seconds(pid) for pid in pids(n)}
                t0 = time.perf_counter()
                time.sleep(10.0)
                used = [(cpu_seconds(pid) - c) / (time.perf_counter() - t0) for pid, c in before.items()]
                print(
                    f"CPU of an idle session (clock running, {n} connected): median "
                    f"{statistics.median(used) * 100:.1f} % of a core, max {max(used) * 100:.1f} %"
                )

            answer = b"No resources found" if tui else PROMPT
            for s in sessions:  # a first command warms each session's kubectl
                s.wait_for(b"NAME", s.send("kubectl get nodes", enter)[0] + 1)
            k = 1
            while k <= n:
                lat = []
                for _ in range(3):
                    sent = [(s, *s.send("kubectl get pods", enter)) for s in sessions[:k]]
                    lat += [s.wait_for(answer, mark + 1) - t for s, mark, t in sent]
                    time.sleep(0.5)
                print(
                    f"command latency, {k:2} sessions typing at once: median {statistics.median(lat) * 1000:.0f} ms, "
                    f"p95 {pct(lat, 95) * 1000:.0f} ms"
                )
                k = 5 if k == 1 else k + 5
            for s in sessions:
                s.close()
            if tui:
                time.sleep(2.0)
                keypress(port, home, term, n, ns.lab)
        except Exception:
            print(
                f"server {'exited ' + str(server.poll()) if server.poll() is not None else 'running'}; its log:\n"
                + "".join(log[-30:]),
                file=sys.stderr,
            )
            raise
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
    return 0


def keypress(port: int, home: Path, term: str, n: int, lab: str) -> None:
    """Keypress latency with N sessions connected and all typing (see the module docstring)."""
    rng = __import__("random").Random(0)  # the typists' phases: seeded, so runs are alike
    best = 0
    pool: list[Session] = []
    for target in range(2, n + 1, 2):
        while len(pool) < target:
            s = Session(port, f"k{len(pool)}+{lab}", home, term)
            s.wait_for(PROMPT)
            pool.append(s)
        time.sleep(1.0)
        lat: list[float] = []
        threads = [threading.Thread(target=typing, args=(s, 16, rng.random() * 0.25, lat)) for s in pool]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for s in pool:
            s.send("", b"\x15")
        p95 = pct(lat, 95)
        print(
            f"keypress → echo, {target:2} sessions all typing: median {statistics.median(lat) * 1000:.0f} ms, "
            f"p95 {p95 * 1000:.0f} ms ({len(lat)} keys)"
        )
        if p95 < 0.1:
            best = target
    cpus = os.cpu_count() or 1
    print(f"sessions per core with keypress p95 under 100 ms: {best / cpus:.1f} ({best} sessions on {cpus} CPUs)")
    for s in pool:
        s.close()


if __name__ == "__main__":
    sys.exit(main())
