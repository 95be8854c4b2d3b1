"""``ktui lab serve`` and ``ktui lab results``: serve labs to a class over SSH, and see how the class did."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from pathlib import Path
from typing import Sequence, TextIO

from ktui.scenario.args import QuietParser, UsageError

__all__ = ["SERVE_USAGE", "RESULTS_USAGE", "serve_main", "results_main", "default_state_dir"]

SERVE_USAGE = """\
usage: ktui lab serve [--port 2222] [--listen ADDR] [--host-key FILE] [--labs DIR] [--state DIR]
                      [--auth open|keys FILE|tokens FILE] [--max-sessions N] [--max-per-learner N]
                      [--rate N] [--idle-timeout 30m] [--session-timeout 4h] [--memory 1024M]
"""
RESULTS_USAGE = "usage: ktui lab results [--state DIR] [--json]\n"


def default_state_dir() -> Path:
    """``lab-serve`` under ktui's data directory (``$KTUI_HOME``, ...)."""
    from ktui.local import data_dir

    return data_dir() / "lab-serve"


def _duration(text: str) -> float:
    from ktui.sim.timefmt import parse_duration

    try:
        value = parse_duration(text)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"bad duration {text!r} (write it like 30m, 4h or 45s)")
    return value


def _memory(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    t = text.strip().upper().removesuffix("B").removesuffix("I")
    try:
        value = int(t[:-1]) * units[t[-1]] if t and t[-1] in units else int(t)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"bad size {text!r} (write it like 1024M or 2G; 0 for no cap)")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number")
    return value


def _serve_parser() -> argparse.ArgumentParser:
    p = QuietParser(prog="ktui lab serve", usage=SERVE_USAGE, add_help=False)
    p.add_argument("--port", type=int, default=2222)
    p.add_argument("--listen", default="0.0.0.0")
    p.add_argument("--host-key")
    p.add_argument("--labs")
    p.add_argument("--state")
    p.add_argument("--auth", nargs="+", default=["open"], metavar="MODE")
    p.add_argument("--max-sessions", type=_positive, default=40)
    p.add_argument("--max-per-learner", type=_positive, default=1)
    p.add_argument("--rate", type=_positive, default=30)
    p.add_argument("--idle-timeout", type=_duration, default=1800.0)
    p.add_argument("--session-timeout", type=_duration, default=4 * 3600.0)
    p.add_argument("--memory", type=_memory, default=1 << 30)
    return p


def _config(ns: argparse.Namespace):
    from ktui.lab.ssh.auth import Roster, Tokens, host_key
    from ktui.lab.ssh.catalogue import Catalogue
    from ktui.lab.ssh.server import ServeConfig

    mode, *files = ns.auth
    if mode not in ("open", "keys", "tokens") or (mode == "open") != (not files) or len(files) > 1:
        raise UsageError("--auth: expected open, keys FILE or tokens FILE")
    if not 0 <= ns.port <= 65535:
        raise UsageError(f"--port: {ns.port} is not a port")
    state = Path(ns.state) if ns.state else default_state_dir()
    labs = Path(ns.labs) if ns.labs else None
    key, made = host_key(Path(ns.host_key) if ns.host_key else state / "host_key")
    c = ServeConfig(
        state_dir=state.resolve(),
        catalogue=Catalogue(labs),
        listen=ns.listen,
        port=ns.port,
        auth=mode,
        roster=Roster(Path(files[0])) if mode == "keys" else None,
        tokens=Tokens(Path(files[0]), state / "tokens-used") if mode == "tokens" else None,
        max_sessions=ns.max_sessions,
        max_per_learner=ns.max_per_learner,
        rate=ns.rate,
        idle_timeout=ns.idle_timeout,
        session_timeout=ns.session_timeout,
        warn_before=min(60.0, ns.idle_timeout / 4, ns.session_timeout / 4),
        memory=ns.memory,
        labs_dir=labs.resolve() if labs else None,
        host_key=key,
    )
    c.extra["host_key_made"] = made
    c.extra["host_key_path"] = ns.host_key or str(state / "host_key")
    return c


