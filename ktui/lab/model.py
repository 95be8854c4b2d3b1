"""What a lab is once loaded: its setup, its tasks, and the checks that grade each task."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ktui.scenario.model import Check, ScenarioError, Step, Text, localize, make_cluster

__all__ = ["LabError", "LabCheck", "KubectlCheck", "ObjectRef", "ObjectCheck", "ScriptCheck", "Task", "Lab"]


class LabError(ScenarioError):
    """A lab that cannot be loaded, set up or driven as asked; the message says where and what."""


@dataclass(frozen=True)
class LabCheck:
    """What every check has: where it is written, and the message a learner sees when it fails."""

    line: int
    """Where the check starts in its file (1-based)."""
    messages: Text
    """What is wrong when the check fails, in each language."""

    kind = "check"

    def message(self, lang: str = "en") -> str:
        """The failure message in ``lang`` (English when it has none in that language)."""
        return localize(self.messages, lang).strip()

    def describe(self) -> str:
        """A one-line summary, as ``ktui lab show`` lists it (each kind says more)."""
        return self.kind


@dataclass(frozen=True)
class KubectlCheck(LabCheck):
    """A read-only kubectl command and what its output must be (``jsonpath`` first picks from its JSON output)."""

    check: Check
    """The command and its expectations, as a scenario's ``expect`` holds them."""
    jsonpath: str | None = None

    kind = "kubectl"

    def describe(self) -> str:
        return "$ " + self.check.command + (f"  jsonpath {self.jsonpath}" if self.jsonpath else "")


@dataclass(frozen=True)
class ObjectRef:
    """Another object a check compares with (``same_as``) or must select (``selects``); empty fields mean the
    checked object's own."""

    resource: str | None = None
    name: str | None = None
    namespace: str | None = None
    jsonpath: str | None = None


@dataclass(frozen=True)
class ObjectCheck(LabCheck):
    """A predicate on one object (``name``) or on the objects of a kind (``count``, or a jsonpath over the list).

    Exactly what is given is checked, in this order: ``exists``, ``count``, ``not_recreated``, ``unchanged``,
    ``jsonpath`` with
    ``equals``/``contains``/``not_contains``/``matches``, ``same_as``, ``selects``.
    """

    resource: str = ""
    name: str | None = None
    namespace: str = "default"
    selector: str = ""
    """A label selector for the list (``count``, or a jsonpath without ``name``)."""
    field_selector: str = ""
    jsonpath: str | None = None
    equals: str | None = None
    contains: tuple[str, ...] = ()
    not_contains: tuple[str, ...] = ()
    matches: str | None = None
    exists: bool | None = None
    count: int | None = None
    same_as: ObjectRef | None = None
    """The jsonpath's values must equal those of ``same_as.jsonpath`` on that object (compared as data)."""
    selects: ObjectRef | None = None
    """The object's ``.spec.selector`` must match that object's labels."""
    not_recreated: bool = False
    """The object must be the one that existed when setup ended (same uid): not deleted and created again."""
    unchanged: str | None = None
    """A JSONPath (``{.spec}``) whose values must be what they were when setup ended: that part was not edited."""

    kind = "object"

    @property
    def remembers(self) -> bool:
        """True when the check compares with what setup left (``not_recreated``, ``unchanged``)."""
        return self.not_recreated or self.unchanged is not None

    def target(self) -> str:
        """``service/web -n default``, or ``pods -l app=web``: what the check looks at."""
        what = f"{self.resource}/{self.name}" if self.name else self.resource
        if self.selector:
            what += f" -l {self.selector}"
        if self.field_selector:
            what += f" --field-selector {self.field_selector}"
        return what + (f" -n {self.namespace}" if self.namespace != "default" else "")

    def describe(self) -> str:
        parts = [self.target()]
        if self.exists is not None:
            parts.append("exists" if self.exists else "does not exist")
        if self.count is not None:
            parts.append(f"count {self.count}")
        if self.not_recreated:
            parts.append("not recreated")
        if self.unchanged:
            parts.append(f"unchanged {self.unchanged}")
        if self.jsonpath:
            parts.append(f"jsonpath {self.jsonpath}")
        if self.same_as:
            parts.append(
                f"same as {self.same_as.resource or self.resource}/{self.same_as.name or self.name} "
                f"{self.same_as.jsonpath}"
            )
        if self.selects:
            parts.append(f"selects {self.selects.resource}/{self.selects.name}")
        return " ".join(parts)


@dataclass(frozen=True)
class ScriptCheck(LabCheck):
    """A bash script run with the real kubectl against the lab's cluster over the HTTP API; exit 0 passes."""

    script: str = ""
    timeout: float = 30.0

    kind = "script"

    def describe(self) -> str:
        first = next((ln for ln in self.script.split("\n") if ln.strip()), "")
        return f"script: {first.strip()}" + (" ..." if self.script.strip().count("\n") else "")


@dataclass(frozen=True)
class Task:
    """One task: what to do (Markdown), hints shown one at a time, a solution, and the checks that grade it."""

    number: int
    line: int
    titles: Text
    texts: Text
    checks: tuple[LabCheck, ...]
    hints: tuple[Text, ...] = ()
    solutions: Text = field(default_factory=dict)
    """The solution: shell lines (kubectl commands, ``#`` comments) in each language."""

    def title(self, lang: str = "en") -> str:
        return localize(self.titles, lang) or f"Task {self.number}"

    def text(self, lang: str = "en") -> str:
        """The task's Markdown in ``lang``."""
        return localize(self.texts, lang).rstrip("\n")

    def hint(self, index: int, lang: str = "en") -> str:
        """Hint ``index`` (0-based) in ``lang``."""
        return localize(self.hints[index], lang).rstrip("\n")

    def solution(self, lang: str = "en") -> str:
        return localize(self.solutions, lang).rstrip("\n")


@dataclass(frozen=True)
class Lab:
    """A whole lab: identity, texts, the cluster and the setup it starts from, its tasks."""

    name: str
    source: str
    """The file it came from, as error messages name it."""
    tasks: tuple[Task, ...]
    titles: Text = field(default_factory=dict)
    descriptions: Text = field(default_factory=dict)
    cluster: Mapping[str, Any] | None = None
    """An inline (normalized) cluster spec, or None for the built-in cluster."""
    seed: int = 0
    setup: tuple[Step, ...] = ()
    """Scenario steps run before the learner arrives (their output is not shown)."""
    time_limit: float | None = None
    """Simulated seconds the learner has, or None for no limit."""
    time_limit_text: str = ""
    speed: float = 1.0
    """How fast the simulated clock runs against the wall clock while a learner works (1 = real time)."""

    def title(self, lang: str = "en") -> str:
        return localize(self.titles, lang) or self.name

    def description(self, lang: str = "en") -> str:
        return localize(self.descriptions, lang).rstrip("\n")

    def make_cluster(self, seed: int | None = None) -> Any:
        """A fresh cluster for this lab (before setup), with ``seed`` or the lab's own."""
        return make_cluster(self.cluster, self.seed if seed is None else seed)

    def find_task(self, key: str | int) -> Task:
        """The task numbered ``key`` (1-based).

        Raises:
            LabError: no such task.
        """
        text = str(key).strip()
        if text.isdigit() and 1 <= int(text) <= len(self.tasks):
            return self.tasks[int(text) - 1]
        raise LabError(f"{self.name}: no task {text} (it has {len(self.tasks)} tasks)")
