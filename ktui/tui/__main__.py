"""``python -m ktui.tui``: open the built-in cluster (or a scenario) in the terminal UI."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ktui.cluster import Cluster

__all__ = ["main", "build_parser", "make_app"]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ktui", description="A simulated Kubernetes cluster in your terminal.")
    p.add_argument("--scenario", metavar="NAME|FILE", help="step through a built-in scenario or a scenario file")
    p.add_argument("--seed", type=int, default=None, help="the cluster's random seed")
    p.add_argument("--theme", default=None, help="theme name (remembered when chosen with t)")
    p.add_argument("--lang", choices=("en", "ko"), default="en", help="language of scenario texts")
    p.add_argument("--speed", type=float, default=1.0, help="simulated seconds per wall second (0: paused)")
    return p


def make_app(args: argparse.Namespace):
    """The app for parsed arguments (a scenario session when ``--scenario`` is given)."""
    from ktui.tui.app import KtuiApp

    if args.scenario:
        from ktui.scenario.session import ScenarioSession

        session: Any = ScenarioSession(args.scenario, seed=args.seed, lang=args.lang)  # as the app's Session
        return KtuiApp(
            None,
            session=session,
            theme=args.theme,
            lang=args.lang,
            speed=args.speed or 1.0,
            playing=False if args.speed == 0 else None,
        )
    cluster = Cluster.default(seed=args.seed or 0)
    return KtuiApp(cluster, theme=args.theme, lang=args.lang, speed=args.speed or 1.0, playing=args.speed != 0)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        app = make_app(args)
    except (ImportError, OSError, ValueError) as exc:
        print(f"ktui: {exc}", file=sys.stderr)
        return 1
    from ktui.sim import gcpolicy

    gcpolicy.settle(interactive=True)  # the cluster is built: the collector stops rescanning it (see gcpolicy)
    app.run()
    return app.return_code or 0  # Textual sets 1 after an unhandled exception


if __name__ == "__main__":
    sys.exit(main())
