"""Carry out one scenario step on a cluster and describe what happened, as transcript text and as data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ktui.kubectl  # noqa: F401  # installs Cluster.kubectl, which the steps run
from ktui.scenario.model import Step, fault_words

__all__ = ["CheckResult", "StepResult", "clock", "execute_step"]

OK, FAIL = "✓", "✗"


def clock(seconds: float) -> str:
    """``00:05:40``: simulated seconds since the scenario started, as HH:MM:SS."""
    s = max(0, int(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


@dataclass(frozen=True)
class CheckResult:
    """One check of an ``expect`` step."""

    check: str
    """What was expected, e.g. ``contains "Running"``."""
    ok: bool
    seen: str
    """What was seen (the output, quoted and shortened, or ``exit N``)."""


@dataclass
class StepResult:
    """What running one step did.

    Times are simulated seconds since the scenario started (since the cluster was handed over).
    """

    step: Step
    lang: str
    start: float
    end: float
    ok: bool = True
    command: str = ""
    """The kubectl command line that ran (``run``, ``apply``, ``wait``, ``expect``)."""
    stdin: str = ""
    stdout: str = ""
    stderr: str = ""
    exit_code: int | None = None
    checks: list[CheckResult] = field(default_factory=list)
    error: str = ""
    """Why the step failed, in one line (empty when it succeeded)."""
    lines: list[str] = field(default_factory=list)
    """The action's transcript lines (between the header and the narration)."""
    verdicts: list[str] = field(default_factory=list)
    """The ✓/✗ lines, after the narration."""

    @property
    def number(self) -> int:
        return self.step.number

    @property
    def title(self) -> str:
        return self.step.title(self.lang)

    @property
    def narration(self) -> str:
        return self.step.narration(self.lang)

    def header(self, total: int | None = None) -> str:
        count = f"{self.number}/{total}" if total else str(self.number)
        title = self.title
        return f"[{clock(self.start)}] step {count}" + (f": {title}" if title else "")

    def render(self, total: int | None = None) -> str:
        """The step's transcript: header, action and output, narration, verdicts; ends with a newline."""
        out = [self.header(total), *self.lines]
        if self.narration:
            out += [("  " + line) if line else "" for line in self.narration.split("\n")]
        out += self.verdicts
        return "\n".join(out) + "\n"

    @property
    def transcript(self) -> str:
        """:meth:`render` without the step count."""
        return self.render()

    def to_json(self) -> dict[str, Any]:
        """The step's fields for ``--json`` (one object per step)."""
        s = self.step
        d: dict[str, Any] = {
            "step": s.number,
            "kind": s.kind,
            "title": self.title,
            "time": clock(self.start),
            "start": self.start,
            "end": self.end,
        }
        if s.kind in ("run", "apply", "wait", "expect"):
            d.update(command=self.command, stdout=self.stdout, stderr=self.stderr, exit_code=self.exit_code)
        if self.stdin:
            d["stdin"] = self.stdin
        if s.kind == "fault":
            d["fault"] = dict(s.fault)
        if s.kind == "advance":
            d["advance"] = s.duration
        if s.kind == "expect":
            d["checks"] = [{"check": c.check, "ok": c.ok, "seen": c.seen} for c in self.checks]
        d.update(narration=self.narration, pause=s.pause, ok=self.ok, error=self.error)
        return d


def _output(stdout: str, stderr: str) -> list[str]:
    text = stdout + (stderr if not stdout or stdout.endswith("\n") else "\n" + stderr)
    return text.rstrip("\n").split("\n") if text.strip("\n") else []


def _kubectl(cluster: Any, argv: list[str], stdin: str = "") -> tuple[str, str, int]:
    """Run kubectl; a crash inside the simulation becomes an error result rather than a traceback."""
    try:
        return cluster.kubectl(argv[1:], stdin=stdin)
    except Exception as e:  # noqa: BLE001 - the transcript must say what broke, and the run go on
        return "", f"internal error: {type(e).__name__}: {e}\n", 255


def _run(cluster: Any, r: StepResult, argv: list[str], stdin: str = "") -> None:
    r.stdout, r.stderr, r.exit_code = _kubectl(cluster, argv, stdin)
    r.lines += _output(r.stdout, r.stderr)


def _exit_verdict(r: StepResult) -> None:
    want = r.step.expect_exit
    if r.exit_code == (want or 0):
        if want is not None:
            r.verdicts.append(f"{OK} exit code {r.exit_code}")
        return
    r.ok = False
    r.error = f"exit code {r.exit_code} (expected {want or 0})"
    r.verdicts.append(f"{FAIL} {r.error}")


def execute_step(cluster: Any, step: Step, *, t0: float, lang: str = "en") -> StepResult:
    """Do ``step`` on ``cluster`` now.

    Args:
        cluster: a :class:`ktui.cluster.Cluster`.
        step: the step.
        t0: the cluster's time when the scenario started (what transcript times count from).
        lang: the language of titles and narration.
    """
    r = StepResult(step=step, lang=lang, start=cluster.now - t0, end=cluster.now - t0)
    if step.kind == "run":
        r.command = step.command
        r.lines.append(f"$ {r.command}")
        _run(cluster, r, list(step.argv))
        _exit_verdict(r)
    elif step.kind == "apply":
        r.command, r.stdin = "kubectl apply -f -", step.manifest
        r.lines += [f"$ {r.command} <<EOF", *step.manifest.rstrip("\n").split("\n"), "EOF"]
        _run(cluster, r, ["kubectl", "apply", "-f", "-"], step.manifest)
        _exit_verdict(r)
    elif step.kind == "fault":
        r.lines.append(f"! fault {fault_words(step.fault)}")
        try:
            cluster.fault(**step.fault)
        except Exception as e:  # noqa: BLE001 - FaultError, or a bug: either way the step failed
            r.ok, r.error = False, f"fault failed: {e}"
            r.verdicts.append(f"{FAIL} {r.error}")
    elif step.kind == "advance":
        cluster.advance(step.seconds)
        r.lines.append(f"» advance {step.duration} → [{clock(cluster.now - t0)}]")
    elif step.kind == "wait":
        r.command = step.command
        r.lines.append(f"$ {r.command}")
        _run(cluster, r, list(step.argv))
        r.lines.append(f"» waited {_waited(cluster.now - t0 - r.start)} → [{clock(cluster.now - t0)}]")
        if r.exit_code != 0:
            r.ok = False
            last = (_output(r.stdout, r.stderr) or [f"exit code {r.exit_code}"])[-1]
            r.error = f"the wait did not succeed: {last}"
            r.verdicts.append(f"{FAIL} {r.error}")
    elif step.kind == "expect" and step.check is not None:
        r.command = step.check.command
        r.lines.append(f"$ {r.command}")
        r.stdin = step.check.stdin
        _run(cluster, r, list(step.check.argv), step.check.stdin)
        for desc, ok, seen in step.check.evaluate(r.stdout + r.stderr, r.exit_code or 0):
            r.checks.append(CheckResult(desc, ok, seen))
            r.verdicts.append(f"{OK} expect {desc}" if ok else f"{FAIL} expect {desc}: saw {seen}")
        failed = [c for c in r.checks if not c.ok]
        if failed:
            r.ok = False
            r.error = f"expect {failed[0].check}: saw {failed[0].seen}"
    r.end = cluster.now - t0
    return r


def _waited(seconds: float) -> str:
    from ktui.sim.timefmt import format_duration

    return format_duration(seconds)
