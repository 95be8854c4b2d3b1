"""A panel's substring filter and column sort over many rows, run in slices between frames on the UI thread.

From :attr:`PanelPasses.BACKGROUND_ROWS` objects a ``/`` substring filter, and from that many rows a column sort,
reads every row's cells: 1-3 s at 150,000 pods. Neither runs in one go nor in a worker thread (a thread shares the
interpreter lock with the UI, which then waited for it up to 0.3-1 s): a :class:`SlicedPass` works for
:attr:`~PanelPasses.SORT_SLICE_SECONDS` at a time, reading the frame it was asked in, and lets the event loop turn
:attr:`~PanelPasses.SORT_TURNS` times between two slices. The rows keep showing (and follow the frames) meanwhile;
the rows changed since its frame are checked again, in slices too, before its result shows.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Callable, ClassVar, Generator

from ktui.tui.rowset import RowSet, filter_steps, sort_steps
from ktui.tui.widgets.panel_cells import PanelCells

__all__ = ["SlicedPass", "PanelPasses"]


class SlicedPass:
    """One filter or column sort of a panel, run by :meth:`run` in slices between turns of the event loop.

    Args:
        steps: the pass over the frame it was asked in: each ``next()`` works for about one slice; its return value
            is the result.
        recheck: ``(result, keys)``: bring ``keys`` (changed or removed since that frame) up to date in the result,
            as the frame shown now has them.
        finish: ``(result)``: show the result, the keys still in :attr:`touched` checked again first.
        budget: how long a slice works (wall seconds).
        turns: how many turns of the event loop pass before each slice.
        settle: the result shows once at most this many keys are left in :attr:`touched`.
    """

    def __init__(
        self,
        steps: Generator[None, None, Any],
        recheck: Callable[[Any, list[str]], None],
        finish: Callable[[Any], None],
        *,
        budget: float,
        turns: int,
        settle: int,
    ) -> None:
        self._steps = steps
        self._recheck = recheck
        self._finish = finish
        self._budget, self._turns, self._settle = budget, turns, settle
        self.touched: set[str] = set()
        """The keys changed or removed since the pass's frame and not checked again yet (the panel adds to it)."""
        self.worker: Any = None
        """The Textual worker that runs it (to tell its failure from another's)."""

    async def run(self, current: Callable[["SlicedPass"], bool]) -> None:
        """Work in slices until the result shows, or stop at the next slice once ``current(self)`` is False (another
        pass, a rebuild or a filter took over the rows)."""
        result: Any = None
        done = False
        while True:
            # Turns of the event loop before each slice (the first: after the key): a message or timer that takes a
            # few hops (a key from the driver thread to the focused widget) gets through between two.
            for _ in range(self._turns):
                await asyncio.sleep(0)
            if not current(self):
                return
            if not done:
                try:
                    next(self._steps)
                except StopIteration as stop:
                    result, done = stop.value, True
                continue
            # The rows changed since the pass's frame, checked again in slices too (1,000 changes a frame add up while
            # it runs); the last few when the result shows.
            if len(self.touched) <= self._settle:
                self._finish(result)  # now: a message would let more frames' changes pile up first
                return
            pending = list(self.touched)
            self.touched = set()
            until = time.perf_counter() + self._budget
            for start in range(0, len(pending), 64):
                if start and time.perf_counter() >= until:
                    self.touched.update(pending[start:])
                    break
                self._recheck(result, pending[start : start + 64])


