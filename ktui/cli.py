"""The ``ktui`` command: the terminal UI, ``ktui kubectl``, ``ktui cluster`` and ``ktui scenario``."""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Sequence

__all__ = ["main"]

USAGE = """\
usage: ktui [--theme NAME] [--lang en|ko] [--speed X]   the terminal UI on your local cluster
       ktui --scenario NAME|FILE [--seed N]    step through a scenario on its own fresh cluster
       ktui --seed N                           a fresh built-in cluster with that seed (not saved)
       ktui --lab NAME|FILE [--lang en|ko]     a lab in the UI: as ktui lab run NAME|FILE
       ktui kubectl ARGS...                 kubectl against your local cluster
       ktui up [--port 6443] [--spec FILE] [--seed N] [--speed X] [--detach] [--kubeconfig FILE]
       ktui down | status                   stop the server / say whether it runs
       ktui cluster reset [--seed N] [--spec FILE]
       ktui cluster advance DURATION        move the local cluster's clock on (45s, 5m, 1h30m; at most 24h)
       ktui cluster info
       ktui cluster restore-backup          go back to the state before the last save
       ktui scenario list | show NAME | run NAME|FILE [--seed N] [--lang en|ko] [--until STEP] [--json]
       ktui lab list | show NAME | check FILE | run NAME|FILE [--seed N] [--lang en|ko] [--json] [--headless]
"""


def _err(message: str, code: int = 1) -> int:
    print(f"ktui: {message}", file=sys.stderr)
    return code


def _kubectl(args: Sequence[str]) -> int:
    from ktui.remote import remote_kubectl  # the standard library only: a running server answers fast

    stdin = "" if sys.stdin is None or sys.stdin.isatty() else None
    if stdin is None and ("-" in args or "-f-" in args):
        stdin = sys.stdin.read()
    remote = remote_kubectl(args, stdin or "")  # a running `ktui up` holds the cluster: ask it over HTTPS
    if remote is not None:
        sys.stdout.write(remote[0])
        sys.stderr.write(remote[1])
        return remote[2]
    from ktui.kubectl import KubectlEnv, run_kubectl
    from ktui.local import LocalCluster, LocalClusterError

    try:
        with LocalCluster() as local:
            if stdin is None and ("-" in args or "-f-" in args):
                stdin = sys.stdin.read()
            result = run_kubectl(KubectlEnv.for_cluster(local.cluster), list(args), stdin=stdin or "")  # type: ignore[arg-type]
            local.cluster.settle()  # type: ignore[union-attr]  # the cluster reacts before the next command (see Cluster.settle)
    except LocalClusterError as e:
        return _err(str(e))
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.exit_code


def _cluster(args: Sequence[str]) -> int:
    from ktui.local import MAX_ADVANCE_PER_COMMAND, LocalCluster, LocalClusterError
    from ktui.sim.timefmt import format_duration, parse_duration

    p = argparse.ArgumentParser(prog="ktui cluster")
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("reset", help="start the local cluster afresh")
    r.add_argument("--seed", type=int)
    r.add_argument("--spec")
    a = sub.add_parser("advance", help="move the simulated clock on (at most 24h per command)")
    a.add_argument("duration")
    sub.add_parser("info", help="what the local cluster is")
    sub.add_parser("restore-backup", help="go back to the state before the last save")
    ns = p.parse_args(list(args))
    seconds = 0.0
    if ns.cmd == "advance":  # checked before the cluster is opened: a bad duration changes nothing
        try:
            seconds = parse_duration(ns.duration)
        except ValueError as e:
            return _err(str(e))
        if seconds < 0:
            return _err(f"cannot advance by {ns.duration}: the clock only moves forward")
        if seconds > MAX_ADVANCE_PER_COMMAND:
            return _err(
                f"cannot advance by {ns.duration}: at most {format_duration(MAX_ADVANCE_PER_COMMAND)} "
                "(24 hours) per command"
            )
        from ktui.remote import remote_advance

        try:
            now = remote_advance(seconds)  # a running `ktui up` holds the cluster: its clock moves there
        except RuntimeError as e:
            return _err(str(e))
        if now is not None:
            print(f"advanced {format_duration(seconds)}; simulated time is now {format_duration(now)}")
            return 0
    local = LocalCluster(catch_up=ns.cmd not in ("reset", "restore-backup"))
    try:
        if ns.cmd in ("reset", "restore-backup"):
            local.lock()
            try:
                if ns.cmd == "restore-backup":
                    c = local.restore_backup()
                    print(
                        f"local cluster {c.name!r} restored from its backup; simulated time is {format_duration(c.now)}"
                    )
                    return 0
                c = local.reset(ns.seed, ns.spec)
                local.save()
            finally:
                local.unlock()
            print(f"local cluster {c.name!r} reset (seed {c.seed}), {len(c.spec['nodes'])} nodes")
            return 0
        with local:
            c = local.cluster  # type: ignore[assignment]
            if ns.cmd == "advance":
                c.advance(seconds)
                print(f"advanced {format_duration(seconds)}; simulated time is now {format_duration(c.now)}")
            else:
                print(
                    f"name: {c.name}\nseed: {c.seed}\nsimulated time: {format_duration(c.now)}\n"
                    f"nodes: {', '.join(n['name'] for n in c.spec['nodes'])}\nstate: {local.home}"
                )
            return 0
    except LocalClusterError as e:
        return _err(str(e))
    except Exception as e:  # a bad spec file and the like: a message, not a traceback
        from ktui.clusterspec import SpecError

        if isinstance(e, SpecError):
            return _err(str(e))
        raise


