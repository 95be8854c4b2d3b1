"""Command-line parsing for ktui's subcommands: an ArgumentParser that raises instead of printing and exiting."""

from __future__ import annotations

import argparse

__all__ = ["QuietParser", "UsageError"]


class UsageError(Exception):
    """A command line the subcommand cannot take; the message says why (the caller prints it with the usage)."""


class QuietParser(argparse.ArgumentParser):
    """An ArgumentParser that raises :class:`UsageError` instead of printing and exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)
