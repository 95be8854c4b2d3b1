"""A bug in ktui becomes one line on the terminal and a log file with the traceback (used by every shell).

kubectl (``run_kubectl``), the ``ktui`` command and ``ktui scenario`` catch what nobody expected, write the
traceback under ``$KTUI_HOME/logs`` (or the system's temporary directory when ``KTUI_HOME`` is unset or
not writable) and print :func:`bug_line` instead of a traceback.
"""

from __future__ import annotations

import os
import tempfile
import traceback
from pathlib import Path

__all__ = ["write_crash_log", "bug_line", "log_dirs"]

_MAX_SUMMARY = 200
"""Characters of the exception's text shown on the one line (the log has all of it)."""


def log_dirs() -> list[Path]:
    """Where crash logs may go, best first: ``$KTUI_HOME/logs``, then ``<tmp>/ktui-logs``."""
    dirs = []
    if os.environ.get("KTUI_HOME"):
        dirs.append(Path(os.environ["KTUI_HOME"]) / "logs")
    dirs.append(Path(tempfile.gettempdir()) / "ktui-logs")
    return dirs


def write_crash_log(exc: BaseException, context: str) -> Path | None:
    """Write ``exc``'s traceback (and what was being run) to a new file; its path, or None if none could be."""
    text = f"ktui bug while running: {context}\n\n" + "".join(
        traceback.format_exception(type(exc), exc, exc.__traceback__)
    )
    for d in log_dirs():
        try:
            d.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix="crash-", suffix=".log", dir=d)
            with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as fh:
                fh.write(text)
            return Path(name)
        except OSError:
            continue
    return None


def _summary(exc: BaseException) -> str:
    first = (str(exc).splitlines() or [""])[0]
    if len(first) > _MAX_SUMMARY:
        first = first[:_MAX_SUMMARY] + "..."
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def bug_line(exc: BaseException, context: str) -> str:
    """The one line (no newline) that reports an unexpected exception, after writing its log."""
    path = write_crash_log(exc, context)
    where = f"the traceback is in {path}" if path else "the traceback could not be written to a log file"
    return f"this is a bug in ktui ({_summary(exc)}); {where}"
