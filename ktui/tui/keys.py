"""Every key of the UI in one table: the bindings, the footer hints and the ``?`` help are all built from it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from textual.binding import Binding

from ktui.tui.i18n import tr

__all__ = ["Key", "KEYS", "bindings", "localize"]


@dataclass(frozen=True)
class Key:
    """One key: where it is bound (``app`` or ``main``), its action, how help and the footer name it."""

    key: str
    action: str
    label: str
    help: str
    group: str
    where: str = "app"
    footer: str = ""
    """Short footer text; empty keeps the key out of the footer (it is still in ``?``)."""
    pinned: bool = False
    """An app key the main screen's footer shows first, so a small terminal never hides it (``?``, ``]``)."""
    priority: bool = False
    """Run when the app receives the key, before it forwards the next one: a key that opens an input takes
    focus at once, so what is typed right after it (or pasted with it) lands in that input."""


KEYS: tuple[Key, ...] = (
    Key("space", "toggle_play", "space", "play / pause the simulated clock", "Time", footer="play"),
    Key("n", "next_event", "n", "run to the next event (the clock jumps to it)", "Time", footer="next"),
    Key("full_stop", "advance(1)", ".", "advance 1 second", "Time", footer="+1s"),
    Key("greater_than_sign", "advance(10)", ">", "advance 10 seconds", "Time", footer="+10s"),
    Key("plus", "speed(1)", "+", "faster (up to 64x)", "Time"),
    Key("minus", "speed(-1)", "-", "slower (down to 0.25x)", "Time"),
    Key("right_square_bracket", "step_next", "]", "scenario: run the next step", "Time", footer="step", pinned=True),
    Key("left_square_bracket", "step_back", "[", "scenario: back one step (rewind to before it)", "Time"),
    Key("tab", "focus_panel(1)", "tab", "next panel", "Moving", where="main"),
    Key("shift+tab", "focus_panel(-1)", "shift+tab", "previous panel", "Moving", where="main"),
    Key("N", "sort('NAME')", "N", "sort by name (again: reverse)", "Moving", where="main"),
    Key("A", "sort('AGE')", "A", "sort by age (again: reverse)", "Moving", where="main"),
    Key("S", "sort('STATUS')", "S", "sort by status (again: reverse)", "Moving", where="main"),
    Key("j", "noop", "↑ ↓  j k", "move in a panel (pgup/pgdn, g/G for top/bottom)", "Moving", where="help"),
    Key(
        "enter",
        "describe",
        "enter",
        "describe the selection (on a namespace: show only that namespace)",
        "Looking",
        where="help",
    ),
    Key("0", "all_namespaces", "0", "show all namespaces again", "Looking", where="main"),
    Key("d", "describe", "d", "describe the selection (as enter)", "Looking", where="main"),
    Key("y", "yaml", "y", "YAML of the selection", "Looking", where="main", footer="yaml"),
    Key("l", "logs", "l", "logs of the selected pod (follows while playing)", "Looking", where="main", footer="logs"),
    Key(
        "p",
        "previous_logs",
        "p",
        "logs of the selected pod's previous container (after a restart)",
        "Looking",
        where="main",
    ),
    Key("v", "events", "v", "events of the selection", "Looking", where="main"),
    Key(
        "w",
        "why",
        "w",
        "why: the scheduler's verdict per node, or why it is still pending",
        "Looking",
        where="main",
        footer="why",
    ),
    Key("r", "routing", "r", "routing: a service's or node's rules, and a trace from a pod", "Looking", where="main"),
    Key("z", "maximize", "z", "maximise the focused panel, or back (esc too)", "Looking", where="main"),
    Key("escape", "back", "esc", "back / close the output, filter or command line", "Looking", where="main"),
    Key("slash", "filter", "/", "filter the panel (substring, or -l key=value)", "Doing", where="main", priority=True),
    Key(
        "colon",
        "command",
        ":",
        "kubectl command line (:pods :nodes :svc :ns jump; :deploy :cm ... any kind)",
        "Doing",
        where="main",
        footer="kubectl",
        priority=True,
    ),
    Key(
        "f", "faults", "f", "faults on the selected node or pod (confirm first)", "Doing", where="main", footer="faults"
    ),
    Key("u", "undo_fault", "u", "undo the last fault", "Doing", where="main"),
    Key(
        "e",
        "edit",
        "e",
        "edit the selection's YAML (ctrl+s: apply as kubectl edit does, esc: cancel)",
        "Doing",
        where="main",
    ),
    Key("s", "shell", "s", "shell in the selected pod's container (its simulated programs)", "Doing", where="main"),
    Key("ctrl+d", "delete", "ctrl+d", "delete the selection (asks first)", "Doing", where="main"),
    Key("ctrl+k", "kill", "ctrl+k", "kill: force-delete the selection at once (asks first)", "Doing", where="main"),
    Key("t", "pick_theme", "t", "choose a theme (remembered)", "Other"),
    Key("question_mark", "help", "?", "this help", "Other", footer="help", pinned=True),
    Key("q", "quit", "q", "quit (asks first in the middle of a scenario; :q quits too)", "Other", footer="quit"),
)
"""All keys, in help order."""


def bindings(where: str) -> list[Binding]:
    """The :class:`Binding` list for the app (``app``) or the main screen (``main``); the main screen starts
    with the pinned app keys, so its footer shows them first."""
    pinned = [
        Binding(k.key, f"app.{k.action}", k.footer, key_display=k.label) for k in KEYS if where == "main" and k.pinned
    ]
    return pinned + [
        Binding(k.key, k.action, k.footer or k.help, show=bool(k.footer), key_display=k.label, priority=k.priority)
        for k in KEYS
        if k.where == where
    ]


def localize(node: Any, lang: str) -> None:
    """Put the footer words of ``node``'s bindings (an app or a screen) in ``lang``."""
    if lang == "en":
        return
    table = node._bindings.key_to_bindings
    for key, found in table.items():
        table[key] = [replace(b, description=tr(b.description, lang)) for b in found]