async def _serve(config, out: TextIO) -> int:
    from ktui.lab.ssh.server import LabServer

    server = LabServer(config, out)
    port = await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    fp = config.host_key.get_fingerprint()
    out.write(
        f"ktui lab serve: listening on {config.listen}:{port} "
        f"({len(config.catalogue.names())} labs; ssh -p {port} LAB@HOST, or lab@HOST for a menu)\n"
        f"host key {config.extra['host_key_path']} ({'new' if config.extra['host_key_made'] else 'kept'}): "
        f"{fp}\nstate and results in {config.state_dir}\n"
    )
    if config.auth == "open":
        out.write(
            "WARNING: --auth open: ANYONE who can reach this port gets a lab, with no key or password.\n"
            "         Use it only on a classroom network; learners name themselves: ssh -p "
            f"{port} alice+LAB@HOST\n"
        )
    out.flush()
    await stop.wait()
    await server.stop()
    out.write("ktui lab serve: stopped\n")
    return 0


def serve_main(argv: Sequence[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``ktui lab serve ARGS`` until SIGINT or SIGTERM; returns the exit code (2 for bad arguments)."""
    from ktui.lab.model import LabError
    from ktui.lab.ssh.auth import AuthError

    out, err = out or sys.stdout, err or sys.stderr
    if list(argv[:1]) in (["-h"], ["--help"]):
        out.write(SERVE_USAGE)
        return 0
    try:
        config = _config(_serve_parser().parse_args(list(argv)))
    except UsageError as e:
        err.write(f"ktui lab serve: {e}\n{SERVE_USAGE}")
        return 2
    except (AuthError, LabError) as e:
        err.write(f"ktui lab serve: {e}\n")
        return 2
    try:
        return asyncio.run(_serve(config, out))
    except OSError as e:
        err.write(f"ktui lab serve: cannot listen on {config.listen}:{config.port}: {e.strerror or e}\n")
        return 1


def results_main(argv: Sequence[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    """``ktui lab results``: each learner's labs (tasks passed, hints, solutions, time), or the files as JSON."""
    from ktui.lab.ssh.store import read_results, read_sessions

    out, err = out or sys.stdout, err or sys.stderr
    p = QuietParser(prog="ktui lab results", usage=RESULTS_USAGE, add_help=False)
    p.add_argument("--state")
    p.add_argument("--json", action="store_true")
    try:
        ns = p.parse_args(list(argv))
    except UsageError as e:
        err.write(f"ktui lab results: {e}\n{RESULTS_USAGE}")
        return 2
    state = Path(ns.state) if ns.state else default_state_dir()
    docs = read_results(state)
    if ns.json:
        out.write(json.dumps(docs, ensure_ascii=False, indent=1) + "\n")
        return 0
    now = read_sessions(state)
    if now:
        out.write(
            f"connected now ({len(now)}):\n"
            + "".join(
                f"  {s.get('learner')}  {s.get('lab') or 'lab'}  since {s.get('since')}  from {s.get('from')}\n"
                for s in now
            )
            + "\n"
        )
    if not docs:
        out.write("no results yet\n")
        return 0
    rows = [("LEARNER", "LAB", "PASSED", "HINTS", "SOLUTIONS", "TIME", "UPDATED")]
    for doc in docs:
        for lab, r in sorted(doc["labs"].items()):
            rows.append(
                (
                    doc.get("learner", "?"),
                    lab,
                    f"{r.get('passed')}/{r.get('total')}",
                    str(r.get("hints_used")),
                    str(r.get("solutions_shown")),
                    str(r.get("time")),
                    str(r.get("updated", "")),
                )
            )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        out.write("   ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() + "\n")
    return 0
