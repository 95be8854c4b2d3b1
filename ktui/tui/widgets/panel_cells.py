"""A panel's rows as cells and styled texts: computed from the frame it shows, only for the rows that need them.

The base of :class:`~ktui.tui.widgets.resource_panel.ResourcePanel`: its state (the frame, the row set, the scope,
the filter's text, the chosen order), the cells of a row key and the styled texts the table renders, and which keys
pass the scope and the filter, in which order. No frames are taken here (see the panel).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.control import strip_control_codes
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Static

from ktui.tui import kube
from ktui.tui.rows import Bar, PanelSpec, matches_filter
from ktui.tui.rowset import RowSet, row_order
from ktui.tui.widgets.virtual_table import VirtualTable

if TYPE_CHECKING:
    from ktui.tui.feed import ClusterFeed, FeedSnapshot

__all__ = ["BAR_WIDTH", "ResourceTable", "PanelCells"]

BAR_WIDTH = 6


class ResourceTable(VirtualTable):
    """A :class:`VirtualTable` with vi keys; the cursor selects a whole row."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "scroll_top", "Top", show=False),
        Binding("G", "scroll_bottom", "Bottom", show=False),
    ]


class PanelCells(Vertical, can_focus=False):
    """The rows of one resource as cells (see :class:`~ktui.tui.widgets.resource_panel.ResourcePanel`).

    Args:
        spec: which resource and columns.
        feed: the feed whose snapshots it is handed (the app's; replaced when a session swaps its cluster).
        snapshot: the frame to show first.
    """

    MAX_CACHED_TEXTS: ClassVar[int] = 8192
    """How many rows' styled cells are kept (rows scrolled past are rebuilt when they show again)."""

    filter_text: reactive[str] = reactive("", init=False)
    """The ``/`` filter: a substring, or ``-l key=value``."""
    compact: reactive[bool] = reactive(False, init=False)
    """Show only the spec's compact columns (a narrow terminal)."""

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
        self.rows = RowSet()
        """The keys shown (in scope, passing the filter), in the order they show."""
        self._cells: dict[str, tuple[int, list]] = {}
        """Per row key, the cells as last computed and the simulated second they were computed at."""
        self._texts: dict[str, tuple[list, bool, list[Text]]] = {}
        """Per row key, the styled cells of the shown columns (what the table renders), with the cells (the very
        list) and the highlight they were made for."""
        self._flash: dict[str, float] = {}
        """Row key -> wall time until which it is highlighted."""
        self._styles: dict[str, Style] = dict(styles or {})
        self._index: list[tuple[str, int]] = [(h, i) for i, h in enumerate(spec.headers)]
        """``(header, index in the built cells)`` of each shown column."""
        self._sort_column: str | None = None
        """The column chosen with :meth:`sort_by` (None: kubectl's order)."""
        self._sort_reverse = False
        self.scope = ""
        """The namespace the panel is scoped to ("" for all)."""
        self._full: tuple | None = None
        """While :attr:`rows` holds every row in scope (no filter, or one still running in slices): what they were
        ordered for (:meth:`_rows_for`)."""
        self._unfiltered: tuple[tuple, RowSet] | None = None
        """While a filter is on: every row in scope as they were before it, kept up to date, so that clearing the
        filter brings 150,000 rows back without sorting them again."""
        self.border_title = spec.title
        name = (self.id or "").removeprefix("panel-")
        self._table = ResourceTable(self.rows, self._row_texts, id=f"table-{name}")

    def compose(self):
        yield Static("", classes="filter")
        yield self._table

    @property
    def table(self) -> ResourceTable:
        return self._table

    @property
    def columns(self) -> tuple[str, ...]:
        """The headers shown now."""
        return self.spec.compact if self.compact and self.spec.compact else self.spec.headers

    def _add_columns(self) -> None:
        self._index = [(h, self.spec.headers.index(h)) for h in self.columns]
        self._texts.clear()
        self.table.set_columns(self.columns)

    # ------------------------------------------------------------------ selection

    @property
    def selected_key(self) -> str | None:
        return self.table.selected_key if self.is_mounted else None

    @property
    def selected(self) -> dict | None:
        """The object under the cursor, as the panel's snapshot has it."""
        key = self.selected_key
        if key is None or self.snapshot is None:
            return None
        return self.snapshot.objects.get(self.spec.plural, {}).get(key)

    def select_key(self, key: str) -> bool:
        i = self.rows.index(key)
        if i is None:
            return False
        self.table.move_cursor(i)
        return True

    def _show_from_top(self, keep: str | None) -> None:
        """The rows were replaced: the table shows them from the first, the cursor on ``keep`` if it is still one."""
        table = self.table
        table.rows_changed()
        table.cursor_row = 0
        table.scroll_to(x=0, y=0, animate=False, force=True)
        if keep is not None:
            self.select_key(keep)

    # ------------------------------------------------------------------ cells

    def set_styles(self, styles: dict[str, Style]) -> None:  # type: ignore[override]
        """Theme colours by semantic variable name; re-renders the rows."""
        self._styles = styles
        self._texts.clear()
        if self.is_mounted:
            self.table.forget()
            self.table.refresh()

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

    def _widths(self, cells: list) -> list[int]:
        """How many terminal cells each shown column of a row takes (what :meth:`_cell`'s texts measure), without
        styling them: the columns of an eager panel fit every row, and most rows never show."""
        out = []
        for _, i in self._index:
            value = cells[i]
            if isinstance(value, Bar):
                out.append(BAR_WIDTH + cell_len(strip_control_codes(f" {value.label}")))
            else:
                out.append(cell_len(strip_control_codes(str(value))))
        return out

    def _cells_of(self, key: str) -> list:
        """The cells of ``key`` as the snapshot has it now (AGE follows the clock: recomputed each second)."""
        second = int(self.now)
        hit = self._cells.get(key)
        if hit is not None and hit[0] == second:
            return hit[1]
        obj = self._objects().get(key) if self.snapshot is not None else None
        if obj is None:  # gone from the frame; the next apply removes the row
            return hit[1] if hit is not None else [""] * len(self.spec.headers)
        cells = self.spec.build(self.snapshot, obj, self.now)  # type: ignore[arg-type]
        if hit is not None and hit[1] == cells:
            cells = hit[1]  # the same list: its texts and its line stay
        self._cells[key] = (second, cells)
        return cells

    def _drop_texts(self, key: str) -> None:
        if self._texts.pop(key, None) is not None and self.is_mounted:
            self.table.forget(key)

    def _row_texts(self, key: str) -> list[Text]:
        """The styled cells of a shown row (what the table renders and measures): the same list while the row's
        cells and highlight stay, and the same ``Text`` for each cell that stays when another changes (the table
        renders only those again)."""
        if key not in self.rows:
            raise KeyError(key)
        cells = self._cells_of(key)
        flash = key in self._flash
        hit = self._texts.get(key)
        if hit is not None and hit[0] is cells and hit[1] == flash:
            return hit[2]
        if hit is not None and hit[1] == flash:
            old, kept = hit[0], hit[2]
            texts = [
                kept[n] if old[i] == cells[i] else self._cell(h, cells[i], flash)
                for n, (h, i) in enumerate(self._index)
            ]
        else:
            texts = [self._cell(h, cells[i], flash) for h, i in self._index]
        if len(self._texts) >= self.MAX_CACHED_TEXTS:
            self._texts.clear()
        self._texts[key] = (cells, flash, texts)
        return texts

    # ------------------------------------------------------------------ which rows, in which order

    def _objects(self):
        assert self.snapshot is not None
        return self.snapshot.objects.get(self.spec.plural, {})

    def _in_scope(self, obj: dict) -> bool:
        return not self.scope or (obj.get("metadata") or {}).get("namespace", self.scope) == self.scope

    def _passes(self, key: str, obj: dict) -> bool:
        """In scope and through the filter (a label selector reads the object; a substring, the cells)."""
        if not self._in_scope(obj):
            return False
        text = self.filter_text.strip()
        if not text:
            return True
        return matches_filter(text, obj, [] if text.startswith("-l") else self._cells_of(key))

    def _order(self):
        """The sort value of a key: kubectl's order, or the chosen column's value then kubectl's order."""
        column = self._sort_column if self._sort_column in self.columns else None
        i = self.spec.headers.index(column) if column is not None else None
        return row_order(
            "NAMESPACE" not in self.columns,
            None if i is None else (lambda key: self._cells_of(key)[i]),
            by_age=column == "AGE",
            reverse=self._sort_reverse,
        )

    def _rows_for(self) -> tuple:
        """What the row set depends on besides the filter: resource, scope, order, shown columns."""
        return (self.spec.plural, self.scope, self._sort_column, self._sort_reverse, self.columns)

    def _filtered(self) -> None:
        """:attr:`rows` is about to hold only the rows that pass a filter: keep every row aside when it has them."""
        if self._full is not None:
            kept = RowSet()
            kept.swap(self.rows)
            self._unfiltered = (self._full, kept)
            self._full = None
