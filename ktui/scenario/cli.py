"""``ktui scenario list | show NAME | run NAME|FILE``: scenarios from the shell, with clear errors and exit codes.

Exit codes: 0 every step succeeded, 1 a step failed, 2 a usage error or a scenario that cannot be loaded,
3 an internal error of the simulation.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence, TextIO

from ktui.scenario.actions import StepResult
from ktui.scenario.args import QuietParser, UsageError
from ktui.scenario.loader import builtin_names, load_builtin, load_scenario
from ktui.scenario.model import LANGS, ScenarioError
from ktui.scenario.runner import RunReport, run_scenario

__all__ = ["scenario_main"]

USAGE = """\
usage: ktui scenario list [--lang en|ko]
       ktui scenario show NAME|FILE [--lang en|ko]
       ktui scenario run NAME|FILE [--seed N] [--lang en|ko] [--until STEP] [--json] [--keep-going]
"""


def _parser() -> argparse.ArgumentParser:
    p = QuietParser(prog="ktui scenario", usage=USAGE, add_help=False)
    sub = p.add_subparsers(dest="cmd", parser_class=QuietParser)
    ls = sub.add_parser("list", add_help=False)
    ls.add_argument("--lang", choices=LANGS, default="en")
    show = sub.add_parser("show", add_help=False)
    show.add_argument("scenario")
    show.add_argument("--lang", choices=LANGS, default="en")
    run = sub.add_parser("run", add_help=False)
    run.add_argument("scenario")
    run.add_argument("--seed", type=int)
    run.add_argument("--lang", choices=LANGS, default="en")
    run.add_argument("--until")
    run.add_argument("--json", action="store_true")
    run.add_argument("--keep-going", action="store_true")
    return p


def _list(lang: str, out: TextIO) -> int:
    names = builtin_names()
    width = max((len(n) for n in names), default=0)
    for name in names:
        out.write(f"{name.ljust(width)}  {load_builtin(name).title(lang)}\n")
    return 0


def _show(target: str, lang: str, out: TextIO) -> int:
    s = load_scenario(target)
    out.write(f"{s.name}: {s.title(lang)}\n")
    if s.description(lang):
        out.write("".join(f"  {line}\n" if line else "\n" for line in s.description(lang).split("\n")))
    out.write(f"cluster: {'default' if s.cluster is None else 'inline spec'}, seed {s.seed}\n\n")
    width = len(str(len(s.steps)))
    for step in s.steps:
        title = step.title(lang)
        pause = "  [pause]" if step.pause else ""
        out.write(f"{str(step.number).rjust(width)}. {title + ' — ' if title else ''}{step.describe()}{pause}\n")
    return 0


def _run(ns: argparse.Namespace, out: TextIO) -> int:
    scenario = load_scenario(ns.scenario)
    total = len(scenario.steps)
    if ns.until is not None:
        scenario.find_step(ns.until)  # an unknown step is an error before anything runs
    seed = scenario.seed if ns.seed is None else ns.seed

    def on_step(result: StepResult) -> None:
        if ns.json:
            out.write(json.dumps({"scenario": scenario.name, **result.to_json()}, ensure_ascii=False) + "\n")
        else:
            out.write("\n" + result.render(total))
        out.flush()

    if not ns.json:
        out.write(RunReport(scenario, ns.lang, seed).header())
    report = run_scenario(scenario, seed=seed, lang=ns.lang, until=ns.until, keep_going=ns.keep_going, on_step=on_step)
    if not ns.json:
        out.write("\n" + report.summary())
    return 0 if report.ok else 1


def scenario_main(argv: Sequence[str], *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run ``ktui scenario ARGS``; returns the exit code (see the module docstring).

    Args:
        argv: the arguments after ``scenario``.
        stdout: where output goes (``sys.stdout`` by default).
        stderr: where errors go (``sys.stderr`` by default).
    """
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    args = list(argv)
    if not args or args[0] in ("-h", "--help", "help"):
        (out if args else err).write(USAGE)
        return 0 if args else 2
    try:
        ns = _parser().parse_args(args)
    except UsageError as e:
        err.write(f"ktui scenario: {e}\n{USAGE}")
        return 2
    try:
        if ns.cmd == "list":
            return _list(ns.lang, out)
        if ns.cmd == "show":
            return _show(ns.scenario, ns.lang, out)
        return _run(ns, out)
    except ScenarioError as e:
        err.write(f"ktui scenario: {e}\n")
        return 2
    except Exception as e:  # noqa: BLE001 - a bug in the simulation: a message, not a traceback
        from ktui.kubectl.crash import bug_line

        err.write(f"ktui scenario: internal error: {bug_line(e, 'ktui scenario ' + ' '.join(args))}\n")
        return 3
