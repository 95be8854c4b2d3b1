"""What a scenario is once loaded: its steps, their actions and checks, texts in several languages."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Any, Mapping

__all__ = ["LANGS", "ACTIONS", "ScenarioError", "Text", "Check", "Step", "Scenario", "localize", "make_cluster"]

LANGS = ("en", "ko")
"""Languages a scenario's texts may be written in; English is the fallback."""

ACTIONS = ("run", "apply", "fault", "advance", "wait", "expect")
"""Step keys that do something; a step has at most one of them (``narrate`` alone only tells)."""

CHECKS = ("equals", "contains", "not_contains", "matches", "exit")
"""The checks an ``expect`` step may make, in the order they are reported."""


class ScenarioError(ValueError):
    """A scenario that cannot be loaded or run; the message names the file, the line and the problem."""


Text = Mapping[str, str]
"""A text in one or more languages: ``{"en": ..., "ko": ...}``."""


def localize(text: Text | None, lang: str) -> str:
    """``text`` in ``lang``, else in English, else in whatever language it has; ``""`` for no text."""
    if not text:
        return ""
    if lang in text:
        return text[lang]
    if "en" in text:
        return text["en"]
    return next(iter(text.values()))


def command_line(argv: list[str]) -> str:
    """``argv`` written back as a shell line, quoting only what needs it."""
    return shlex.join(argv)


@dataclass(frozen=True)
class Check:
    """One ``expect``: a kubectl command and what its output (stdout then stderr) and exit code must be."""

    argv: tuple[str, ...]
    """The command's words, ``kubectl`` first."""
    text: str = ""
    """The command line as written in the file."""
    stdin: str = ""
    """What the command reads on standard input (for ``kubectl apply -f -``)."""
    equals: str | None = None
    contains: tuple[str, ...] = ()
    not_contains: tuple[str, ...] = ()
    matches: str | None = None
    exit: int | None = None

    @property
    def command(self) -> str:
        return self.text or command_line(list(self.argv))

    def evaluate(self, output: str, exit_code: int) -> list[tuple[str, bool, str]]:
        """Every check in a fixed order as ``(description, passed, what was seen)``."""
        results: list[tuple[str, bool, str]] = []
        if self.equals is not None:
            seen = output[:-1] if output.endswith("\n") else output
            want = self.equals[:-1] if self.equals.endswith("\n") else self.equals
            results.append((f"equals {_quote(want)}", seen == want, _quote(seen)))
        for text in self.contains:
            results.append((f"contains {_quote(text)}", text in output, _quote(output)))
        for text in self.not_contains:
            results.append((f"not_contains {_quote(text)}", text not in output, _quote(output)))
        if self.matches is not None:
            ok = re.search(self.matches, output, re.DOTALL | re.MULTILINE) is not None
            results.append((f"matches {_quote(self.matches)}", ok, _quote(output)))
        if self.exit is not None:
            results.append((f"exit {self.exit}", exit_code == self.exit, f"exit {exit_code}"))
        return results


def _quote(text: str, limit: int = 300) -> str:
    """A one-line, double-quoted form of ``text`` for a transcript, shortened past ``limit`` characters."""
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    if len(body) > limit:
        body = body[:limit] + "..."
    return f'"{body}"'


