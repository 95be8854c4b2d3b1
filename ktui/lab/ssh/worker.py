"""The session process of ``ktui lab serve``: one learner's lab, on the PTY the server made for it.

The server runs ``python -m ktui.lab.ssh.worker --learner NAME --state DIR [--lab NAME] [--labs DIR]
[--lang en|ko]`` with the PTY as its standard streams and controlling terminal, so a dropped connection (the
server closes the PTY) hangs it up and a resize sends it SIGWINCH. Without ``--lab`` it first shows a menu.

The learner's lab is saved after every line (:mod:`.store`), so a session killed at any moment comes back
where it was on the next connection. While no one is connected the lab's clock stands still.

What the learner sees is :data:`FRONTEND`: the terminal UI with the lab's task pane (:func:`run_tui`, as
``ktui lab run`` in a terminal). A terminal that cannot show it (``TERM`` unset or ``dumb``) gets the headless
lab shell (:func:`run_headless`: a prompt with history, kubectl, check, hint...), as does ``--headless``.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import textwrap
import time
from pathlib import Path

from ktui.lab.lines import heredoc_end, parse_lines
from ktui.lab.model import LabError
from ktui.lab.session import LabSession
from ktui.lab.shell import LabShell, task_text
from ktui.lab.ssh.catalogue import Catalogue
from ktui.lab.ssh.store import LearnerLab
from ktui.lab.texts import say

__all__ = ["FRONTEND", "fit", "main", "run_headless", "run_tui"]

MAX_CATCH_UP = 3600.0
"""At most this much simulated time passes for the wall time between two lines (as in ``ktui lab run``)."""


def width() -> int:
    """The terminal's width now (it follows resizes), 80 when there is no terminal."""
    try:
        return max(20, os.get_terminal_size(sys.stdout.fileno()).columns)
    except OSError:
        return 80


def fit(text: str, columns: int | None = None) -> str:
    """``text`` with its long prose lines wrapped to the terminal's width; code (fenced or indented) is kept."""
    columns = columns or width()
    out, fenced = [], False
    for line in text.split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if fenced or len(line) <= columns or line.startswith((" ", "\t")) or line.lstrip().startswith("```"):
            out.append(line)
            continue
        bullet = len(line) - len(line.lstrip("-*0123456789. ")) if line[:1] in "-*0123456789" else 0
        out.append(
            textwrap.fill(line, columns, subsequent_indent=" " * bullet, break_on_hyphens=False, break_long_words=False)
        )
    return "\n".join(out)


def run_headless(session: LabSession, place: LearnerLab, resumed: bool) -> int:
    """The lab shell at a prompt, saving the lab after every line; returns the exit code."""
    import readline  # noqa: F401 - line editing and history at the prompt

    lab, lang, out = session.lab, session.lang, sys.stdout
    shell = LabShell(session, place.workdir, confine=True)  # kubectl reads the learner's files only
    head = f"# {lab.name}: {lab.title(lang)}\n"
    if resumed:
        head += say("welcome_back", lang, progress=session.progress()) + "\n"
    elif lab.description(lang):
        head += lab.description(lang) + "\n"
    out.write(fit(head + say("help_hint", lang) + "\n\n" + task_text(session.task, len(lab.tasks), lang)))
    last = time.monotonic()

    def lines():
        end = None  # the line that closes the here-document being typed
        while True:
            out.flush()
            try:
                line = input("> " if end is not None else shell.prompt())
            except EOFError:
                out.write("\n")
                return
            except KeyboardInterrupt:  # ctrl-c drops the line being typed, as in bash (the terminal echoed ^C)
                out.write("\n")
                continue
            if end is None:
                end = heredoc_end(line + "\n")
            elif line.lstrip("\t") == end:
                end = None
            yield line + "\n"

    for item in parse_lines(lines()):
        now = time.monotonic()  # the cluster ran in real time while the learner typed
        session.cluster.advance(min(MAX_CATCH_UP, (now - last) * lab.speed))
        last = now
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a command runs to its end: the cluster stays whole
        try:
            reply = shell.run(item)
        finally:
            signal.signal(signal.SIGINT, signal.default_int_handler)
        text = reply.out + reply.err
        place.save(session)  # before the answer: what the learner saw is kept, should the line drop now
        out.write(fit(text) if reply.kind == "task" else text)
        out.flush()
        if reply.quit:
            return reply.code
    summary = session.finish()
    out.write("\n" + summary.render())
    out.flush()
    place.save(session)
    return 0 if summary.passed == len(lab.tasks) else 1


