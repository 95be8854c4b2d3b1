"""The terminal UI: a Textual shell around one simulated cluster (``KtuiApp``).

Only :mod:`ktui.tui.app` and the widgets/screens import Textual; :mod:`ktui.tui.feed`, :mod:`ktui.tui.rows`,
:mod:`ktui.tui.views` and :mod:`ktui.tui.routing` are plain Python and can be used (and tested) without it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["KtuiApp"]


def __getattr__(name: str) -> Any:
    if name == "KtuiApp":
        from ktui.tui.app import KtuiApp

        return KtuiApp
    raise AttributeError(name)
