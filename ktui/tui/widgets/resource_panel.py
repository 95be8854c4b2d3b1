"""A live panel of one resource: a virtual table whose rows are updated in place and briefly lit when they change.

The rows live in a :class:`~ktui.tui.rowset.RowSet` (the keys that pass the scope and the filter, in kubectl's
order or the chosen column's), not in the widget; cells are computed from the frame's snapshot only for the rows
that show (and for changed rows when a filter or a column sort needs them), so the panel costs the same with 60
pods or 150,000.

| Key(s) | Description |
| :- | :- |
| j / down | Next row. |
| k / up | Previous row. |
| g / G | First / last row. |
| enter | Describe the row (handled by the app through ``VirtualTable.RowSelected``). |
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.control import strip_control_codes
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from ktui.tui import kube
from ktui.tui.rows import Bar, PanelSpec, filter_error, matches_filter
from ktui.tui.rowset import RowSet, filter_keys, row_order, sort_steps
from ktui.tui.widgets.virtual_table import VirtualTable

if TYPE_CHECKING:
    from ktui.tui.feed import Changes, ClusterFeed, FeedSnapshot

__all__ = ["ResourceTable", "ResourcePanel"]

BAR_WIDTH = 6


class ResourceTable(VirtualTable):
    """A :class:`VirtualTable` with vi keys; the cursor selects a whole row."""

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
    EAGER_ROWS: ClassVar[int] = 2000
    """Up to this many rows, every row's cells are computed and measured (the columns fit every row); above it,
    only the rows that show are, and a column widens when a wider cell scrolls into view."""
    BACKGROUND_ROWS: ClassVar[int] = 20_000
    """From this many objects, a substring filter reads every row's cells in a worker thread, from the frame it was
    typed in (frames keep coming meanwhile; rows changed since are checked again when it is done); from this many
    rows, a column sort reads them in slices between frames (the rows keep their order until it is done; rows
    changed since are placed again)."""
    SORT_SLICE_SECONDS: ClassVar[float] = 0.004
    """How long a column sort from :attr:`BACKGROUND_ROWS` rows works before it lets the event loop turn (wall)."""
    SORT_SETTLE_ROWS: ClassVar[int] = 256
    """A column sort's rows are shown once at most this many rows changed since they were last placed (the others
    are placed again in slices)."""
    SORT_TURNS: ClassVar[int] = 4
    """How many turns of the event loop a column sort lets pass between two slices."""
    MAX_CACHED_TEXTS: ClassVar[int] = 8192
    """How many rows' styled cells are kept (rows scrolled past are rebuilt when they show again)."""

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
        """While :attr:`rows` holds every row in scope (no filter): what they were ordered for (:meth:`_rows_for`)."""
        self._unfiltered: tuple[tuple, RowSet] | None = None
        """While a filter is on: every row in scope as they were before it, kept up to date, so that clearing the
        filter brings 150,000 rows back without sorting them again."""
        self._filtering: tuple[int, set[str]] | None = None
        """While a filter runs in the background: its number and the keys changed since its frame."""
        self._filter_runs = 0
        self._sorting: tuple[int, set[str]] | None = None
        """While a column sort runs in the background: its number and the keys changed or removed since its frame."""
        self._sort_runs = 0
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
        self._cells.clear()
        self._add_columns()
        self._flash.clear()
        if self.filter_text:
            self.filter_text = ""  # rebuilds
        elif self.snapshot is not None:
            self.rebuild()

    def watch_compact(self, _compact: bool) -> None:
        if not self.is_mounted:
            return
        self._add_columns()
        if self.snapshot is not None:
            self.rebuild()

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
        """Take every row again from the snapshot (after a rewind, a scope or filter change)."""
        assert self.snapshot is not None
        needle = self.filter_text.strip()
        if needle and not needle.startswith("-l") and len(self._objects()) >= self.BACKGROUND_ROWS:
            self._filter_in_background(needle)
            return
        self._filtering = None
        self._sorting = None  # the rows are ordered here, by the order chosen last
        table = self.table
        keep = self.selected_key
        self._cells.clear()
        self._texts.clear()
        table.forget()
        objs = self._objects()
        kept = self._unfiltered
        if kept is not None and kept[0] != self._rows_for():  # another scope, order or resource since
            kept = self._unfiltered = None
        if needle:
            self._filtered()
            keys = [k for k, obj in objs.items() if self._passes(k, obj)]
            self.rows.reset(keys, self._order())
        elif kept is not None:  # a filter cleared: every row, as kept up to date meanwhile
            self._unfiltered = None
            self.rows.swap(kept[1])
        else:
            keys = [k for k, obj in objs.items() if self._passes(k, obj)] if self.scope else list(objs)
            self.rows.reset(keys, self._order())
        if not needle:
            self._full = self._rows_for()
        if len(self.rows) <= self.EAGER_ROWS:
            for key in self.rows:
                table.fit_widths(self._widths(self._cells_of(key)))
        table.rows_changed()
        table.cursor_row = 0
        table.scroll_to(x=0, y=0, animate=False, force=True)
        if keep is not None:
            self.select_key(keep)
        table.refresh()
        self._update_title()

    def apply(self, changes: "Changes", *, flash: bool = True) -> None:
        """Bring the rows named in ``changes`` up to date: O(changes · log rows), whatever the panel's size."""
        assert self.snapshot is not None
        if changes.reset:
            self._unfiltered = None
            self.rebuild()
            return
        table = self.table
        rows = self.rows
        objs = self._objects()
        until = time.monotonic() + self.FLASH_SECONDS
        lit = flash and self.FLASH_SECONDS > 0
        keep = self.selected_key
        eager = len(rows) <= self.EAGER_ROWS
        sorted_by_cells = self._sort_column in self.columns
        moved = False
        if self._filtering is not None:  # checked again against the filter when the background pass is done
            self._filtering[1].update(changes.changed, changes.removed)
        if self._sorting is not None:  # placed again when the background sort is done
            self._sorting[1].update(changes.changed, changes.removed)
        if self._unfiltered is not None:
            if sorted_by_cells:  # would read every changed row's cells: taken again when the filter is cleared
                self._unfiltered = None
            else:
                kept = self._unfiltered[1]
                for key in changes.removed:
                    kept.discard(key)
                for key in changes.changed:
                    obj = objs.get(key)
                    if obj is not None and self._in_scope(obj):
                        kept.put(key)
                    else:
                        kept.discard(key)
        for key in changes.removed:
            moved |= rows.discard(key)
            self._cells.pop(key, None)
            self._drop_texts(key)
            self._flash.pop(key, None)
        for key in changes.changed:
            obj = objs.get(key)
            if obj is None:
                continue
            old = self._cells.get(key)
            if old is not None:  # computed again when next read (kept to compare: unchanged cells keep their texts)
                self._cells[key] = (-1, old[1])
            if not self._passes(key, obj):
                if rows.discard(key):
                    moved = True
                    self._flash.pop(key, None)
                    self._cells.pop(key, None)
                    self._drop_texts(key)
                continue
            new = key not in rows
            if new or old is not None or eager or sorted_by_cells:
                # Rows that show (or were shown), new rows, and rows a filter or sort needs: compare and light up.
                cells = self._cells_of(key)
                if not new and old is not None and old[1] == cells:
                    continue
                if lit:
                    self._flash[key] = until
                moved |= rows.put(key)
                if eager:  # measured, not styled: its texts are made if it shows
                    table.fit_widths(self._widths(cells))
            else:
                moved |= rows.put(key)  # off screen and unread: its cells are computed when it shows
        if moved:
            table.rows_changed()
            if keep is not None:
                self.select_key(keep)
        table.refresh()
        self._update_title()

    def sort_by(self, header: str) -> bool:
        """Order the rows by ``header`` (k9s's shift+column keys); again on the same column reverses the order.
        False when the panel has no such column."""
        if header not in self.columns:
            return False
        self._sort_reverse = not self._sort_reverse if self._sort_column == header else False
        self._sort_column = header
        if self.snapshot is not None and len(self.rows) >= self.BACKGROUND_ROWS:
            self._sort_in_background()
            return True
        self._sorting = None
        keep = self.selected_key
        self.rows.reset(list(self.rows), self._order())
        if self._full is not None:
            self._full = self._rows_for()
        self.table.rows_changed()
        if keep is not None:
            self.select_key(keep)
        return True

    def refresh_visible(self) -> None:
        """Show the clock's second on the rows on screen (AGE cells are recomputed as they render)."""
        if self.is_mounted:
            self.table.refresh()

    def _expire_flashes(self) -> None:
        if not self._flash:
            return
        now = time.monotonic()
        expired = [k for k, t in self._flash.items() if t <= now]
        for key in expired:
            del self._flash[key]  # its texts are made again without the highlight when it next shows
        if expired:
            self.table.refresh()

    def _update_title(self) -> None:
        total = len(self._objects()) if self.snapshot is not None else 0
        shown = len(self.rows)
        scoped = self.scope and "NAMESPACE" in self.spec.headers
        title = f"{self.spec.title} ({shown}/{total})" if self.filter_text or scoped else f"{self.spec.title} ({total})"
        self.border_title = (
            title
            + (f" in {self.scope}" if scoped else "")
            + (" filtering..." if self._filtering else "")
            + (" sorting..." if self._sorting else "")
        )

    def watch_filter_text(self, text: str) -> None:
        self.set_class(bool(text), "-filtered")
        label = Text(f"filter: {text}")
        error = filter_error(text)
        if error:
            label.append(f"   not a label selector: {error}", style=self._styles.get("pod-failed") or "bold")
        self.query_one(".filter", Static).update(label)
        if self.snapshot is not None:
            self.rebuild()

    def _filter_in_background(self, needle: str) -> None:
        """Find the rows whose cells contain ``needle`` in a worker thread, reading only this frame's snapshot."""
        assert self.snapshot is not None
        # The worker reads a copy of the frame: the frame's views read the live caches, which this thread changes.
        snapshot, spec, scope, now = self.snapshot.detached(), self.spec, self.scope, self.now
        self._filter_runs += 1
        run = self._filter_runs
        self._filtering = (run, set())
        self._update_title()

        def scan() -> tuple[int, str, list[str]]:
            return run, needle, filter_keys(snapshot, spec, scope, now, needle)

        self.run_worker(scan, thread=True, exclusive=True, group=f"filter-{self.id}", exit_on_error=False)

    def _sort_in_background(self) -> None:
        """Order the rows by the chosen column in slices of a few milliseconds between turns of the event loop,
        reading only this frame's snapshot; the rows keep their order (and follow the frames) until it is done.

        On the UI thread, not a worker thread: a thread shares the interpreter lock with the UI, which then waited
        for it up to 34-134 ms at 150,000 rows (the young collections it set off ran holding the lock); a slice
        returns to the event loop after :attr:`SORT_SLICE_SECONDS`."""
        assert self.snapshot is not None and self._sort_column is not None
        snapshot, spec, now = self.snapshot, self.spec, self.now
        keys = list(self.rows)
        column, by_name, reverse = (
            spec.headers.index(self._sort_column),
            "NAMESPACE" not in self.columns,
            self._sort_reverse,
        )
        self._sort_runs += 1
        run = self._sort_runs
        self._sorting = (run, set())
        self._update_title()
        budget = self.SORT_SLICE_SECONDS

        async def sort() -> tuple[int, RowSet | None]:
            steps = sort_steps(snapshot, spec, keys, now, column, by_name=by_name, reverse=reverse, budget=budget)
            rows: RowSet | None = None
            while True:
                # Turns of the event loop before each slice (the first: after the key): a message or timer that
                # takes a few hops (a key from the driver thread to the focused widget) gets through between two.
                for _ in range(self.SORT_TURNS):
                    await asyncio.sleep(0)
                if self._sorting is None or self._sorting[0] != run:
                    return run, None  # another sort, a rebuild or a filter ordered the rows since
                if rows is None:
                    try:
                        next(steps)
                    except StopIteration as done:
                        rows = done.value
                        rows.set_order(self._order())  # the same values, read from the frames to come
                    continue
                # The rows changed since the sort's frame, placed again in slices too (1,000 changes a frame add up
                # while it runs); the last few are placed when the rows are shown (:meth:`_sorted`).
                if len(self._sorting[1]) <= self.SORT_SETTLE_ROWS:
                    self._sorted(run, rows)  # now: a message would let more frames' changes pile up first
                    return run, None
                pending = list(self._sorting[1])
                self._sorting = (run, set())
                until = time.perf_counter() + budget
                for start in range(0, len(pending), 64):
                    if start and time.perf_counter() >= until:
                        self._sorting[1].update(pending[start:])
                        break
                    self._place(rows, pending[start : start + 64])

        # (mypy infers the worker's result type of an ``async def`` as Never: Textual's WorkType is a union.)
        self.run_worker(
            sort,  # type: ignore[arg-type]
            name=f"sort {run}",
            exclusive=True,
            group=f"sort-{self.id}",
            exit_on_error=False,
        )

    def _place(self, rows: RowSet, keys) -> None:
        """Place ``keys`` in a background sort's ``rows`` as the frame shown now has them (a key no longer shown goes;
        ``rows`` orders with :meth:`_order`)."""
        shown = self.rows
        for key in keys:
            rows.discard(key)
            if key in shown:
                rows.put(key)

    def _sorted(self, run: int, rows: RowSet | None) -> None:
        """A background sort is done: show its rows, with the rows changed, added or removed since placed again."""
        if rows is None or self._sorting is None or self._sorting[0] != run:
            return  # another sort, a rebuild or a filter ordered the rows since
        touched = self._sorting[1]
        self._sorting = None
        self._place(rows, touched)
        if len(rows) != len(self.rows):  # not expected: every change since was recorded; the shown rows win
            rows.reset(list(self.rows), self._order())
        keep = self.selected_key
        self.rows.swap(rows)
        if self._full is not None:
            self._full = self._rows_for()
        self.table.rows_changed()
        if keep is not None:
            self.select_key(keep)
        self._update_title()

    def on_worker_state_changed(self, event) -> None:
        from textual.worker import WorkerState

        if event.state == WorkerState.ERROR and self._sorting and event.worker.name == f"sort {self._sorting[0]}":
            self._sorting = None  # the rows keep the order they had; the title no longer says "sorting..."
            self._update_title()
        if event.state != WorkerState.SUCCESS:
            return
        if event.worker.group.startswith("sort-"):
            self._sorted(*event.worker.result)
            return
        if not event.worker.group.startswith("filter-"):
            return
        run, needle, found = event.worker.result
        if self._filtering is None or self._filtering[0] != run or self.filter_text.strip() != needle:
            return  # another filter (or none) was asked for since
        touched = self._filtering[1]
        self._filtering = None
        keys = set(found)
        objs = self._objects()
        for key in touched:  # changed while the pass ran: as the frame shown now has them
            obj = objs.get(key)
            if obj is not None and self._passes(key, obj):
                keys.add(key)
            else:
                keys.discard(key)
        table = self.table
        keep = self.selected_key
        self._cells.clear()
        self._texts.clear()
        table.forget()
        self._filtered()
        self._sorting = None  # ordered here
        self.rows.reset(keys, self._order())
        table.rows_changed()
        table.cursor_row = 0
        table.scroll_to(x=0, y=0, animate=False, force=True)
        if keep is not None:
            self.select_key(keep)
        self._update_title()
