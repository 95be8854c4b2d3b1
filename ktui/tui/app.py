"""``KtuiApp``: the Textual shell around one simulated cluster — clock, panels, views, kubectl, faults, themes.

The simulation never reads the wall clock: while playing, an interval timer advances the cluster by the wall
time since the last tick times the speed. Every change of the simulation (a tick, a key, a command) posts one
:class:`ClusterChanged`; bursts merge (``can_replace``) and the app drains the watch feed once, applying the
rows that changed inside ``batch_update()``.
"""

from __future__ import annotations

import re
import time
from typing import Callable, ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import App
from textual.binding import BindingType
from textual.message import Message
from textual.timer import Timer

from ktui.cluster import Cluster
from ktui.sim import gcpolicy
from ktui.tui import keys, settings, stepping, themes
from ktui.tui.command_line import CommandLineMixin
from ktui.tui.faults import FaultRecord, FaultsMixin
from ktui.tui.feed import ClusterFeed
from ktui.tui.i18n import tr
from ktui.tui.keys import bindings
from ktui.tui.object_keys import ObjectKeysMixin
from ktui.tui.screens.dialogs import ConfirmScreen, PickScreen
from ktui.tui.screens.help import HelpScreen
from ktui.tui.screens.main import MainScreen
from ktui.tui.screens.text_view import TextView
from ktui.tui.session import Session, narration, step_header
from ktui.tui.widgets.events_strip import EventsStrip
from ktui.tui.widgets.header import ClusterHeader, clock_text, speed_text
from ktui.tui.widgets.narration import NarrationPane

__all__ = ["KtuiApp", "ClusterChanged", "SPEEDS"]

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
"""The speeds ``+`` and ``-`` step through."""