def run_tui(session: LabSession, place: LearnerLab, resumed: bool) -> int:
    """The lab in the terminal UI on the session's PTY, saving the lab after every line and key; then the summary
    on the terminal. Returns the exit code (0: every task passed)."""
    from ktui.lab.tui import run_tui as open_tui

    welcome = f"Welcome back: your lab is as you left it ({session.progress()})." if resumed else ""
    summary, crashed = open_tui(session, place.workdir, on_change=place.save, welcome=welcome, confine=True)
    place.save(session)
    sys.stdout.write(summary.render())
    sys.stdout.flush()
    return 3 if crashed else 0 if summary.passed == len(session.lab.tasks) else 1


FRONTEND = run_tui
"""What the learner sees: called as ``FRONTEND(session, place, resumed)``; see the module docstring."""


def menu(catalogue: Catalogue, lang: str) -> str | None:
    """Ask which lab to open; the lab's name, or None when the learner leaves."""
    names = catalogue.names()
    sys.stdout.write(
        say("menu_title", lang)
        + "\n"
        + "".join(f"{i:3}. {n}  {catalogue.titles[n].title(lang)}\n" for i, n in enumerate(names, 1))
    )
    while True:
        try:
            answer = input(say("menu_ask", lang)).strip()
        except EOFError:
            sys.stdout.write("\n")
            return None
        except KeyboardInterrupt:
            sys.stdout.write("\n")
            continue
        if answer.isdigit() and 1 <= int(answer) <= len(names):
            return names[int(answer) - 1]
        if answer in names:
            return answer
        if answer:
            sys.stdout.write(say("menu_wrong", lang, answer=answer, n=len(names)) + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="ktui-lab-session")
    p.add_argument("--learner", required=True)
    p.add_argument("--state", required=True)
    p.add_argument("--lab", default="")
    p.add_argument("--labs")
    p.add_argument("--lang", default="en")
    p.add_argument("--headless", action="store_true", help="the lab shell instead of the terminal UI")
    ns = p.parse_args(argv)
    dumb = os.environ.get("TERM", "dumb") in ("", "dumb")
    frontend = run_headless if ns.headless or dumb else FRONTEND
    for sig in (signal.SIGTSTP, signal.SIGQUIT):  # no shell to resume a stopped lab; ctrl-\ does not end it
        signal.signal(sig, signal.SIG_IGN)
    try:
        catalogue = Catalogue(Path(ns.labs) if ns.labs else None)
        name = ns.lab or menu(catalogue, ns.lang)
        if name is None:
            return 0
        lab = catalogue.load(name)
        place = LearnerLab(Path(ns.state), ns.learner, lab.name)
        session = place.load(lab, ns.lang)
        resumed = session is not None
        if session is None:
            session = LabSession(lab, lang=ns.lang)
        place.workdir.mkdir(parents=True, exist_ok=True)
        if not resumed:
            place.save(session)
        from ktui.sim import gcpolicy

        gcpolicy.settle()  # the lab's cluster is built: the collector stops rescanning it (see gcpolicy)
        with session:  # stops the server of its script checks, if one started
            return frontend(session, place, resumed)
    except LabError as e:
        sys.stdout.write(f"ktui lab: {e}\n")
        return 2
    except Exception as e:  # noqa: BLE001 - a bug in the simulation: a message, not a traceback
        sys.stdout.write(f"ktui lab: internal error: {type(e).__name__}: {e}\n")
        return 3


if __name__ == "__main__":
    sys.exit(main())