class PanelPasses(PanelCells):
    """A :class:`PanelCells` whose substring filter and column sort run as :class:`SlicedPass` over many rows."""

    BACKGROUND_ROWS: ClassVar[int] = 20_000
    """From this many objects, a substring filter reads every row's cells in slices between frames, from the frame it
    was typed in (the rows shown keep following the frames; rows changed since are checked again when it is done);
    from this many rows, a column sort does (the rows keep their order until it is done; rows changed since are
    placed again)."""
    SORT_SLICE_SECONDS: ClassVar[float] = 0.004
    """How long a filter or column sort from :attr:`BACKGROUND_ROWS` rows works before it lets the event loop turn
    (wall)."""
    SORT_SETTLE_ROWS: ClassVar[int] = 256
    """A filter's or column sort's rows are shown once at most this many rows changed since they were last checked
    (the others are checked again in slices)."""
    SORT_TURNS: ClassVar[int] = 4
    """How many turns of the event loop a filter or column sort lets pass between two slices."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._filtering: SlicedPass | None = None
        """While a substring filter runs in slices (its changed keys: :attr:`SlicedPass.touched`)."""
        self._sorting: SlicedPass | None = None
        """While a column sort runs in slices (its changed or removed keys: :attr:`SlicedPass.touched`)."""

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

    def _start(self, job: SlicedPass, name: str) -> None:
        """Run ``job`` as the panel's ``name`` pass (a later one of the same name cancels it)."""

        async def run() -> None:
            await job.run(lambda j: self._filtering is j or self._sorting is j)

        # (mypy infers the worker's result type of an ``async def`` as Never: Textual's WorkType is a union.)
        job.worker = self.run_worker(
            run,  # type: ignore[arg-type]
            name=name,
            exclusive=True,
            group=f"{name}-{self.id}",
            exit_on_error=False,
        )

    # ------------------------------------------------------------------ the substring filter

    def _filter_in_background(self, needle: str) -> None:
        """Find the rows whose cells contain ``needle`` in slices between turns of the event loop, reading only this
        frame's snapshot; the rows shown meanwhile follow the frames (every row in scope while they hold every row)."""
        assert self.snapshot is not None
        # Every key in scope as of this frame, when the rows hold them (or the rows kept aside while a filter is on).
        keys, here, kept = None, self._rows_for()[:2], self._unfiltered
        if self._full is not None and self._full[:2] == here:
            keys = list(self.rows)
        elif kept is not None and kept[0][:2] == here:
            keys = list(kept[1])
        steps = filter_steps(
            self.snapshot, self.spec, self.scope, self.now, needle, keys, budget=self.SORT_SLICE_SECONDS
        )
        job = SlicedPass(
            steps,
            self._recheck,
            lambda found: self._filter_found(job, found),
            budget=self.SORT_SLICE_SECONDS,
            turns=self.SORT_TURNS,
            settle=self.SORT_SETTLE_ROWS,
        )
        self._filtering = job
        self._update_title()
        self._start(job, "filter")

    def _recheck(self, found: set[str], keys: list[str]) -> None:
        """Check ``keys`` against the filter as the frame shown now has them."""
        objs = self._objects()
        for key in keys:
            obj = objs.get(key)
            if obj is not None and self._passes(key, obj):
                found.add(key)
            else:
                found.discard(key)

    def _filter_found(self, job: SlicedPass, found: set[str]) -> None:
        """A filter is done: show its rows, with the rows changed since its frame checked again."""
        if self._filtering is not job:
            return  # another filter (or none) was asked for since
        self._recheck(found, list(job.touched))
        self._filtering = None
        table = self.table
        keep = self.selected_key
        self._cells.clear()
        self._texts.clear()
        table.forget()
        self._filtered()
        self._sorting = None  # ordered here
        self.rows.reset(found, self._order())
        self._show_from_top(keep)
        self._update_title()

    # ------------------------------------------------------------------ the column sort

    def _sort_in_background(self) -> None:
        """Order the rows by the chosen column in slices between turns of the event loop, reading only this frame's
        snapshot (the ``FrozenView`` itself: no copy); the rows keep their order (and follow the frames) until it is
        done."""
        assert self.snapshot is not None and self._sort_column is not None
        snapshot, spec, now = self.snapshot, self.spec, self.now
        keys = list(self.rows)
        column = spec.headers.index(self._sort_column)
        by_name, reverse = "NAMESPACE" not in self.columns, self._sort_reverse

        def steps() -> Generator[None, None, RowSet]:
            rows = yield from sort_steps(
                snapshot, spec, keys, now, column, by_name=by_name, reverse=reverse, budget=self.SORT_SLICE_SECONDS
            )
            rows.set_order(self._order())  # the same values, read from the frames to come
            return rows

        job = SlicedPass(
            steps(),
            self._place,
            lambda rows: self._sorted(job, rows),
            budget=self.SORT_SLICE_SECONDS,
            turns=self.SORT_TURNS,
            settle=self.SORT_SETTLE_ROWS,
        )
        self._sorting = job
        self._update_title()
        self._start(job, "sort")

    def _place(self, rows: RowSet, keys) -> None:
        """Place ``keys`` in a background sort's ``rows`` as the frame shown now has them (a key no longer shown goes;
        ``rows`` orders with :meth:`_order`)."""
        shown = self.rows
        for key in keys:
            rows.discard(key)
            if key in shown:
                rows.put(key)

    def _sorted(self, job: SlicedPass, rows: RowSet) -> None:
        """A background sort is done: show its rows, with the rows changed, added or removed since placed again."""
        if self._sorting is not job:
            return  # another sort, a rebuild or a filter ordered the rows since
        self._sorting = None
        self._place(rows, job.touched)
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

        if event.state != WorkerState.ERROR:
            return
        # A pass that raised: the rows keep what they had; the title no longer says "filtering..." or "sorting...".
        if self._sorting is not None and event.worker is self._sorting.worker:
            self._sorting = None
        elif self._filtering is not None and event.worker is self._filtering.worker:
            self._filtering = None
        else:
            return
        self._update_title()