class ClusterChanged(Message):
    """The simulation moved; a burst of these is merged into one."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ClusterChanged)


class KtuiApp(FaultsMixin, ObjectKeysMixin, CommandLineMixin, App):
    """The terminal UI for one cluster (or one scenario's cluster).

    Args:
        cluster: the cluster to show (ignored when ``session`` is given: its cluster is used).
        session: a scenario session to step with ``]`` and ``[``.
        theme: a theme name; None uses the remembered one, then ``ktui-dark``.
        lang: ``en`` or ``ko`` for scenario texts.
        speed: simulated seconds per wall second while playing.
        playing: start with the clock running; None plays a plain cluster and pauses a scenario.
    """

    CSS_PATH = ["app.tcss", "main.tcss"]
    TITLE = "ktui"
    BINDINGS: ClassVar[list[BindingType]] = bindings("app")  # type: ignore[assignment]
    TICK_SECONDS: ClassVar[float] = 1 / 15
    """How often the clock timer fires while playing (one frame)."""
    VIEW_REFRESH_SECONDS: ClassVar[float] = 0.25
    """Detail views (describe, logs, why) are recomputed at most this often."""
    MAIN_SCREEN: ClassVar[type[MainScreen]] = MainScreen
    """The main screen's class (a lab's adds its task pane and prompt: :mod:`ktui.tui.lab_app`)."""
    FREEZE_HEAP: ClassVar[bool] = True
    """After the first fill, keep every object alive then (the cluster, the feed's first listing) out of the
    cycle collector's full passes (:func:`ktui.sim.gcpolicy.settle`): a full collection rescans them all
    otherwise, 3 s with 150,000 pods, landing in the middle of a keypress. Undone when the app exits."""

    def __init__(
        self,
        cluster: Cluster | None = None,
        *,
        session: Session | None = None,
        theme: str | None = None,
        lang: str = "en",
        speed: float = 1.0,
        playing: bool | None = None,
    ) -> None:
        super().__init__()
        keys.localize(self, lang)
        if cluster is None and session is None:
            raise ValueError("KtuiApp needs a cluster or a session")
        self.session = session
        self._cluster = cluster
        self.lang = lang
        self.speed = min(SPEEDS, key=lambda s: abs(s - speed)) if speed > 0 else 1.0
        self.playing = playing if playing is not None else (session is None and speed > 0)
        self.feed = ClusterFeed(self.cluster)
        self.snapshot = self.feed.snapshot(self.cluster.now)
        """The feed's frame the widgets show (:meth:`sync` takes the next one); nothing reads the feed live."""
        self.faults: list[FaultRecord] = []
        self._last_wall: float | None = None
        self.wall_clock: Callable[[], float] = time.monotonic
        """Where wall time comes from (only as a speed of the simulated clock); tests replace it."""
        self._last_view_refresh = 0.0
        self._last_age_second = -1
        self._theme_names: list[str] = []
        self.scope = ""
        """The namespace the panels are scoped to (enter on a namespace, 0 for all), remembered across runs."""
        self._stepped: list[str] = []
        """The last lines ``n`` showed (what each event did)."""
        self._panels_ready = False
        """True once the main screen has mounted and filled its panels; no sync happens before."""
        self._clock_timer: Timer | None = None
        self._heap_frozen = False
        self.palette: dict[str, Style] = {}
        """Rich styles of the current theme's semantic variables (recomputed when the theme changes)."""
        for theme_obj in themes.load_themes().values():
            self.register_theme(theme_obj)
            self._theme_names.append(theme_obj.name)
        wanted = theme or themes.saved_theme() or themes.DEFAULT_THEME
        self.theme = (
            wanted
            if wanted in self.available_themes
            else themes.DEFAULT_THEME
            if themes.DEFAULT_THEME in self.available_themes
            else "textual-dark"
        )

    # ------------------------------------------------------------------ setup

    @property
    def cluster(self) -> Cluster:  # type: ignore[override]
        return self.session.cluster if self.session is not None else self._cluster  # type: ignore[return-value]

    def get_theme_variable_defaults(self) -> dict[str, str]:
        generated = self.current_theme.to_color_system().generate() if self._registered_themes_ready() else {}
        out = {}
        for k, v in themes.SEMANTIC_DEFAULTS.items():
            out[k] = generated.get(v[1:], "#888888") if v.startswith("$") else v
        return out

    def _registered_themes_ready(self) -> bool:
        try:
            self.current_theme
            return True
        except Exception:  # noqa: BLE001 - before the theme reactive is set
            return False

    def get_default_screen(self) -> MainScreen:
        self._main = self.MAIN_SCREEN(id="main")
        return self._main

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, lambda _theme: self._restyle())

    def on_unmount(self) -> None:
        if self._heap_frozen:  # what was frozen at the first fill is collectable again
            gcpolicy.release()
            self._heap_frozen = False

    def on_main_screen_mounted(self, _: MainScreen.Mounted) -> None:
        self.initial_fill()

    def on_main_screen_scope_changed(self, event: MainScreen.ScopeChanged) -> None:
        self.scope = event.scope
        settings.put("namespace", event.scope or None)

    def initial_fill(self) -> None:
        """Fill the panels from the feed's first listing, then start the clock (the main screen calls this when
        it has mounted its panels: nothing that syncs them may run before)."""
        self.feed.drain()
        self.snapshot = self.feed.snapshot(self.cluster.now)
        main = self.main
        styles = self.semantic_styles()
        with self.batch_update():
            for panel in main.panels:
                panel.show(self.snapshot)
                panel._styles = styles
                panel.rebuild()
            saved = settings.get("namespace")  # the scope chosen last time, when this cluster has it
            if isinstance(saved, str) and saved in self.snapshot.objects["namespaces"]:
                self.scope = saved
                main.set_scope(saved, quiet=True)
        self._refresh_chrome()
        self._panels_ready = True
        if self.FREEZE_HEAP and not self._heap_frozen:
            gcpolicy.settle(interactive=True)  # and each later full collection freezes its survivors (see gcpolicy)
            self._heap_frozen = True
        if self._clock_timer is None:
            self._clock_timer = self.set_interval(self.TICK_SECONDS, self._tick)

    @property
    def main(self) -> MainScreen:
        return self._main

    def semantic_styles(self) -> dict[str, Style]:
        """Rich styles for the semantic theme variables (``row-changed`` is a background); any theme works,
        ANSI ones included (see :func:`ktui.tui.themes.rich_styles`)."""
        self.palette = themes.rich_styles(self.theme_variables or self.get_css_variables())
        return self.palette

    def style(self, name: str) -> Style:
        """The Rich style of one semantic variable of the current theme (a plain style when it has none)."""
        if not self.palette:
            self.semantic_styles()
        return self.palette.get(name) or Style()

    def _restyle(self) -> None:
        if not self._panels_ready:
            return
        styles = self.semantic_styles()
        with self.batch_update():
            for panel in self.main.panels:
                panel.set_styles(styles)
        self._refresh_chrome()

    # ------------------------------------------------------------------ the clock

    def _tick(self) -> None:
        if not self._syncable():
            return
        wall = self.wall_clock()
        last, self._last_wall = self._last_wall, wall
        if not self.playing or last is None:
            return
        self.cluster.advance(min(wall - last, 0.5) * self.speed)
        self.post_message(ClusterChanged())

    def changed(self) -> None:
        """Say the simulation moved (after anything that runs it)."""
        self.post_message(ClusterChanged())

    def on_cluster_changed(self, _: ClusterChanged) -> None:
        self.sync()

    def _syncable(self) -> bool:
        """True between the main screen's first fill and the start of shutting down."""
        return self._panels_ready and not self._exit and bool(self.screen_stack) and self.main.is_attached

    def sync(self) -> None:
        """Apply what the watches reported since the last frame, once, and refresh what shows the clock."""
        if not self._syncable():
            return
        if self.feed.cluster is not self.cluster:  # a session that swapped its cluster
            self.feed.close()
            extra, self.feed = self.feed.extra, ClusterFeed(self.cluster)
            for plural in extra:  # the :deploy-style panel's kind
                self.feed.follow(plural)
            for panel in self.main.panels:
                panel.feed = self.feed
        changes = self.feed.drain()
        now = self.cluster.now
        self.snapshot = snapshot = self.feed.snapshot(now)
        second = int(now)
        main = self.main
        with self.batch_update():
            for panel in main.panels:
                panel.show(snapshot)
                ch = changes.get(panel.spec.plural)
                if ch:
                    panel.apply(ch)
                if second != self._last_age_second:
                    panel.refresh_visible()
            self._last_age_second = second
            self._refresh_chrome(events_changed="events" in changes)
        wall = time.monotonic()
        if isinstance(self.screen, TextView) and wall - self._last_view_refresh >= self.VIEW_REFRESH_SECONDS:
            self._last_view_refresh = wall
            self.screen.refresh_from_cluster()
        elif isinstance(self.screen, TextView):
            self.screen.app.sync_header(self.screen.query_one(ClusterHeader))  # type: ignore[attr-defined]

    def sync_header(self, header: ClusterHeader) -> None:
        header.cluster_name = self.cluster.name
        header.now = self.cluster.now
        header.playing = self.playing
        header.speed = self.speed
        header.step = step_header(self.session, self.lang) if self.session is not None else ""
        header.refresh()

    def _refresh_chrome(self, events_changed: bool = True) -> None:
        main = self.main
        for header in main.query(ClusterHeader):  # none while the app is shutting the screen down
            self.sync_header(header)
        for strip in main.query(EventsStrip):
            strip.show(self.snapshot.newest_events(40), self.cluster.now)
        if self.session is not None:
            for pane in main.query(NarrationPane):
                pane.show(*narration(self.session, self.lang))

    # ------------------------------------------------------------------ time keys

    def action_toggle_play(self) -> None:
        self.playing = not self.playing
        self._last_wall = self.wall_clock()
        self._refresh_header()

    def _refresh_header(self) -> None:
        for screen in self.screen_stack:
            for header in screen.query(ClusterHeader):
                self.sync_header(header)

    def action_next_event(self) -> None:
        report = stepping.next_event(self.cluster)
        if report is None:
            self.notify("Nothing is scheduled: the cluster is idle.")
            return
        self._stepped = (
            self._stepped
            + [f"[{clock_text(report.time)}] {line}" if i == 0 else line for i, line in enumerate(report.lines())]
        )[-12:]
        self.main.show_output(Text("\n".join(self._stepped)), tr("n: what each event did", self.lang))
        self.changed()

    def action_advance(self, seconds: float) -> None:
        self.cluster.advance(float(seconds))
        self.changed()

    def action_speed(self, delta: int) -> None:
        i = SPEEDS.index(self.speed) if self.speed in SPEEDS else 2
        self.speed = SPEEDS[max(0, min(len(SPEEDS) - 1, i + int(delta)))]
        self._refresh_header()

    def action_step_next(self) -> None:
        if self.session is None:
            self.notify("No scenario: start ktui with --scenario NAME to step through one.")
            return
        if self.session.done:
            self.notify("The scenario is finished. [ goes back a step.")
            return
        from ktui.scenario.runner import next_step

        result = next_step(self.session)  # type: ignore[arg-type]  # the runner's stepping: the step, then Cluster.settle()
        step = self.session.steps[self.session.position - 1]
        self.main.show_output(
            self._transcript_text(self._on_our_clock(result), result.ok),
            f"step {self.session.position}/{len(self.session.steps)}",
        )
        if not result.ok:
            self.notify("This step did not go as the scenario expected.", severity="error")
        if getattr(step, "pause", False) and self.playing:
            self.playing = False
        self.changed()

    def action_step_back(self) -> None:
        if self.session is None:
            self.notify("No scenario: start ktui with --scenario NAME to step through one.")
            return
        if self.session.position == 0:
            self.notify("Already at the start of the scenario.")
            return
        self.session.back()
        self.main.hide_output()
        self.changed()

    def _on_our_clock(self, result) -> str:
        """The step's transcript with its ``[HH:MM:SS]`` on the header's clock (time since the cluster was
        created), so the screen shows one clock; ``ktui scenario run`` counts from the scenario's start."""
        text = result.transcript
        start, t0 = getattr(result, "start", None), getattr(self.session, "t0", None)
        if start is None or t0 is None or not re.match(r"\[\d\d:\d\d:\d\d\]", text):
            return text

        def shifted(m: re.Match) -> str:  # "→ [00:00:50]" (advance, wait) is on the scenario's clock too
            h, mi, sec = (int(x) for x in m.group(2).split(":"))
            return f"{m.group(1)}[{clock_text(t0 + h * 3600 + mi * 60 + sec)}]"

        return f"[{clock_text(t0 + start)}]" + re.sub(r"(→ )\[(\d\d:\d\d:\d\d)\]", shifted, text[10:])

    def _transcript_text(self, transcript: str, ok: bool) -> Text:
        t = Text(transcript.rstrip("\n"))
        if not ok:
            t.stylize(self.style("error"))
        return t

    # ------------------------------------------------------------------ other

    def action_quit(self) -> None:  # type: ignore[override]
        """``q``: quit; in the middle of a scenario, ask first (the steps done so far would be lost)."""
        s = self.session
        if s is not None and 0 < s.position < len(s.steps):

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self.exit()

            self.push_screen(
                ConfirmScreen(
                    f"Quit in the middle of {s.name} (step {s.position}/{len(s.steps)})?",
                    "The scenario's progress is not kept.",
                ),
                confirmed,
            )
            return
        self.exit()

    def action_pick_theme(self) -> None:
        original = self.theme
        names = sorted(self.available_themes, key=lambda n: (n not in self._theme_names, n))

        def preview(name: str) -> None:
            self.theme = name

        def chosen(name: str | None) -> None:
            if name is None:
                self.theme = original
                return
            self.theme = name
            themes.save_theme(name)
            self.notify(f"Theme {name} (remembered)")

        self.push_screen(
            PickScreen(
                tr("Theme", self.lang), [(n, n) for n in names], on_highlight=preview, initial=original, id="themes"
            ),
            chosen,
        )

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(id="help"))

    def action_noop(self) -> None:
        pass

    def status_line(self) -> str:
        """The play state as the header shows it (for tests and the tmux check)."""
        return f"{'▶' if self.playing else '⏸'} {speed_text(self.speed)}"
