"""What every benchmark prints beside its figures (machine, Python, load) and the checks they share."""

from __future__ import annotations

import gc
import os
import platform
import sys
import time

__all__ = ["header", "rss_mib", "Timer", "Collections", "check"]


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def header(name: str) -> None:
    """Print the benchmark's name, the date, the machine, the Python version and the load average."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(f"# {name} — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(
        f"# machine: {_cpu_model()}, {os.cpu_count()} CPUs; Python {platform.python_version()} "
        f"({platform.python_implementation()}); load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    sys.stdout.flush()


def rss_mib() -> float:
    """The resident set size of this process now, in MiB (from /proc; 0 where there is none)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Timer:
    """``with Timer() as t: ...`` then ``t.seconds`` (wall) and ``t.cpu`` (this process's CPU time: on a
    shared machine the steadier figure; both are printed)."""

    def __enter__(self) -> "Timer":
        self.start = time.perf_counter()
        self.cpu_start = time.process_time()
        self.seconds = self.cpu = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start
        self.cpu = time.process_time() - self.cpu_start


class Collections:
    """``with Collections() as c: ...`` then ``c.count[g]``, ``c.cpu[g]`` and ``c.longest[g]``: the cyclic garbage
    collector's passes of generation ``g`` meanwhile, their CPU seconds and the longest one (wall)."""

    def __enter__(self) -> "Collections":
        self.count, self.cpu, self.longest = [0, 0, 0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]
        self._start = (0.0, 0.0)
        gc.callbacks.insert(0, self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = (time.perf_counter(), time.process_time())
            return
        g = info["generation"]
        self.count[g] += 1
        self.cpu[g] += time.process_time() - self._start[1]
        self.longest[g] = max(self.longest[g], time.perf_counter() - self._start[0])

    def __str__(self) -> str:
        return ", ".join(
            f"{self.count[g]} of generation {g} ({self.cpu[g]:.2f} CPU s, longest {self.longest[g] * 1000:.0f} ms)"
            for g in range(3)
        )


def check(ok: bool, what: str) -> None:
    """Stop the benchmark when it did not measure what its label says."""
    if not ok:
        print(f"BENCHMARK INVALID: {what}", file=sys.stderr)
        raise SystemExit(2)
