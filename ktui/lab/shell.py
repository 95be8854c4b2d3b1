"""The lab shell: what one line typed in ``ktui lab run`` does — kubectl, files, a node's shell, lab commands.

It has no terminal in it: :meth:`LabShell.run` takes a parsed line and returns a :class:`Reply` (text for
people, data for ``--json``). Lines are parsed by :mod:`ktui.lab.lines`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ktui.lab.lines import Line, LineError
from ktui.lab.model import LabError, Task
from ktui.lab.session import LabSession
from ktui.lab.texts import TEXTS, say

__all__ = ["HELP", "LabShell", "Reply", "task_text"]

HELP = TEXTS["help"]["en"]
"""The lab commands, in English (``say("help", lang)`` in another language)."""


@dataclass
class Reply:
    """What one line did: text for a person, data for ``--json``."""

    kind: str
    out: str = ""
    err: str = ""
    code: int = 0
    data: dict[str, Any] = field(default_factory=dict)
    quit: bool = False
    """True when the learner ended the lab (or its time is up)."""


def task_text(task: Task, total: int, lang: str) -> str:
    """A task as the learner reads it: ``Task 2/6: title`` and its Markdown."""
    return f"{say('task_of', lang, n=task.number, total=total, title=task.title(lang))}\n\n{task.text(lang)}\n"


class LabShell:
    """Runs lab shell lines against a :class:`LabSession`.

    Args:
        session: the learner's session.
        workdir: where ``> FILE``, ``cat`` and ``kubectl -f FILE`` find files (the learner's home directory).
        confine: keep kubectl's file arguments inside ``workdir`` too (:mod:`ktui.lab.confine`), as a session
            served over SSH must: there kubectl would otherwise read any file of the server's user.
    """

    def __init__(self, session: LabSession, workdir: Path, *, confine: bool = False) -> None:
        self.session = session
        self.workdir = workdir
        self.confine = confine
        self.node: str | None = None
        """The node whose shell the learner is in (``ssh NODE``), or None on the control plane."""

    @property
    def host(self) -> str:
        return self.node or "controlplane"

    def prompt(self) -> str:
        """``[1/6 ✓] controlplane:~$ ``."""
        return f"[{self.session.progress()}] {self.host}:~$ "

    def run(self, line: Line | LineError) -> Reply:
        """Do one line."""
        if isinstance(line, LineError):
            return Reply("error", err=f"{line.message(self.session.lang)}\n", code=2)
        if self.session.time_up:
            text = say("time_up", self.session.lang, limit=self.session.lab.time_limit_text)
            return Reply("time_up", out=text + "\n", quit=True)
        if line.kind == "comment":
            return Reply("comment")
        if line.kind == "kubectl":
            return self._kubectl(line)
        if line.kind in ("cat", "write", "ls"):
            return self._files(line)
        if line.kind in ("ssh", "systemctl"):
            return self._node(line)
        try:
            return self._lab(list(line.argv))
        except LabError as e:
            return Reply("error", err=f"{e}\n", code=1)

    # ------------------------------------------------------------------ the cluster

    def _kubectl(self, line: Line) -> Reply:
        from ktui.kubectl import KubectlEnv, run_kubectl

        env = KubectlEnv.for_cluster(self.session.cluster)
        env.cwd = str(self.workdir)
        if line.redirect:
            try:
                target = self._path(line.redirect)
            except LabError as e:  # before kubectl runs: nothing is done
                return Reply("kubectl", err=f"bash: {e}\n", code=1)
        if self.confine:
            from ktui.lab.confine import outside_workdir

            refusal = outside_workdir(list(line.argv), self.workdir, self.session.lang)
            if refusal:
                return Reply("kubectl", err=refusal, code=1, data={"stdout": "", "stderr": refusal, "exit_code": 1})
        try:
            r = run_kubectl(env, list(line.argv)[1:], stdin=line.stdin)
        except Exception as e:  # noqa: BLE001 - a bug in the simulation: say so, and let the learner go on
            return Reply("kubectl", err=f"internal error: {type(e).__name__}: {e}\n", code=255)
        out = r.stdout
        if line.redirect:
            try:
                target.write_text(r.stdout, encoding="utf-8")
            except OSError as e:
                return Reply("kubectl", err=f"bash: {line.redirect}: {e.strerror}\n", code=1)
            out = ""
        data = {"stdout": r.stdout, "stderr": r.stderr, "exit_code": r.exit_code}
        return Reply("kubectl", out=out, err=r.stderr, code=r.exit_code, data=data)

    def _path(self, name: str) -> Path:
        path = (self.workdir / name).resolve()
        if self.workdir.resolve() not in (path, *path.parents):
            raise LabError(say("outside", self.session.lang, name=name))
        return path

    def _files(self, line: Line) -> Reply:
        try:
            if line.kind == "ls":
                names = sorted(p.name for p in self.workdir.iterdir())
                return Reply("ls", out="".join(n + "\n" for n in names))
            if line.kind == "write":
                self._path(line.argv[0]).write_text(line.stdin, encoding="utf-8")
                return Reply("write", data={"file": line.argv[0]})
            out = []
            for name in line.argv:
                path = self._path(name)
                if not path.is_file():
                    return Reply("cat", err=f"cat: {name}: No such file or directory\n", code=1)
                out.append(path.read_text(encoding="utf-8"))
            return Reply("cat", out="".join(out))
        except (OSError, LabError) as e:
            return Reply(line.kind, err=f"{e}\n", code=1)

    def _node(self, line: Line) -> Reply:
        cluster = self.session.cluster
        if line.kind == "ssh":
            name = line.argv[0]
            nodes = [n["name"] for n in cluster.spec["nodes"]]
            if name not in nodes:
                return Reply(
                    "ssh", err=f"ssh: Could not resolve hostname {name}: Name or service not known\n", code=255
                )
            if name == "controlplane" or name == self.node:
                return Reply("ssh", data={"node": self.host})
            if self.node is not None:
                return Reply("ssh", err=say("node_first", self.session.lang) + "\n", code=1)
            self.node = name
            return Reply("ssh", data={"node": name})
        verb = line.argv[0]
        try:
            if verb in ("stop", "restart"):
                cluster.fault("kubelet-stop", node=self.host)
            if verb != "stop":
                cluster.fault("kubelet-start", node=self.host)
        except ValueError as e:  # FaultError: this node has no kubelet to start or stop
            return Reply("systemctl", err=f"{e}\n", code=1)
        return Reply("systemctl", data={"node": self.host, "verb": verb})

    # ------------------------------------------------------------------ lab commands

    def _lab(self, words: list[str]) -> Reply:
        s, lang = self.session, self.session.lang
        word, args = words[0], words[1:]
        total = len(s.lab.tasks)
        if word == "exit" and self.node is not None:
            node, self.node = self.node, None
            return Reply("exit", out=f"logout\nConnection to {node} closed.\n")
        if word in ("quit", "exit"):
            summary = s.finish()
            return Reply(
                "summary",
                out=summary.render(),
                data=summary.to_json(),
                quit=True,
                code=0 if summary.passed == total else 1,
            )
        if word == "help":
            return Reply("help", out=say("help", lang))
        if word == "check":
            if args == ["all"]:
                results = [s.check(t.number) for t in s.lab.tasks]
                return Reply(
                    "check",
                    out="".join(r.render(lang) for r in results),
                    data={"tasks": [r.to_json(lang) for r in results]},
                    code=0 if all(r.ok for r in results) else 1,
                )
            r = s.check(s.lab.find_task(args[0]).number if args else None)
            out = r.render(lang)
            if r.ok and r.task is s.task and s.index + 1 < total:
                out += say("next", lang) + "\n"
            return Reply("check", out=out, data=r.to_json(lang), code=0 if r.ok else 1)
        if word == "hint":
            h = s.hint()
            if h is None:
                return Reply("hint", out=say("no_hints", lang, n=s.task.number) + "\n")
            return Reply(
                "hint",
                out=say("hint", lang, n=h[0], total=len(s.task.hints), text=h[1]) + "\n",
                data={"task": s.task.number, "hint": h[0], "text": h[1]},
            )
        if word == "solution":
            text = s.solution()
            return Reply(
                "solution",
                out=f"{say('solution', lang, n=s.task.number)}\n{text}\n",
                data={"task": s.task.number, "solution": text},
            )
        if word in ("next", "prev", "task"):
            if word == "task" and args:
                s.goto(s.lab.find_task(args[0]).number)
            moved = s.next() if word == "next" else s.prev() if word == "prev" else s.task
            if moved is None:
                return Reply(word, out=say("last" if word == "next" else "first", lang, n=s.task.number) + "\n")
            return Reply("task", out=task_text(s.task, total, lang), data={"task": s.task.number})
        if word == "tasks":
            lines = []
            for i, (t, st) in enumerate(zip(s.lab.tasks, s.states)):
                mark = "✓" if st.passed else "✗" if st.last else "·"
                lines.append(f"{'>' if i == s.index else ' '} {mark} {t.number}. {t.title(lang)}")
            return Reply("tasks", out="\n".join(lines) + f"\n{s.progress()}\n")
        if word == "summary":
            summary = s.summary()
            return Reply("summary", out=summary.render(), data=summary.to_json())
        if word == "advance":
            from ktui.sim.timefmt import format_duration, parse_duration

            try:
                seconds = parse_duration(args[0]) if len(args) == 1 else -1.0
            except ValueError:
                seconds = -1.0
            if seconds < 0:
                raise LabError(say("advance_usage", lang))
            s.cluster.advance(seconds)
            return Reply(
                "advance",
                out=say("advanced", lang, duration=format_duration(seconds)) + "\n",
                data={"seconds": seconds},
            )
        raise LabError(say("unknown_command", lang, word=word))  # pragma: no cover - lines.py lists them
