"""The events strip: the newest Events as ``kubectl get events -A`` prints them, Warnings coloured."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from ktui.tui import kube

__all__ = ["EventsStrip"]


def _fit(headers: list[str], rows: list[tuple], width: int, height: int) -> list[tuple]:
    """The newest rows whose wrapped MESSAGE lines fit in ``height`` lines (the newest is never pushed off).

    The other columns are as wide as their widest cell among the rows kept, and MESSAGE gets the rest, as the
    table lays them out."""
    m = headers.index("MESSAGE")
    widths = [len(h) for h in headers]
    out: list[tuple] = []
    for r in reversed(rows):
        trial = [max(w, len(str(c))) for w, c in zip(widths, r)]
        room = max(8, width - sum(w + 2 for i, w in enumerate(trial) if i != m))  # 1 space either side
        lines = sum(max(1, -(-len(str(x[m])) // room)) for x in [*out, r])
        if out and lines > height:
            break
        out.append(r)
        widths = trial
    return out[::-1]


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
        width = self.content_size.width or 200
        with_ns = width >= 118  # a narrow strip gives NAMESPACE's room to MESSAGE
        headers = ["NAMESPACE", *kube.columns_for("events")] if with_ns else kube.columns_for("events")
        height = max(1, (self.content_size.height or 6) - 1)
        rows = []
        for ev in self._events[-height:]:
            row_cells = kube.row_for("events", ev, self._now)
            rows.append(((ev.get("metadata") or {}).get("namespace", ""), *row_cells) if with_ns else tuple(row_cells))
        rows = _fit(headers, rows, width, height)
        table = Table(box=None, padding=(0, 1), pad_edge=False, show_edge=False, expand=True, header_style="bold")
        for h in headers:  # MESSAGE takes the room the others leave, and wraps rather than being cut
            table.add_column(
                h,
                no_wrap=h != "MESSAGE",
                overflow="fold" if h == "MESSAGE" else "ellipsis",
                ratio=1 if h == "MESSAGE" else None,
                min_width=None if h == "MESSAGE" else len(h),
            )
        for cells in rows:
            row = [Text(str(c)) for c in cells]
            if warning and cells[headers.index("TYPE")] == "Warning":
                row[headers.index("TYPE")].stylize(warning)
            table.add_row(*row)
        self.update(table)

    def on_resize(self) -> None:
        self._render_table()
