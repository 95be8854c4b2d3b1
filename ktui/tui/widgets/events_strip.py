"""The events strip: the newest Events as ``kubectl get events -A`` prints them, Warnings coloured."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from ktui.tui import kube

__all__ = ["EventsStrip"]


class EventsStrip(Static):
    """The last few Events, newest at the bottom (kubectl's order)."""

    DEFAULT_CSS = """
    EventsStrip { width: 1fr; height: 1fr; border: round $panel-lighten-2; border-title-color: $foreground-muted;
                  padding: 0 1; background: $surface; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.border_title = "Events"
        self._events: list[dict] = []
        self._now = 0.0
        self._local: list[tuple[float, str]] = []
        """ktui's own notes (faults injected and undone), shown among the Events."""

    def show(self, events: list[dict], now: float) -> None:
        self._events = events
        self._now = now
        self._render_table()

    def _render_table(self) -> None:
        warning = self.app.style("event-warning") if self.is_attached else None  # type: ignore[attr-defined]
        with_ns = (self.size.width or 200) >= 120  # a narrow strip gives NAMESPACE's room to MESSAGE
        headers = ["NAMESPACE", *kube.columns_for("events")] if with_ns else kube.columns_for("events")
        table = Table(box=None, padding=(0, 1), pad_edge=False, show_edge=False, expand=True,
                      header_style="bold")
        for h in headers:
            table.add_column(h, no_wrap=True, overflow="ellipsis", ratio=1 if h == "MESSAGE" else None,
                             min_width=None if h == "MESSAGE" else len(h))
        height = max(1, (self.size.height or 6) - 1)
        for ev in self._events[-height:]:
            cells = kube.row_for("events", ev, self._now)
            if with_ns:
                cells = [(ev.get("metadata") or {}).get("namespace", ""), *cells]
            row = [Text(str(c)) for c in cells]
            if warning and ev.get("type") == "Warning":
                row[headers.index("TYPE")].stylize(warning)
            table.add_row(*row)
        self.update(table)

    def on_resize(self) -> None:
        self._render_table()