@dataclass(frozen=True)
class Step:
    """One step of a scenario: at most one action, with an optional title, narration and pause.

    Attributes are set by the loader; ``kind`` is one of :data:`ACTIONS` or ``"narrate"``.
    """

    number: int
    """1-based position in the scenario."""
    line: int
    """Where the step starts in its file (1-based)."""
    kind: str
    titles: Text = field(default_factory=dict)
    narrations: Text = field(default_factory=dict)
    pause: bool = False
    argv: tuple[str, ...] = ()
    """``run``: the command's words; ``wait``: ``kubectl wait`` and its arguments."""
    text: str = ""
    """``run``/``wait``: the command line as written (``kubectl wait`` added to a wait's arguments)."""
    expect_exit: int | None = None
    """``run``/``apply``: the exit code the command must end with (0 when not given)."""
    manifest: str = ""
    """``apply``: the document(s) given to ``kubectl apply -f -``."""
    fault: Mapping[str, Any] = field(default_factory=dict)
    """``fault``: ``kind`` and the target keywords of :meth:`ktui.cluster.Cluster.fault`."""
    seconds: float = 0.0
    """``advance``: how far the clock moves."""
    duration: str = ""
    """``advance``: the duration as written."""
    check: Check | None = None
    """``expect``: what is checked."""

    def title(self, lang: str = "en") -> str:
        """The step's title in ``lang`` (English when it has none in that language); may be empty."""
        return localize(self.titles, lang)

    def narration(self, lang: str = "en") -> str:
        """What the step tells the learner in ``lang``; may be empty."""
        return localize(self.narrations, lang).rstrip("\n")

    @property
    def command(self) -> str:
        """``run``/``wait``: the kubectl command line as the transcript shows it."""
        return self.text or command_line(list(self.argv))

    def describe(self) -> str:
        """A one-line summary of the action, as ``ktui scenario show`` lists it."""
        if self.kind in ("run", "wait"):
            return "$ " + self.command
        if self.kind == "apply":
            kinds = re.findall(r"^kind:\s*(\S+)", self.manifest, re.M)
            names = re.findall(r"^  name:\s*(\S+)", self.manifest, re.M)
            what = ", ".join(f"{k}/{n}" for k, n in zip(kinds, names)) or "a manifest"
            return f"$ kubectl apply -f - ({what})"
        if self.kind == "fault":
            return "fault " + fault_words(self.fault)
        if self.kind == "advance":
            return f"advance {self.duration}"
        if self.kind == "expect" and self.check is not None:
            return "expect $ " + self.check.command
        return "narrate"


def make_cluster(spec: Mapping[str, Any] | None, seed: int) -> Any:
    """A fresh :class:`ktui.cluster.Cluster`: the built-in one for ``None``, else ``spec``, with ``seed``."""
    from ktui.cluster import Cluster

    if spec is None:
        return Cluster.default(seed)
    return Cluster({**spec, "seed": seed})


def fault_words(fault: Mapping[str, Any]) -> str:
    """``kubelet-stop node=node01``: a fault as one line."""
    return " ".join([str(fault["kind"])] + [f"{k}={v}" for k, v in fault.items() if k != "kind"])


@dataclass(frozen=True)
class Scenario:
    """A whole scenario: identity, texts, the cluster it runs on, its steps."""

    name: str
    source: str
    """The file it came from, as error messages name it."""
    steps: tuple[Step, ...]
    titles: Text = field(default_factory=dict)
    descriptions: Text = field(default_factory=dict)
    cluster: Mapping[str, Any] | None = None
    """An inline (normalized) cluster spec, or None for the built-in cluster."""
    seed: int = 0

    def title(self, lang: str = "en") -> str:
        """The scenario's title in ``lang`` (its name when it has none)."""
        return localize(self.titles, lang) or self.name

    def description(self, lang: str = "en") -> str:
        """The scenario's description in ``lang``; may be empty."""
        return localize(self.descriptions, lang).rstrip("\n")

    def make_cluster(self, seed: int | None = None) -> Any:
        """A fresh :class:`ktui.cluster.Cluster` for this scenario, with ``seed`` or the scenario's own."""
        return make_cluster(self.cluster, self.seed if seed is None else seed)

    def find_step(self, key: str | int) -> Step:
        """The step numbered ``key``, or whose title (in any language) is ``key``.

        Raises:
            ScenarioError: no step matches.
        """
        text = str(key).strip()
        if text.isdigit():
            n = int(text)
            if 1 <= n <= len(self.steps):
                return self.steps[n - 1]
            raise ScenarioError(f"{self.name}: no step {n} (it has {len(self.steps)} steps)")
        for step in self.steps:
            if any(t.strip().lower() == text.lower() for t in step.titles.values()):
                return step
        raise ScenarioError(f"{self.name}: no step titled {text!r}")
