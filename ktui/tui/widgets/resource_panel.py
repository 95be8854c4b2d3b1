"""A live panel of one resource: a table whose rows are updated in place and briefly lit when they change.

| Key(s) | Description |
| :- | :- |
| j / down | Next row. |
| k / up | Previous row. |
| enter | Describe the row (handled by the app through ``DataTable.RowSelected``). |
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Static
from textual.widgets.data_table import RowDoesNotExist

from ktui.tui import kube
from ktui.tui.rows import Bar, PanelSpec, filter_error, matches_filter

if TYPE_CHECKING:
    from ktui.tui.feed import Changes, ClusterFeed, FeedSnapshot

__all__ = ["ResourceTable", "ResourcePanel"]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "y": 31536000}


def _age_seconds(age: str) -> float:
    """``2m5s`` -> 125: an AGE cell as seconds (for sorting; unknown text sorts last)."""
    total, num = 0.0, ""
    for ch in age:
        if ch.isdigit():
            num += ch
        elif ch in _UNITS and num:
            total += int(num) * _UNITS[ch]
            num = ""
        else:
            return float("inf")
    return total if not num else float("inf")


BAR_WIDTH = 6


class ResourceTable(DataTable):
    """A :class:`DataTable` with vi keys; the cursor selects a whole row."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "scroll_top", "Top", show=False),
        Binding("G", "scroll_bottom", "Bottom", show=False),
    ]


