"""A table on Textual's Line API that renders only the rows on screen, from rows kept outside the widget.

The widget owns no rows: it is handed a sequence of row keys (any ordered container with ``len``, indexing and
``index``, such as :class:`ktui.tui.rowset.RowSet`) and a function that gives the cells of one key as Rich
``Text``. Each frame it asks for the keys and cells of the visible rows only, so a table of 150,000 rows costs
what a table of 60 does. It looks and behaves like a row-cursor ``DataTable`` (header, cursor, hover, padding,
the same component classes and keys), so themes style it the same way.

| Key(s) | Description |
| :- | :- |
| enter | Select the row under the cursor (posts :class:`VirtualTable.RowSelected`). |
| up / down | Move the cursor. |
| pageup / pagedown | Move one page. |
| ctrl+home / ctrl+end | First / last row. |
| left / right, home / end | Scroll sideways. |
"""

from __future__ import annotations

from typing import Callable, ClassVar, Protocol, Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

__all__ = ["VirtualTable", "RowKeys"]

PADDING = 1
"""Blank cells either side of a cell's text (DataTable's ``cell_padding``)."""


class RowKeys(Protocol):
    """The ordered row keys a :class:`VirtualTable` shows."""

    def __len__(self) -> int: ...
    def __getitem__(self, i: int) -> str: ...
    def index(self, key: str) -> int | None: ...
    def window(self, start: int, stop: int) -> list[str]: ...


