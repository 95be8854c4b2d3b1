"""``ktui lab list | show NAME | check FILE | run NAME|FILE``: labs from the command line, in the UI or headless.

``run`` in a terminal opens the terminal UI on the lab's cluster, with the task pane and a kubectl prompt
(:mod:`ktui.lab.tui`); at the end it prints the summary (``--json``: the summary as JSON). With ``--headless``,
or when standard input or output is not a terminal, it reads lab shell lines (:mod:`ktui.lab.lines`) from
standard input instead, with a prompt when that is a terminal. In a terminal the simulated clock follows the
wall clock (× the lab's speed) between lines, as the UI runs it. From a pipe or a file it moves on by a fixed
pace before each line (``--pace``, 5 seconds: about what a learner takes to type one), besides commands that
wait (``kubectl wait``, ``rollout status``) and ``advance``; so the same input gives the same output, byte for
byte.

Exit codes: 0 every task passed (``check``: the file is valid), 1 a task did not pass, 2 a usage error or a lab
that cannot be loaded, 3 an internal error of the simulation.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Sequence, TextIO

from ktui.lab.lines import heredoc_end, parse_lines
from ktui.lab.loader import builtin_names, load_builtin, load_file, load_lab
from ktui.lab.model import Lab
from ktui.lab.session import LabSession
from ktui.lab.shell import LabShell, Reply, task_text
from ktui.lab.texts import say
from ktui.scenario.args import QuietParser, UsageError
from ktui.scenario.model import LANGS, ScenarioError

__all__ = ["lab_main", "USAGE"]

USAGE = """\
usage: ktui lab list [--lang en|ko]
       ktui lab show NAME|FILE [--lang en|ko]
       ktui lab check FILE...
       ktui lab run NAME|FILE [--seed N] [--lang en|ko] [--json] [--workdir DIR] [--pace DURATION] [--headless]
                                           [--theme NAME]
       ktui lab serve [--port 2222] [--host-key FILE] [--labs DIR] [--auth open|keys FILE|tokens FILE] ...
       ktui lab results [--state DIR] [--json]