class ResourcePanel(Vertical, can_focus=False):
    """One of the four main panels, fed by :class:`ktui.tui.feed.ClusterFeed`.

    The panel reads only the :class:`~ktui.tui.feed.FeedSnapshot` it was last handed (:meth:`show`), never the
    feed's live caches: what it renders and what its selection returns cannot change between two frames.

    Args:
        spec: which resource and columns.
        feed: the feed whose snapshots it is handed (the app's; replaced when a session swaps its cluster).
        snapshot: the frame to show first.
    """

    DEFAULT_CSS = """
    ResourcePanel { border: round $panel-lighten-2; border-title-color: $foreground-muted; height: 1fr; }
    ResourcePanel:focus-within { border: round $primary; border-title-color: $primary; }
    ResourcePanel > ResourceTable { height: 1fr; background: $surface; }
    ResourcePanel > .filter { height: 1; display: none; color: $accent; }
    ResourcePanel.-filtered > .filter { display: block; }
    """

    ALLOW_MAXIMIZE = True

    FLASH_SECONDS: ClassVar[float] = 1.5
    """How long a changed row stays highlighted (wall seconds); 0 turns highlighting off."""

    filter_text: reactive[str] = reactive("", init=False)
    """The ``/`` filter: a substring, or ``-l key=value``."""
    compact: reactive[bool] = reactive(False, init=False)
    """Show only the spec's compact columns (a narrow terminal)."""

    class Filled(Message):
        """A panel opened after startup (``:deploy``) has mounted and shows its rows."""

        def __init__(self, panel: "ResourcePanel") -> None:
            super().__init__()
            self.panel = panel

    def __init__(
        self,
        spec: PanelSpec,
        *,
        feed: "ClusterFeed | None" = None,
        id: str | None = None,
        styles: dict[str, Style] | None = None,
        now: float = 0.0,
        classes: str | None = None,
        snapshot: "FeedSnapshot | None" = None,
    ) -> None:
        super().__init__(id=id or f"panel-{spec.plural}", classes=classes)
        self.spec = spec
        self.feed: "ClusterFeed | None" = feed
        """Which feed's snapshots the panel is handed (never read here: rows come from :attr:`snapshot`)."""
        self.snapshot: "FeedSnapshot | None" = snapshot
        """The frame the panel shows: read-only, replaced as a whole by :meth:`show`."""
        self.now = now
        self._fill_on_mount = styles is not None
        """Opened after startup: fill from the feed as soon as mounted (the four are filled by the app)."""
        self._rendered: dict[str, list] = {}
        """Per row key, the cells as last computed (to update only cells that changed)."""
        self._flash: dict[str, float] = {}
        """Row key -> wall time until which it is highlighted."""
        self._styles: dict[str, Style] = dict(styles or {})
        self._index: list[tuple[str, int]] = [(h, i) for i, h in enumerate(spec.headers)]
        self._sort_column: str | None = None
        """The column chosen with :meth:`sort_by` (None: kubectl's order)."""
        self._sort_reverse = False
        self.scope = ""
        """The namespace the panel is scoped to ("" for all)."""
        """``(header, index in the built cells)`` of each shown column."""
        self.border_title = spec.title

    def compose(self):
        yield Static("", classes="filter")
        name = (self.id or "").removeprefix("panel-")
        yield ResourceTable(id=f"table-{name}", cursor_type="row", zebra_stripes=False)

    @property
    def table(self) -> ResourceTable:
        return self.query_one(ResourceTable)

    @property
    def columns(self) -> tuple[str, ...]:
        """The headers shown now."""
        return self.spec.compact if self.compact and self.spec.compact else self.spec.headers

    def _add_columns(self) -> None:
        self._index = [(h, self.spec.headers.index(h)) for h in self.columns]
        for h in self.columns:
            self.table.add_column(h, key=h)

    def on_mount(self) -> None:
        self._add_columns()
        self.set_interval(0.5, self._expire_flashes)
        if self._fill_on_mount and self.snapshot is not None:
            self.rebuild()
            self.post_message(self.Filled(self))

    def set_spec(self, spec: PanelSpec) -> None:
        """Show another resource (the ``:deploy``-style panel): its columns, its rows, no filter or sort."""
        self.spec = spec
        self._sort_column, self._sort_reverse = None, False
        self.table.clear(columns=True)
        self._add_columns()
        self._flash.clear()
        if self.filter_text:
            self.filter_text = ""  # rebuilds
        elif self.snapshot is not None:
            self.rebuild()

    def watch_compact(self, _compact: bool) -> None:
        if not self.is_mounted:
            return
        self.table.clear(columns=True)
        self._add_columns()
        if self.snapshot is not None:
            self.rebuild()

    # ------------------------------------------------------------------ selection

    @property
    def selected_key(self) -> str | None:
        t = self.table
        if not t.row_count:
            return None
        try:
            return t.coordinate_to_cell_key(t.cursor_coordinate).row_key.value
        except (RowDoesNotExist, IndexError):
            return None

    @property
    def selected(self) -> dict | None:
        """The object under the cursor, as the panel's snapshot has it."""
        key = self.selected_key
        if key is None or self.snapshot is None:
            return None
        return self.snapshot.objects.get(self.spec.plural, {}).get(key)

    def select_key(self, key: str) -> bool:
        try:
            self.table.move_cursor(row=self.table.get_row_index(key), animate=False)
            return True
        except RowDoesNotExist:
            return False

    # ------------------------------------------------------------------ rendering

    def set_styles(self, styles: dict[str, Style]) -> None:  # type: ignore[override]
        """Theme colours by semantic variable name; re-renders every row."""
        self._styles = styles
        if self.snapshot is not None:
            self.rebuild()

    def _cell(self, header: str, value, flash: bool) -> Text:
        base = self._styles.get("row-changed") if flash else None
        if isinstance(value, Bar):
            filled = round(value.fraction * BAR_WIDTH)
            text = Text()
            text.append("█" * filled, self._styles.get("bar-used"))
            text.append("░" * (BAR_WIDTH - filled), self._styles.get("bar-free"))
            text.append(f" {value.label}")
        else:
            style = None
            if header == self.spec.status_column:
                cls = kube.status_class(self.spec.plural, str(value))
                style = self._styles.get(cls) if cls else None
            text = Text(str(value), style=style or "")
        if base is not None:
            text.stylize(base)
        return text

    def _row(self, key: str, cells: list) -> list[Text]:
        flash = key in self._flash
        return [self._cell(h, cells[i], flash) for h, i in self._index]

    def _visible(self, key: str, obj: dict, cells: list) -> bool:
        if self.scope and (obj.get("metadata") or {}).get("namespace", self.scope) != self.scope:
            return False
        return matches_filter(self.filter_text, obj, cells)

    def set_scope(self, namespace: str) -> None:
        """Show only ``namespace``'s objects ("" for all namespaces); cluster-scoped objects always show."""
        if namespace != self.scope:
            self.scope = namespace
            if self.snapshot is not None:
                self.rebuild()

    def show(self, snapshot: "FeedSnapshot") -> None:
        """Take the next frame's snapshot (the rows follow with :meth:`apply`, :meth:`rebuild` or
        :meth:`refresh_visible`)."""
        self.snapshot = snapshot
        self.now = snapshot.now

    def _objects(self):
        assert self.snapshot is not None
        return self.snapshot.objects.get(self.spec.plural, {})

    def rebuild(self) -> None:
        """Drop every row and add them again from the snapshot (after a rewind, a theme or filter change)."""
        assert self.snapshot is not None
        table = self.table
        keep = self.selected_key
        table.clear()
        self._rendered = {}
        objs = self._objects()
        rows = []
        for key in sorted(objs):
            cells = self.spec.build(self.snapshot, objs[key], self.now)
            if self._visible(key, objs[key], cells):
                self._rendered[key] = cells
                rows.append((key, cells))
        for key, cells in rows:
            table.add_row(*self._row(key, cells), key=key)
        if self._sort_column is not None:
            self._sort()
        if keep is not None:
            self.select_key(keep)
        self._update_title()

    def apply(self, changes: "Changes", *, flash: bool = True) -> None:
        """Bring the rows named in ``changes`` up to date, in place."""
        assert self.snapshot is not None
        if changes.reset:
            self.rebuild()
            return
        table = self.table
        objs = self._objects()
        until = time.monotonic() + self.FLASH_SECONDS
        added = False
        keep = self.selected_key
        for key in sorted(changes.removed):
            if key in self._rendered:
                del self._rendered[key]
                self._flash.pop(key, None)
                table.remove_row(key)
        for key in sorted(changes.changed):
            obj = objs.get(key)
            if obj is None:
                continue
            cells = self.spec.build(self.snapshot, obj, self.now)
            visible = self._visible(key, obj, cells)
            old = self._rendered.get(key)
            if not visible:
                if old is not None:
                    del self._rendered[key]
                    table.remove_row(key)
                continue
            if old == cells:
                continue
            if flash and self.FLASH_SECONDS > 0:
                self._flash[key] = until
            self._rendered[key] = cells
            if old is None:
                table.add_row(*self._row(key, cells), key=key)
                added = True
            else:
                self._update_cells(key, cells, old, force=flash)
        if added:
            self._sort()
        if keep is not None and (added or changes.removed):
            self.select_key(keep)
        self._update_title()

    def sort_by(self, header: str) -> bool:
        """Order the rows by ``header`` (k9s's shift+column keys); again on the same column reverses the order.
        False when the panel has no such column."""
        if header not in self.columns:
            return False
        self._sort_reverse = not self._sort_reverse if self._sort_column == header else False
        self._sort_column = header
        self._sort()
        return True

    def _sort(self) -> None:
        """Order rows as kubectl lists them (namespace, then name), or by the column chosen with :meth:`sort_by`."""
        column = self._sort_column if self._sort_column in self.columns else None
        if column is None:
            cols = [c for c in ("NAMESPACE", "NAME") if c in self.columns]
            self.table.sort(*cols, key=lambda v: tuple(map(str, v)) if isinstance(v, tuple) else str(v))
            return
        by_age = column == "AGE"
        self.table.sort(column, key=lambda v: _age_seconds(str(v)) if by_age else str(v), reverse=self._sort_reverse)

    def _update_cells(self, key: str, cells: list, old: list | None, *, force: bool = False) -> None:
        flash = key in self._flash
        table = self.table
        for h, i in self._index:
            v, o = cells[i], old[i] if old else None
            if force or flash or v != o:
                text = self._cell(h, v, flash)
                column = table.columns.get(h)  # type: ignore[call-overload]
                # Only widen: asking DataTable to fit a narrower cell re-measures the whole column.
                wider = column is not None and text.cell_len > column.content_width
                table.update_cell(key, h, text, update_width=wider)

    def refresh_visible(self) -> None:
        """Recompute the rows on screen (their AGE moves with the clock without any watch event)."""
        if self.snapshot is None or not self.table.row_count:
            return
        table = self.table
        start = max(0, int(table.scroll_y))
        end = min(table.row_count, start + max(1, table.size.height))
        objs = self._objects()
        for row in table.ordered_rows[start:end]:
            key = row.key.value
            obj = objs.get(key)  # type: ignore[arg-type]
            if obj is None:
                continue
            cells = self.spec.build(self.snapshot, obj, self.now)
            old = self._rendered.get(key)  # type: ignore[arg-type]
            if cells != old:
                self._rendered[key] = cells  # type: ignore[index]
                self._update_cells(key, cells, old)  # type: ignore[arg-type]

    def _expire_flashes(self) -> None:
        if not self._flash:
            return
        now = time.monotonic()
        for key in [k for k, t in self._flash.items() if t <= now]:
            del self._flash[key]
            if key in self._rendered:
                self._update_cells(key, self._rendered[key], None, force=True)

    def _update_title(self) -> None:
        total = len(self._objects()) if self.snapshot is not None else 0
        shown = len(self._rendered)
        scoped = self.scope and "NAMESPACE" in self.spec.headers
        title = f"{self.spec.title} ({shown}/{total})" if self.filter_text or scoped else f"{self.spec.title} ({total})"
        self.border_title = title + (f" in {self.scope}" if scoped else "")

    def watch_filter_text(self, text: str) -> None:
        self.set_class(bool(text), "-filtered")
        label = Text(f"filter: {text}")
        error = filter_error(text)
        if error:
            label.append(f"   not a label selector: {error}", style=self._styles.get("pod-failed") or "bold")
        self.query_one(".filter", Static).update(label)
        if self.snapshot is not None:
            self.rebuild()
