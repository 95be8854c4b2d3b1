"""The main screen: header, four live panels (tabs on a small terminal), events, narration, kubectl line."""

from __future__ import annotations

from typing import Any, Callable, ClassVar, Protocol, cast

from rich.text import Text
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Container, Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static, Tab, Tabs

from ktui.tui.i18n import tr
from ktui.tui.keys import bindings, localize
from ktui.tui.rows import PANELS, PanelSpec
from ktui.tui.widgets.command_line import CommandLine
from ktui.tui.widgets.events_strip import EventsStrip
from ktui.tui.widgets.header import ClusterHeader
from ktui.tui.widgets.narration import NarrationPane
from ktui.tui.widgets.resource_panel import ResourcePanel
from ktui.tui.widgets.virtual_table import VirtualTable


class ScreenHost(Protocol):
    """What the main screen may use of the app that shows it (the app module imports this one, not back)."""

    lang: str
    feed: Any
    snapshot: Any
    session: Any
    complete_line: Callable[..., Any]

    def run_command_line(self, line: str) -> Any: ...
    def action_describe(self) -> None: ...
    def action_yaml(self) -> None: ...
    def action_logs(self, previous: bool = False) -> None: ...
    def action_shell(self) -> None: ...
    def action_edit(self) -> None: ...
    def action_delete(self, force: bool = False) -> None: ...
    def action_events(self) -> None: ...
    def action_why(self) -> None: ...
    def action_routing(self) -> None: ...
    def action_faults(self) -> None: ...
    def action_undo_fault(self) -> None: ...


__all__ = ["MainScreen", "NARROW_WIDTH", "NARROW_HEIGHT", "PLURALS"]

PLURALS = tuple(p.plural for p in PANELS)
"""The four main panels' resources."""

NARROW_WIDTH = 110
NARROW_HEIGHT = 30
"""Below either, the panels become tabs."""
WIDE_WIDTH = 200
"""From this width the four panels sit in a 2x2 grid; between, pods and nodes take the whole width."""


class PanelTabs(Tabs, can_focus=False):
    """The tab row shown instead of the grid on a small terminal."""