"""

MAX_CATCH_UP = 3600.0
"""At most this much simulated time passes for the wall time between two lines typed in a terminal."""


def _parser() -> argparse.ArgumentParser:
    p = QuietParser(prog="ktui lab", usage=USAGE, add_help=False)
    sub = p.add_subparsers(dest="cmd", parser_class=QuietParser)
    ls = sub.add_parser("list", add_help=False)
    ls.add_argument("--lang", choices=LANGS, default="en")
    show = sub.add_parser("show", add_help=False)
    show.add_argument("lab")
    show.add_argument("--lang", choices=LANGS, default="en")
    check = sub.add_parser("check", add_help=False)
    check.add_argument("files", nargs="+")
    run = sub.add_parser("run", add_help=False)
    run.add_argument("lab")
    run.add_argument("--seed", type=int)
    run.add_argument("--lang", choices=LANGS, default="en")
    run.add_argument("--json", action="store_true")
    run.add_argument("--workdir")
    run.add_argument("--pace", default="5s")
    run.add_argument("--headless", action="store_true")
    run.add_argument("--theme")
    return p


def _list(lang: str, out: TextIO) -> int:
    names = builtin_names()
    width = max((len(n) for n in names), default=0)
    for name in names:
        lab = load_builtin(name)
        out.write(f"{name.ljust(width)}  {len(lab.tasks)} tasks  {lab.title(lang)}\n")
    return 0


def _show(lab: Lab, lang: str, out: TextIO) -> int:
    out.write(f"{lab.name}: {lab.title(lang)}\n")
    if lab.description(lang):
        out.write("".join(f"  {ln}\n" if ln else "\n" for ln in lab.description(lang).split("\n")))
    limit = f", time limit {lab.time_limit_text}" if lab.time_limit is not None else ""
    out.write(
        f"cluster: {'default' if lab.cluster is None else 'inline spec'}, seed {lab.seed}, "
        f"{len(lab.setup)} setup steps{limit}\n"
    )
    for task in lab.tasks:
        out.write(f"\n{task.number}. {task.title(lang)}  ({len(task.hints)} hints, {len(task.checks)} checks)\n")
        for check in task.checks:
            out.write(f"   - {check.describe()}\n")
    return 0


def _check_files(files: list[str], out: TextIO, err: TextIO) -> int:
    code = 0
    for f in files:
        try:
            lab = load_file(f)
        except ScenarioError as e:
            err.write(f"{e}\n")
            code = 2
            continue
        checks = sum(len(t.checks) for t in lab.tasks)
        out.write(f"{f}: ok ({lab.name}: {len(lab.tasks)} tasks, {checks} checks, {len(lab.setup)} setup steps)\n")
    return code


def _write(reply: Reply, text: str, as_json: bool, out: TextIO) -> None:
    if as_json:
        if reply.kind != "comment":
            record = {"type": reply.kind, "input": text, "exit_code": reply.code, **reply.data}
            if reply.kind not in ("kubectl",) and (reply.out or reply.err):
                record["text"] = reply.out + reply.err
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    else:
        out.write(reply.out + reply.err)
    out.flush()


def _run(ns: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    from ktui.sim.timefmt import parse_duration

    try:
        pace = parse_duration(ns.pace)
    except ValueError:
        pace = -1.0
    if pace < 0:
        raise UsageError(f"--pace: bad duration {ns.pace!r} (write it like 5s or 0s)")
    lab = load_lab(ns.lab)
    session = LabSession(lab, seed=ns.seed, lang=ns.lang)
    from ktui.sim import gcpolicy

    gcpolicy.settle()  # the lab's cluster is built: the collector stops rescanning it (see gcpolicy)
    tty = stdin.isatty()
    with session, tempfile.TemporaryDirectory(prefix="ktui-lab-") as tmp:
        workdir = Path(ns.workdir) if ns.workdir else Path(tmp)
        if tty and out.isatty() and not ns.headless:
            return _run_tui(session, workdir, ns, out)
        shell = LabShell(session, workdir)
        if ns.json:
            out.write(
                json.dumps(
                    {
                        "type": "start",
                        "lab": lab.name,
                        "title": lab.title(ns.lang),
                        "seed": session.seed,
                        "tasks": len(lab.tasks),
                        "task": 1,
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
        else:
            out.write(f"# {lab.name}: {lab.title(ns.lang)}\n")
            if lab.description(ns.lang):
                out.write(lab.description(ns.lang) + "\n")
            out.write(say("help_hint", ns.lang) + "\n\n" + task_text(session.task, len(lab.tasks), ns.lang))
        last_wall = time.monotonic()

        def lines():
            end = None  # the line that closes the here-document being typed
            while True:
                if tty:
                    out.write("> " if end is not None else shell.prompt())
                    out.flush()
                try:
                    line = stdin.readline()
                except KeyboardInterrupt:  # ctrl-c at the prompt ends the lab, with its summary
                    out.write("\n")
                    return
                if not line:
                    return
                if end is None:
                    end = heredoc_end(line)
                elif line.rstrip("\n").lstrip("\t") == end:
                    end = None
                yield line

        for item in parse_lines(lines()):
            if tty:  # the cluster ran in real time while the learner typed
                now = time.monotonic()
                session.cluster.advance(min(MAX_CATCH_UP, (now - last_wall) * lab.speed))
                last_wall = now
            elif getattr(item, "kind", "") != "comment":
                session.cluster.advance(pace)
            text = getattr(item, "text", "")
            if not tty and not ns.json and text.strip():
                out.write(f"\n{shell.host}$ {text}\n")
            reply = shell.run(item)
            if reply.kind == "time_up":
                _write(reply, text, ns.json, out)
                break
            _write(reply, text, ns.json, out)
            if reply.quit:
                return reply.code
        summary = session.finish()
        if not ns.json:
            out.write("\n" + summary.render())
        else:
            out.write(json.dumps({"type": "summary", **summary.to_json()}, ensure_ascii=False) + "\n")
        return 0 if summary.passed == len(lab.tasks) else 1


def _run_tui(session: LabSession, workdir: Path, ns: argparse.Namespace, out: TextIO) -> int:
    """The lab in the terminal UI; then its summary (as JSON with ``--json``)."""
    from ktui.lab.tui import run_tui

    summary, crashed = run_tui(session, workdir, theme=ns.theme)
    if ns.json:
        out.write(json.dumps(summary.to_json(), ensure_ascii=False) + "\n")
    else:
        out.write(summary.render())
    out.flush()
    if crashed:
        return 3
    return 0 if summary.passed == len(session.lab.tasks) else 1


def lab_main(
    argv: Sequence[str], *, stdin: TextIO | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run ``ktui lab ARGS``; returns the exit code (see the module docstring).

    Args:
        argv: the arguments after ``lab``.
        stdin: where ``run`` reads lines (``sys.stdin`` by default).
        stdout: where output goes (``sys.stdout`` by default).
        stderr: where errors go (``sys.stderr`` by default).
    """
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    args = list(argv)
    if not args or args[0] in ("-h", "--help", "help"):
        (out if args else err).write(USAGE)
        return 0 if args else 2
    if args[0] in ("serve", "results"):  # labs over SSH: ktui.lab.ssh
        from ktui.lab.ssh.cli import results_main, serve_main

        return (serve_main if args[0] == "serve" else results_main)(args[1:], out, err)
    try:
        ns = _parser().parse_args(args)
    except UsageError as e:
        err.write(f"ktui lab: {e}\n{USAGE}")
        return 2
    try:
        if ns.cmd == "list":
            return _list(ns.lang, out)
        if ns.cmd == "show":
            return _show(load_lab(ns.lab), ns.lang, out)
        if ns.cmd == "check":
            return _check_files(ns.files, out, err)
        return _run(ns, stdin or sys.stdin, out)
    except UsageError as e:
        err.write(f"ktui lab: {e}\n")
        return 2
    except ScenarioError as e:
        err.write(f"ktui lab: {e}\n")
        return 2
    except Exception as e:  # noqa: BLE001 - a bug in the simulation: a message, not a traceback
        err.write(f"ktui lab: internal error: {type(e).__name__}: {e}\n")
        return 3
