"""The one-line header: cluster name, simulated clock, play state and speed, scenario step and title."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from ktui.sim.timefmt import EPOCH
from ktui.tui.i18n import tr

__all__ = ["ClusterHeader", "clock_text", "speed_text"]


def clock_text(now: float) -> str:
    """``HH:MM:SS`` since t=0 (``1d 02:03:04`` past a day)."""
    s = int(now)
    d, rem = divmod(s, 86400)
    h, rem = divmod(rem, 3600)
    m, sec = divmod(rem, 60)
    return (f"{d}d " if d else "") + f"{h:02}:{m:02}:{sec:02}"


def speed_text(speed: float) -> str:
    """``1x``, ``0.25x``, ``64x``."""
    return (f"{speed:g}" if speed < 1 else f"{int(speed)}") + "x"


class ClusterHeader(Static):
    """What the clock says and where the story is."""

    DEFAULT_CSS = """
    ClusterHeader { height: 1; background: $panel; color: $foreground; padding: 0 1; }
    """

    cluster_name: reactive[str] = reactive("kubernetes")
    now: reactive[float] = reactive(0.0)
    """Simulated seconds since the cluster was created."""
    playing: reactive[bool] = reactive(False)
    speed: reactive[float] = reactive(1.0)
    step: reactive[str] = reactive("")
    """``3/9 Title`` in a scenario, empty otherwise."""
    compact: reactive[bool] = reactive(False)

    def render(self) -> Text:
        style = self.app.style if self.is_attached else (lambda _name: Style())  # type: ignore[attr-defined]
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(" ⎈ ", style="bold")
        t.append(self.cluster_name, style="bold")
        t.append("   ")
        t.append(clock_text(self.now), style=style("clock") + Style(bold=True))
        if not self.compact:
            stamp = EPOCH.timestamp() + int(self.now)
            import datetime as _dt

            real = _dt.datetime.fromtimestamp(stamp, _dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
            t.append(f"  ({real})", style="dim")
        t.append("   ")
        if self.playing:
            t.append(f"▶ {speed_text(self.speed)}", style=style("play-state") + Style(bold=True))
        else:
            t.append(f"⏸ {speed_text(self.speed)}", style=style("pause-state") + Style(bold=True))
        if self.step:
            t.append("  " + tr(" step ", getattr(self.app, "lang", "en") if self.is_attached else "en"))
            t.append(self.step, style="bold")
        return t