class MainScreen(Screen):
    """Everything at a glance; keys act on the focused panel's selection.

    The screen reads what it shows from the app's attributes (``snapshot``, the frame of the app's ``feed`` its
    panels are handed; ``lang``, ``session``) and tells the app what changed with messages (:class:`Mounted`,
    :class:`ScopeChanged`); keys and command lines are actions the app runs at once (a message would let the
    next typed key overtake them).
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("main")  # type: ignore[assignment]
    AUTO_FOCUS = "#table-pods"
    _candidates_shown = False
    """The output pane lists tab's candidates (hidden as soon as the line changes)."""
    generic: ResourcePanel | None = None
    """The panel of the kind a ``:deploy``-style jump opened (one at a time), or None."""

    class Mounted(Message):
        """The panels are mounted: the app may fill them and start the clock."""

    class ScopeChanged(Message):
        """The panels were scoped to a namespace ("" for all)."""

        def __init__(self, namespace: str) -> None:
            super().__init__()
            self.scope = namespace

    @property
    def host(self) -> ScreenHost:
        """The app, as far as this screen may use it."""
        return cast(ScreenHost, self.app)

    def compose(self) -> ComposeResult:
        localize(self, self.host.lang)
        yield ClusterHeader(id="header")
        yield PanelTabs(*[Tab(p.title, id=f"tab-{p.plural}") for p in PANELS], id="tabs")
        with Container(id="panels"):
            for spec in PANELS:
                yield ResourcePanel(spec, feed=self.host.feed, snapshot=self.host.snapshot)
        with Horizontal(id="bottom"):
            yield EventsStrip(id="events")
            yield NarrationPane(id="narration")
        with VerticalScroll(id="output", can_focus=False):
            yield Static("", id="output-text")
        yield Input(
            placeholder=tr("filter: text, or -l key=value   (enter: apply, esc: clear)", self.host.lang), id="filter"
        )
        yield CommandLine(self.host.complete_line, id="cmdline", lang=self.host.lang)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#filter", Input).cursor_blink = False
        self.set_class(self.host.session is not None, "-scenario")
        self._layout_for(self.app.size.width, self.app.size.height)
        self.panels[0].add_class("-active")
        self.post_message(self.Mounted())

    # ------------------------------------------------------------------ layout

    def on_resize(self, event) -> None:
        self._layout_for(event.size.width, event.size.height)

    def _layout_for(self, width: int, height: int) -> None:
        narrow = width < NARROW_WIDTH or height < NARROW_HEIGHT
        self.set_class(narrow, "-narrow")
        self.set_class(not narrow and width >= WIDE_WIDTH, "-wide")
        self.set_class(height >= 50, "-tall")
        self.set_class(height >= 40, "-roomy")
        self.query_one(ClusterHeader).compact = width < 100
        self.query_one(Footer).compact = width < 100
        for panel in self.query(ResourcePanel):
            panel.compact = width < NARROW_WIDTH

    @property
    def panels(self) -> list[ResourcePanel]:
        return list(self.query(ResourcePanel))

    def open_generic(self, spec: PanelSpec, styles: dict, snapshot: Any) -> None:
        """Show the panel of another kind across the whole panel area (``:deploy``); one such panel exists, and
        a jump to another kind gives it that kind's columns and rows (from ``snapshot``, a frame of the app's
        feed that follows the kind)."""
        panel = self.generic
        tabs = self.query_one(PanelTabs)
        if panel is None:
            panel = ResourcePanel(
                spec,
                feed=self.host.feed,
                styles=styles,
                now=snapshot.now,
                id="panel-generic",
                classes="generic",
                snapshot=snapshot,
            )
            panel.compact = self.has_class("-narrow")
            panel.scope = getattr(self.app, "scope", "")
            self.generic = panel
            tabs.add_tab(Tab(spec.title, id="tab-generic"))
            self.query_one("#panels").mount(panel)
            return
        panel.show(snapshot)
        panel.set_spec(spec)
        for tab in tabs.query("#tab-generic"):
            tab.label = spec.title  # type: ignore[attr-defined]
        self.show_panel(spec.plural)

    def on_resource_panel_filled(self, event: ResourcePanel.Filled) -> None:
        if event.panel is self.generic:
            self.show_panel(event.panel.spec.plural)

    def panel(self, plural: str) -> ResourcePanel:
        if self.generic is not None and self.generic.spec.plural == plural and plural not in PLURALS:
            return self.generic
        return self.query_one(f"#panel-{plural}", ResourcePanel)

    def _tab_id(self, panel: ResourcePanel) -> str:
        return "tab-generic" if panel is self.generic else f"tab-{panel.spec.plural}"

    @property
    def active_panel(self) -> ResourcePanel:
        """The panel with focus, or the last one that had it."""
        return next((p for p in self.panels if p.has_class("-active")), self.panels[0])

    def show_panel(self, plural: str) -> None:
        panel = self.panel(plural)
        for p in self.panels:
            p.set_class(p is panel, "-active")
        self.set_class(panel is self.generic, "-generic")
        self._show_tab(panel)
        panel.table.focus()

    def _show_tab(self, panel: ResourcePanel) -> None:
        """Mark ``panel``'s tab active on the tab row, without the row's ``TabActivated`` message: handled later,
        after the panel was changed again (``tab`` then ``shift+tab``), it would bring this panel back."""
        tabs = self.query_one(PanelTabs)
        tab = self._tab_id(panel)
        if tabs.active != tab and tabs.query(f"#{tab}"):
            with self.prevent(Tabs.TabActivated):
                tabs.active = tab

    def on_descendant_focus(self, event) -> None:
        focused = self.focused
        if focused is None or event.widget is not focused:
            return  # focus moved on before this message was handled (tab then shift+tab): the panel chosen last stays
        for p in self.panels:
            if focused in p.query(VirtualTable).nodes:
                if not p.has_class("-active"):
                    for q in self.panels:
                        q.set_class(q is p, "-active")
                    self.set_class(p is self.generic, "-generic")
                    self._show_tab(p)

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        if event.tab is not None and event.tab.id:
            panel = self.generic if event.tab.id == "tab-generic" else self.panel(event.tab.id.removeprefix("tab-"))
            if panel is not None and (not panel.has_class("-active") or self.focused is not panel.table):
                self.show_panel(panel.spec.plural)

    def action_focus_panel(self, delta: int) -> None:
        panels = self.panels
        i = panels.index(self.active_panel)
        self.show_panel(panels[(i + delta) % len(panels)].spec.plural)

    # ------------------------------------------------------------------ panes

    def show_output(self, text: Text, title: str = "") -> None:
        """Show ``text`` in the output pane under the panels, titled (``esc`` closes it)."""
        self.query_one("#output-text", Static).update(text)
        close = tr("(esc: close)", self.host.lang)
        self.query_one("#output").border_title = f"{title}   {close}" if title else close
        self.add_class("-output")
        self.query_one("#output", VerticalScroll).scroll_end(animate=False)

    def hide_output(self) -> None:
        self.remove_class("-output")

    def open_command_line(self) -> None:
        self.add_class("-cmd")
        line = self.query_one(CommandLine)
        line.value = ""
        self.set_focus(line)  # now, not after a refresh: the next key is already on its way

    def close_command_line(self) -> None:
        self.remove_class("-cmd")
        self.active_panel.table.focus()

    def open_filter(self) -> None:
        f = self.query_one("#filter", Input)
        f.value = self.active_panel.filter_text
        self._filter_target = self.active_panel
        self.add_class("-filter")
        self.set_focus(f)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            panel = getattr(self, "_filter_target", self.active_panel)
            panel.filter_text = event.value.strip()
            self.remove_class("-filter")
            panel.table.focus()
        elif event.input.id == "cmdline":
            line = event.value.strip()
            cmd = self.query_one(CommandLine)
            cmd.remember(line)
            self.remove_class("-cmd")
            if line:  # run now, not as a message: keys typed after enter must see the panel a jump chose
                self.host.run_command_line(line)  # type: ignore[attr-defined]
            self.active_panel.table.focus()  # the panel a jump chose, or the one we came from  # the panel a jump chose, or the one we came from

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "cmdline" and self._candidates_shown:  # what tab listed no longer applies
            self._candidates_shown = False
            self.hide_output()
        if event.input.id == "filter":
            panel = getattr(self, "_filter_target", self.active_panel)
            snap = panel.snapshot
            if len(snap.objects.get(panel.spec.plural, {})) <= 2000 if snap is not None else False:
                panel.filter_text = event.value.strip()

    def on_key(self, event) -> None:
        if event.key == "escape" and self.focused is self.query_one("#filter", Input):
            panel = getattr(self, "_filter_target", self.active_panel)
            panel.filter_text = ""
            self.remove_class("-filter")
            panel.table.focus()
            event.stop()

    def on_command_line_cancelled(self, event: CommandLine.Cancelled) -> None:
        self.close_command_line()

    def on_command_line_candidates(self, event: CommandLine.Candidates) -> None:
        self._candidates_shown = True
        words = [c.split(" ")[-1] for c in event.candidates]
        self.show_output(
            Text("  ".join(words[:60]) + ("  ..." if len(words) > 60 else ""), style="dim"), "completions (tab)"
        )

    def on_virtual_table_row_selected(self, event: VirtualTable.RowSelected) -> None:
        if self.active_panel.spec.plural == "namespaces" and self.active_panel.selected is not None:
            self.set_scope(self.active_panel.selected["metadata"]["name"])  # k9s: enter on a namespace
            self.show_panel("pods")
            return
        self.host.action_describe()

    def set_scope(self, namespace: str, *, quiet: bool = False) -> None:
        """Scope every panel to ``namespace`` ("" for all); the app remembers it (:class:`ScopeChanged`)."""
        for panel in self.panels:
            if panel.spec.plural != "namespaces":
                panel.set_scope(namespace)
        if not quiet:
            self.post_message(self.ScopeChanged(namespace))
            self.app.notify(
                f"Showing namespace {namespace}  (0: all namespaces)" if namespace else "Showing all namespaces"
            )

    def action_all_namespaces(self) -> None:
        self.set_scope("")

    # ------------------------------------------------------------------ actions (delegated to the app)

    def action_sort(self, header: str) -> None:
        if not self.active_panel.sort_by(header):
            self.app.notify(f"{self.active_panel.spec.title} has no {header} column.", severity="warning")

    def action_maximize(self) -> None:
        if self.maximized is not None:
            self.minimize()
        else:
            self.maximize(self.active_panel)

    def action_back(self) -> None:
        if self.maximized is not None:
            self.minimize()
        elif self.has_class("-generic") and not self.has_class("-output"):
            self.show_panel("pods")  # back from a :deploy-style panel to the four (tab reaches it again)
        elif self.has_class("-output"):
            self.hide_output()
        elif self.active_panel.filter_text:
            self.active_panel.filter_text = ""

    def action_filter(self) -> None:
        if isinstance(self.focused, Input):  # a priority key: typed into an input, it is just a character
            raise SkipAction()
        self.open_filter()

    def action_command(self) -> None:
        if isinstance(self.focused, Input):
            raise SkipAction()
        self.open_command_line()

    def action_yaml(self) -> None:
        self.host.action_yaml()

    def action_logs(self) -> None:
        self.host.action_logs()

    def action_previous_logs(self) -> None:
        self.host.action_logs(previous=True)

    def action_describe(self) -> None:
        self.host.action_describe()

    def action_shell(self) -> None:
        self.host.action_shell()

    def action_edit(self) -> None:
        self.host.action_edit()

    def action_delete(self) -> None:
        self.host.action_delete(force=False)

    def action_kill(self) -> None:
        self.host.action_delete(force=True)

    def action_events(self) -> None:
        self.host.action_events()

    def action_why(self) -> None:
        self.host.action_why()

    def action_routing(self) -> None:
        self.host.action_routing()

    def action_faults(self) -> None:
        self.host.action_faults()

    def action_undo_fault(self) -> None:
        self.host.action_undo_fault()
