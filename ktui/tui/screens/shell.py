"""``s``: a shell in a pod's container — each line runs as ``kubectl exec POD -c C -- LINE`` (the simulated programs).

| Key(s) | Description |
| :- | :- |
| enter | Run the line in the container. |
| escape | Back to the main screen. |
"""

from __future__ import annotations

import shlex
from typing import Callable, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from ktui.tui.widgets.header import ClusterHeader

__all__ = ["ShellScreen"]


class ShellScreen(Screen):
    """A prompt in one container; what each line prints is kept above it.

    Args:
        pod: ``namespace/name`` of the pod.
        container: the container's name.
        run: runs a kubectl command line and returns ``(output, exit code)``.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    DEFAULT_CSS = """
    ShellScreen { background: $background; }
    ShellScreen > #shell-title { height: 1; background: $primary-muted; padding: 0 1; text-style: bold; }
    ShellScreen > VerticalScroll { height: 1fr; padding: 0 1; background: $surface; }
    ShellScreen > Input { height: 1; border: none; padding: 0 1; background: $panel; }
    """

    def __init__(self, pod: str, container: str, run: Callable[[str], tuple[str, int]]) -> None:
        super().__init__(id="shell")
        self.namespace, _, self.pod = pod.partition("/")
        self.container = container
        self.run = run
        self.transcript = ""
        """Everything shown so far (prompts and outputs)."""

    def compose(self) -> ComposeResult:
        yield ClusterHeader(id="shell-header")
        yield Static(
            Text(
                f"shell in {self.namespace}/{self.pod} -c {self.container}   "
                "(the simulated programs: nslookup, curl, wget, cat, env, ip addr, ...)"
            ),
            id="shell-title",
        )
        with VerticalScroll():
            yield Static("", id="shell-output")
        yield Input(placeholder="command, e.g. nslookup kubernetes", id="shell-input")
        yield Footer()

    def on_mount(self) -> None:
        self.app.sync_header(self.query_one(ClusterHeader))  # type: ignore[attr-defined]
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        line = event.value.strip()
        event.input.value = ""
        if not line:
            return
        argv = (
            f"exec {shlex.quote(self.pod)} -n {shlex.quote(self.namespace)} -c {shlex.quote(self.container)} -- {line}"
        )
        out, code = self.run(argv)
        self.transcript += f"$ {line}\n{out}" + ("" if out.endswith("\n") or not out else "\n")
        if code:
            self.transcript += f"(exit {code})\n"
        self.query_one("#shell-output", Static).update(Text(self.transcript))
        self.query_one(VerticalScroll).scroll_end(animate=False)