class VirtualTable(ScrollView, can_focus=True):
    """A row-cursor table whose rows live outside it.

    Args:
        keys: the rows, in order (read again each frame).
        cells: the cells of one row key, one ``Text`` per column.
    """

    ALLOW_SELECT = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Select", show=False),
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("right", "scroll_right", "Scroll right", show=False),
        Binding("left", "scroll_left", "Scroll left", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("ctrl+home", "scroll_top", "Top", show=False),
        Binding("ctrl+end", "scroll_bottom", "Bottom", show=False),
        Binding("home", "scroll_home", "Home", show=False),
        Binding("end", "scroll_end", "End", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "datatable--header",
        "datatable--cursor",
        "datatable--hover",
        "datatable--header-cursor",
        "datatable--header-hover",
    }

    # The values of Textual's DataTable, so that a theme styles both alike.
    DEFAULT_CSS = """
    VirtualTable {
        background: $surface;
        color: $foreground;
        &:focus {
            background-tint: $foreground 5%;
            & > .datatable--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .datatable--header { background-tint: $foreground 5%; }
        }
        & > .datatable--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .datatable--header { background: ansi_bright_blue; color: ansi_default; }
        & > .datatable--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .datatable--header-cursor { background: $accent-darken-1; color: $foreground; }
        & > .datatable--header-hover { background: $accent 30%; }
        & > .datatable--hover { background: $block-hover-background; }
    }
    """

    class RowSelected(Message):
        """Enter (or a click on the cursor's row) selected a row."""

        def __init__(self, table: "VirtualTable", row_key: str, cursor_row: int) -> None:
            super().__init__()
            self.table = table
            self.row_key = row_key
            self.cursor_row = cursor_row

        @property
        def control(self) -> "VirtualTable":
            return self.table

    def __init__(
        self,
        keys: RowKeys,
        cells: Callable[[str], list[Text]],
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.keys = keys
        self._cells = cells
        self.labels: list[Text] = []
        self.widths: list[int] = []
        """Content width of each column: the widest label or cell measured so far (never narrower)."""
        self.cursor_row = 0
        self.hover_row = -2
        """The row under the mouse (-1: the header; -2: none)."""
        self._show_hover = False
        self._cell_segments: dict[str, list[tuple[Text, int, list[Segment]]]] = {}
        """Per row key and column: the cell's text, the width it was cut for, and its padded segments (before row
        styles). A cell is cut again only when its text (the very object) or its column's width changed."""
        self._lines: dict[str, tuple[tuple, list[Text], Strip, list[tuple[Text, int, list[Segment]]]]] = {}
        """Per row key: what its last line was rendered for, the texts it showed (the very list), the line, and
        each cell's styled segments (reused for the cells whose text is the same object when another changed)."""
        self._pass_base: Style | None = None
        self._meta_styles: dict[int, list[Style]] = {}
        self._pass_styles: dict[tuple[bool, bool, bool], Style] = {}
        self._pass_sig: tuple = ()

    # ------------------------------------------------------------------ columns and rows

    def set_columns(self, labels: Sequence[str]) -> None:
        """Show these columns (widths start at the labels' own)."""
        self.labels = [Text.from_markup(h) for h in labels]
        self.widths = [t.cell_len for t in self.labels]
        self.forget()
        self.rows_changed()

    def fit(self, texts: Sequence[Text]) -> bool:
        """Widen columns that ``texts`` do not fit in; True when one was widened."""
        widths = self.widths
        wider = False
        for i, t in enumerate(texts[: len(widths)]):
            n = t.cell_len
            if n > widths[i]:
                widths[i] = n
                wider = True
        if wider:
            self._update_virtual_size()
            self.refresh()
        return wider

    def fit_widths(self, widths: Sequence[int]) -> bool:
        """Widen columns narrower than ``widths`` (a row's cell widths, as :meth:`fit` measures its texts); True
        when one was widened."""
        current = self.widths
        wider = False
        for i, n in enumerate(widths[: len(current)]):
            if n > current[i]:
                current[i] = n
                wider = True
        if wider:
            self._update_virtual_size()
            self.refresh()
        return wider

    def forget(self, key: str | None = None) -> None:
        """Drop what was rendered of ``key`` (every row when None): its cells changed."""
        if key is None:
            self._cell_segments.clear()
            self._lines.clear()
        else:
            self._cell_segments.pop(key, None)
            self._lines.pop(key, None)

    @property
    def row_count(self) -> int:
        return len(self.keys)

    def rows_changed(self) -> None:
        """Rows were added, removed or reordered: size, cursor and screen follow."""
        self._update_virtual_size()
        n = len(self.keys)
        if self.cursor_row >= n:
            self.cursor_row = max(0, n - 1)
        self.refresh()

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(sum(w + 2 * PADDING for w in self.widths), len(self.keys) + 1)

    def get_row(self, key: str) -> list[Text]:
        """The cells of a row as they show."""
        return self._cells(key)

    def row_keys(self) -> list[str]:
        """Every row key in order (a copy: for tests and small tables)."""
        return self.keys.window(0, len(self.keys))

    @property
    def selected_key(self) -> str | None:
        n = len(self.keys)
        return self.keys[min(self.cursor_row, n - 1)] if n else None

    # ------------------------------------------------------------------ cursor

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def move_cursor(self, row: int, *, scroll: bool = True, animate: bool = False) -> None:
        """Put the cursor on row ``row`` (clamped) and, with ``scroll``, bring it into view."""
        n = len(self.keys)
        row = max(0, min(row, n - 1))
        if row != self.cursor_row:
            self.cursor_row = row
            self.refresh()
        if scroll:
            self.scroll_to_row(row, animate=animate)

    def scroll_to_row(self, row: int, *, animate: bool = False) -> None:
        """Scroll as little as needed to show ``row`` under the header."""
        top = int(self.scroll_y)
        page = self._page
        if row < top:
            self.scroll_to(y=row, animate=animate, force=True, immediate=True)
        elif row > top + page - 1:
            self.scroll_to(y=row - page + 1, animate=animate, force=True, immediate=True)

    def action_cursor_up(self) -> None:
        self._show_hover = False
        self.move_cursor(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self._show_hover = False
        self.move_cursor(self.cursor_row + 1)

    def action_page_down(self) -> None:
        self._show_hover = False
        page = self._page
        self.scroll_relative(y=page, animate=False, force=True)
        self.move_cursor(self.cursor_row + page, scroll=False)

    def action_page_up(self) -> None:
        self._show_hover = False
        page = self._page
        self.scroll_relative(y=-page, animate=False)
        self.move_cursor(self.cursor_row - page, scroll=False)

    def action_scroll_top(self) -> None:
        self._show_hover = False
        self.move_cursor(0)

    def action_scroll_bottom(self) -> None:
        self._show_hover = False
        self.move_cursor(len(self.keys) - 1)

    def action_scroll_home(self) -> None:
        self.scroll_x = 0

    def action_scroll_end(self) -> None:
        self.scroll_x = self.max_scroll_x

    def action_select_cursor(self) -> None:
        self._show_hover = False
        key = self.selected_key
        if key is not None:
            self.post_message(self.RowSelected(self, key, self.cursor_row))

    # ------------------------------------------------------------------ mouse

    def _row_at(self, event: events.MouseEvent) -> int | None:
        row = event.style.meta.get("row") if event.style else None
        return row if isinstance(row, int) else None

    def _on_mouse_move(self, event: events.MouseMove) -> None:
        row = self._row_at(event)
        self._show_hover = row is not None
        if row is not None and row != self.hover_row:
            self.hover_row = row
        self.refresh()

    def _on_leave(self, _: events.Leave) -> None:
        if self._show_hover:
            self._show_hover = False
            self.refresh()

    async def _on_click(self, event: events.Click) -> None:
        self._show_hover = True
        row = self._row_at(event)
        if row is None or row < 0:
            return
        if row == self.cursor_row:
            self.action_select_cursor()
        else:
            self.move_cursor(row, animate=True)
        event.stop()

    # ------------------------------------------------------------------ rendering

    def render_lines(self, crop: Region) -> list[Strip]:
        # Measure the rows about to show first: a cell wider than its column widens it before any line renders.
        top = int(self.scroll_y)
        keys = self.keys.window(top, top + self.size.height)
        for key in keys:
            self.fit(self._cells(key))
        # What every line of this pass shares (a line renders again only when its row or any of this changed).
        self._pass_base = base = self.rich_style
        self._pass_styles = {}
        self._pass_sig = (
            self.size.width,
            int(self.scroll_x),
            base,
            tuple(self.widths),
            self._show_hover,
            self._component(False, False, True),
        )
        return super().render_lines(crop)

    def _segments(self, key: str, texts: list[Text]) -> list[tuple[Text, int, list[Segment]]]:
        """Each cell of ``key`` padded to its column: ``(text, width, segments)``, cut again only for the cells
        whose text or width changed since the last time."""
        cached = self._cell_segments.get(key)
        out = []
        console = None
        pad = Segment(" " * PADDING)
        for i, (text, w) in enumerate(zip(texts, self.widths)):
            if cached is not None and i < len(cached):
                old = cached[i]
                if old[0] is text and old[1] == w:
                    out.append(old)
                    continue
            if console is None:
                console = self.app.console
            # Text.render leaves a text's own style to its caller when it has no spans.
            rendered = (
                list(text.render(console)) if text.spans else [Segment(text.plain, console.get_style(text.style))]
            )
            out.append((text, w, [pad, *Segment.adjust_line_length(rendered, w), pad]))
        if len(self._cell_segments) > 4096:
            self._cell_segments.clear()
        self._cell_segments[key] = out
        return out

    def _component(self, header: bool, hover: bool, cursor: bool) -> Style:
        styles = self._pass_styles
        got = styles.get((header, hover, cursor))
        if got is not None:
            return got
        get = self.get_component_rich_style
        style = Style()
        if hover and self._show_hover:
            style += get("datatable--hover")
            if header:
                style += get("datatable--header-hover")
        if cursor:
            style += get("datatable--cursor")
            if header:
                style += get("datatable--header-cursor")
        styles[(header, hover, cursor)] = style
        return style

    def _metas(self, row: int, columns: int) -> list[Style]:
        """The mouse metadata of each cell of ``row`` (which row and column a click lands on), then of the blank
        past the last column; kept, so that adding them to the row's styles hits Rich's style cache."""
        got = self._meta_styles.get(row)
        if got is None or len(got) != columns + 1:
            got = [Style.from_meta({"row": row, "column": c}) for c in range(columns)]
            got.append(Style.from_meta({"row": row, "column": 0, "out_of_bounds": True}))
            if len(self._meta_styles) > 4096:
                self._meta_styles.clear()
            self._meta_styles[row] = got
        return got

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self._pass_base or self.rich_style
        if y == 0:
            return self._render_header(width, base)
        row = int(self.scroll_y) + y - 1
        if row >= len(self.keys):
            return Strip.blank(width, base)
        key = self.keys[row]
        hover = row == self.hover_row
        cursor = row == self.cursor_row
        sig = (row, hover, cursor, self._pass_sig)
        texts = self._cells(key)
        hit = self._lines.get(key)
        if hit is not None and hit[0] == sig and hit[1] is texts:
            return hit[2]
        # Cells styled for this row as in the last line of this key, when it was rendered for the same row, cursor
        # and pass: only the cells whose text changed are styled again (a second moves only the AGE column).
        reuse = hit[3] if hit is not None and hit[0] == sig else None
        component = self._component(False, hover, cursor)
        post = Style.from_color(color=component.color) if component.color else None
        cells = self._segments(key, texts)
        metas = self._metas(row, len(cells))
        styled = []
        segments: list[Segment] = []
        for column, cell in enumerate(cells):
            if (
                reuse is not None
                and column < len(reuse)
                and reuse[column][0] is cell[0]
                and reuse[column][1] == cell[1]
            ):
                done = reuse[column]
            else:
                done = (cell[0], cell[1], list(Segment.apply_style(cell[2], base + metas[column] + component, post)))
            styled.append(done)
            segments.extend(done[2])
        strip = self._finish(segments, base + component + metas[-1], width, base)
        if len(self._lines) > 4096:
            self._lines.clear()
        self._lines[key] = (sig, texts, strip, styled)
        return strip

    def _render_header(self, width: int, base: Style) -> Strip:
        get_style = self.app.console.get_style
        cells = [[Segment(" " * PADDING), *Segment.adjust_line_length(
                      [Segment(t.plain, get_style(t.style) if t.style else None)], w), Segment(" " * PADDING)]
                 for t, w in zip(self.labels, self.widths)]  # fmt: skip
        row_style = self.get_component_styles("datatable--header").rich_style
        hover = self.hover_row == -1
        cursor = self.cursor_row == -1
        component = self._component(True, hover, cursor)
        post = Style.from_color(color=component.color) if component.color else None
        segments: list[Segment] = []
        metas = self._metas(-1, len(cells))
        for column, cell in enumerate(cells):
            segments.extend(Segment.apply_style(cell, row_style + metas[column] + component, post))
        return self._finish(segments, row_style + component + metas[-1], width, base)

    def _finish(self, segments: list[Segment], extend: Style, width: int, base: Style) -> Strip:
        """A line from its cells' segments: the blank past the last column, scrolled sideways, cut to ``width``."""
        table_width = sum(w + 2 * PADDING for w in self.widths)
        segments.append(Segment(" " * max(0, width - table_width), extend))
        strip = Strip(segments)
        scroll_x = int(self.scroll_x)
        if scroll_x:
            strip = strip.crop(scroll_x, scroll_x + width)
        return strip.adjust_cell_length(width, base).simplify()