def _ui(args: Sequence[str]) -> int:
    """``ktui``: the local cluster in the terminal UI; ``--scenario`` or ``--seed`` open a fresh cluster."""
    from ktui.sim import gcpolicy
    from ktui.tui.__main__ import build_parser, make_app

    ns = build_parser().parse_args(list(args))
    if ns.scenario or ns.seed is not None:
        from ktui.scenario.model import ScenarioError

        try:
            app = make_app(ns)
        except (ScenarioError, OSError, ValueError) as e:
            return _err(str(e), 2)  # a scenario that cannot be loaded: 2, as `ktui scenario run` says it
        gcpolicy.settle(interactive=True)  # the cluster is built: the collector stops rescanning it (see gcpolicy)
        app.run()
        return app.return_code or 0  # 1 after a crash
    from ktui.local import LocalCluster, LocalClusterError
    from ktui.tui.app import KtuiApp

    try:
        with LocalCluster() as local:
            app = KtuiApp(local.cluster, theme=ns.theme, lang=ns.lang, speed=ns.speed or 1.0, playing=ns.speed != 0)
            gcpolicy.settle(interactive=True)
            app.run()
            local.cluster = app.cluster
    except LocalClusterError as e:
        return _err(str(e))
    return app.return_code or 0  # 1 after a crash


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``ktui ARGS``; returns the exit code. A bug never shows a traceback: one line names its log file."""
    if argv is None and hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `ktui scenario list | head` ends quietly, like any CLI
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return _main(args)
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # noqa: BLE001 - the last guard of every shell
        from ktui.kubectl.crash import bug_line

        return _err(bug_line(e, "ktui " + " ".join(args)))


def _main(args: list[str]) -> int:
    if args and args[0] in ("-h", "--help", "help"):
        print(USAGE, end="")
        return 0
    if args and args[0] == "kubectl":
        return _kubectl(args[1:])
    if args and args[0] in ("up", "down", "status"):
        from ktui.server.cli import server_main

        return server_main(args)
    if args and args[0] == "cluster":
        return _cluster(args[1:])
    if args and args[0] == "scenario":
        from ktui.scenario.cli import scenario_main

        return scenario_main(args[1:])
    if args and args[0] == "lab":
        from ktui.lab.cli import lab_main

        return lab_main(args[1:])
    if args and not args[0].startswith("-"):
        return _err(f"unknown command {args[0]!r}\n{USAGE}", 2)
    lab = [i for i, a in enumerate(args) if a == "--lab" or a.startswith("--lab=")]
    if lab:  # `ktui --lab NAME ...` is `ktui lab run NAME ...`
        from ktui.lab.cli import lab_main

        i = lab[0]
        name = args[i].partition("=")[2] if "=" in args[i] else args[i + 1] if i + 1 < len(args) else ""
        rest = args[:i] + args[i + (1 if "=" in args[i] else 2) :]
        return lab_main(["run", name, *rest] if name else ["run"])
    return _ui(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
