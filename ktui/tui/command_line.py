"""The ``:`` command line of the terminal UI: completion, panel jumps, ``:edit``, and kubectl (deletes confirmed)."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

from rich.text import Text

from ktui.api.errors import ApiError
from ktui.tui import completion
from ktui.tui.rows import generic_spec
from ktui.tui.screens.dialogs import ConfirmScreen
from ktui.tui.screens.main import PLURALS

if TYPE_CHECKING:
    from rich.style import Style
    from textual.app import App

    from ktui.cluster import Cluster
    from ktui.tui.feed import ClusterFeed
    from ktui.tui.screens.main import MainScreen

    _Base = App[Any]
else:
    _Base = object

__all__ = ["CommandLineMixin"]

_DESTRUCTIVE = ("delete", "drain")
_JUMP = {
    "pods": "pods",
    "po": "pods",
    "pod": "pods",
    "nodes": "nodes",
    "no": "nodes",
    "node": "nodes",
    "svc": "services",
    "services": "services",
    "service": "services",
    "ns": "namespaces",
    "namespaces": "namespaces",
    "namespace": "namespaces",
}


class CommandLineMixin(_Base):
    """The command line of :class:`ktui.tui.app.KtuiApp`."""

    cluster: "Cluster"
    feed: "ClusterFeed"
    snapshot: Any

    if TYPE_CHECKING:  # the app's

        @property
        def main(self) -> MainScreen: ...
        def style(self, name: str) -> Style: ...
        def semantic_styles(self) -> dict[str, Style]: ...
        def changed(self) -> None: ...
        def open_editor(self, resource: str, name: str, namespace: str | None) -> bool: ...

    def complete_line(self, line: str) -> list[str]:
        """Completion for the ``:`` line."""
        return completion.complete(line, self._resource_names(), self._object_names, self._registered_commands())

    def _resource_names(self) -> list[str]:
        names: list[str] = []
        try:
            for r in self.cluster.inspect.resources():
                names += [r.plural, r.singular, *r.short_names]
        except (AttributeError, TypeError):
            names = list(completion.JUMPS)
        return names

    def _registered_commands(self) -> list[str]:
        try:
            from ktui.kubectl.main import COMMANDS

            return sorted({p.split(" ")[0] for p in COMMANDS})
        except ImportError:
            return []

    def _object_names(self, rtype: str, namespace: str | None) -> list[str]:
        try:
            plural = self.cluster.api.resource(rtype).plural
        except ApiError:
            return []
        cached = self.snapshot.objects.get(plural)
        if cached is not None:
            objs = cached.values()
        else:
            try:
                objs = self.cluster.api.list(plural, namespace)["items"]
            except ApiError:
                return []
        return sorted(
            {
                (o.get("metadata") or {}).get("name", "")
                for o in objs
                if namespace is None or (o.get("metadata") or {}).get("namespace") in (None, namespace)
            }
        )

    def run_command_line(self, line: str) -> None:
        """Run what was typed after ``:`` — a panel jump, ``q``, or a kubectl command (confirming deletes)."""
        words = completion.split(line)
        if not words:
            return
        if len(words) == 1 and words[0] in _JUMP:
            self.main.show_panel(_JUMP[words[0]])
            return
        if len(words) == 1 and self.open_kind(words[0]):
            return
        if words[0] == "kubectl":
            words = words[1:]
        if words and words[0] == "edit" and self._edit_words(words[1:]):
            return
        if words in (["q"], ["quit"]):
            self.exit()
            return
        argv = " ".join(shlex.quote(w) for w in words)
        if words and words[0] in _DESTRUCTIVE and not any(w.startswith("--dry-run") for w in words):

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self._run_kubectl(argv)
                else:
                    self.main.show_output(
                        Text(f"$ kubectl {argv}\n(cancelled: nothing ran)", style="dim"), "kubectl  cancelled"
                    )

            self.push_screen(ConfirmScreen(f"Run: kubectl {argv}?", f"{words[0]} cannot be undone."), confirmed)
            return
        self._run_kubectl(argv)

    def _run_kubectl(self, argv: str) -> None:
        from ktui.kubectl import KubectlEnv, run_kubectl

        try:
            res = run_kubectl(KubectlEnv.for_cluster(self.cluster), argv)
            out, err, code = res.stdout, res.stderr, res.exit_code
        except Exception as exc:  # noqa: BLE001 - a kubectl bug must not take the UI down
            out, err, code = "", f"error: {exc}\n", 1
        text = Text(f"$ kubectl {argv}\n", style="bold")
        text.append(out.rstrip("\n") + ("\n" if out and err else ""))
        if err:
            text.append(err.rstrip("\n"), style=self.style("error"))
        self.main.show_output(text, f"kubectl  exit {code}")
        self.cluster.settle()  # the cluster reacts before the next command, as everywhere (Cluster.settle)
        self.changed()

    def _edit_words(self, args: list[str]) -> bool:
        """``:edit TYPE/NAME [-n NS]`` or ``:edit TYPE NAME``: the editor screen, not an external editor."""
        ns: str | None = "default"
        rest: list[str] = []
        it = iter(args)
        for w in it:
            if w in ("-n", "--namespace"):
                ns = next(it, None)
            elif w.startswith(("--namespace=", "-n=")):
                ns = w.split("=", 1)[1]
            elif w.startswith("-"):
                return False  # other flags: kubectl itself answers
            else:
                rest.append(w)
        if len(rest) == 1 and rest[0].count("/") == 1:
            rest = rest[0].split("/")
        return len(rest) == 2 and ns is not None and self.open_editor(rest[0], rest[1], ns)

    def open_kind(self, word: str) -> bool:
        """``:deploy``, ``:cm``, ``:ev`` ...: a watch-fed panel of any registered kind that can be listed, with
        ``kubectl get -A``'s columns. False when ``word`` names no such resource (it then runs as kubectl)."""
        try:
            r = self.cluster.api.resource(word)
        except ApiError:
            return False
        if "list" not in r.verbs or "watch" not in r.verbs:
            return False
        if r.plural in PLURALS:
            self.main.show_panel(r.plural)
            return True
        try:
            self.feed.follow(r.plural)
        except ApiError as exc:
            self.notify(str(exc), severity="error")
            return True
        old = self.main.generic.spec.plural if self.main.generic is not None else None
        title = r.kind + r.plural[len(r.kind) :] if r.plural.startswith(r.kind.lower()) else r.plural
        self.snapshot = self.feed.snapshot(self.cluster.now)  # a frame that has the newly followed kind
        self.main.open_generic(generic_spec(r.plural, title, r.namespaced), self.semantic_styles(), self.snapshot)
        if old is not None and old != r.plural:
            self.feed.unfollow(old)  # only a kind the four panels do not watch themselves
        return True
