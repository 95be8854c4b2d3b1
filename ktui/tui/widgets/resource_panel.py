"""A live panel of one resource: a virtual table whose rows are updated in place and briefly lit when they change.

The rows live in a :class:`~ktui.tui.rowset.RowSet` (the keys that pass the scope and the filter, in kubectl's
order or the chosen column's), not in the widget; cells are computed from the frame's snapshot only for the rows
that show (and for changed rows when a filter or a column sort needs them), so the panel costs the same with 60
pods or 150,000. The cells and which rows pass are the base's (:mod:`ktui.tui.widgets.panel_cells`); a filter or a
column sort over many rows runs in slices between frames (:mod:`ktui.tui.widgets.panel_passes`).

| Key(s) | Description |
| :- | :- |
| j / down | Next row. |
| k / up | Previous row. |
| g / G | First / last row. |
| enter | Describe the row (handled by the app through ``VirtualTable.RowSelected``). |
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.message import Message
from textual.widgets import Static

from ktui.tui.rows import filter_error
from ktui.tui.widgets.panel_cells import ResourceTable
from ktui.tui.widgets.panel_passes import PanelPasses

if TYPE_CHECKING:
    from ktui.tui.feed import Changes, FeedSnapshot
    from ktui.tui.rows import PanelSpec

__all__ = ["ResourceTable", "ResourcePanel"]


class ResourcePanel(PanelPasses, can_focus=False):
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

    class Filled(Message):
        """A panel opened after startup (``:deploy``) has mounted and shows its rows."""

        def __init__(self, panel: "ResourcePanel") -> None:
            super().__init__()
            self.panel = panel

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

    # ------------------------------------------------------------------ which rows, in which order

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

    def rebuild(self) -> None:
        """Take every row again from the snapshot (after a rewind, a scope or filter change)."""
        assert self.snapshot is not None
        needle = self.filter_text.strip()
        kept = self._unfiltered
        if kept is not None and kept[0] != self._rows_for():  # another scope, order or resource since
            kept = self._unfiltered = None
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
        self._show_from_top(keep)
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
            self._filtering.touched.update(changes.changed, changes.removed)
        if self._sorting is not None:  # placed again when the background sort is done
            self._sorting.touched.update(changes.changed, changes.removed)
        # While a filter runs and the rows hold every row in scope, they stay so (they are kept aside for when the
        # filter is cleared): a changed row is checked against the filter when it is done.
        every = self._filtering is not None and self._full is not None
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
            if not (self._in_scope(obj) if every else self._passes(key, obj)):
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

    def watch_filter_text(self, text: str) -> None:
        self.set_class(bool(text), "-filtered")
        label = Text(f"filter: {text}")
        error = filter_error(text)
        if error:
            label.append(f"   not a label selector: {error}", style=self._styles.get("pod-failed") or "bold")
        self.query_one(".filter", Static).update(label)
        if self.snapshot is not None:
            self.rebuild()
