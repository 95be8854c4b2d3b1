"""The terminal UI's keys for the selected object: describe, YAML, logs, shell, delete, edit, events, why, routing."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

from rich.text import Text

from ktui.api.errors import ApiError
from ktui.tui import routing, views
from ktui.tui.screens.dialogs import PickScreen
from ktui.tui.screens.routing_view import RoutingView
from ktui.tui.screens.text_view import TextView

if TYPE_CHECKING:
    from rich.style import Style
    from textual.app import App

    from ktui.cluster import Cluster
    from ktui.tui.screens.main import MainScreen
    from ktui.tui.session import Session

    _Base = App[Any]
else:
    _Base = object

__all__ = ["ObjectKeysMixin"]


class ObjectKeysMixin(_Base):
    """The keys of :class:`ktui.tui.app.KtuiApp` that act on the selected row's object."""

    cluster: "Cluster"
    snapshot: Any
    session: "Session | None"
    playing: bool

    if TYPE_CHECKING:  # the app's

        @property
        def main(self) -> MainScreen: ...
        def style(self, name: str) -> Style: ...
        def changed(self) -> None: ...
        def run_command_line(self, line: str) -> None: ...
        def _transcript_text(self, transcript: str, ok: bool) -> Text: ...

    def _selection(self) -> tuple[str, dict] | None:
        panel = self.main.active_panel
        obj = panel.selected
        if obj is None:
            self.notify(f"Nothing selected in {panel.spec.title}.", severity="warning")
            return None
        return panel.spec.plural, obj

    def _singular(self, plural: str) -> str:
        """How kubectl commands name one object of ``plural`` (``deployment``), from the API's registry."""
        try:
            return self.cluster.api.resource(plural).singular or plural
        except ApiError:
            return plural

    def _ref(self, plural: str, obj: dict) -> str:
        md = obj.get("metadata") or {}
        ns = f" -n {md['namespace']}" if md.get("namespace") else ""
        return f"{self._singular(plural)}/{md.get('name', '')}{ns}"

    def _current(self, plural: str, obj: dict) -> dict:
        """The object as the current frame has it (views follow the object, not the row it was opened from)."""
        from ktui.tui.feed import key_of

        return self.snapshot.objects.get(plural, {}).get(key_of(obj), obj)

    def action_describe(self) -> None:
        sel = self._selection()
        if sel is None:
            return
        plural, obj = sel
        fn = lambda: views.describe_text(self.cluster, plural, self._current(plural, obj))  # noqa: E731
        self.push_screen(TextView(f"describe {self._ref(plural, obj)}", fn(), refresher=fn, kind="describe"))

    def action_yaml(self) -> None:
        sel = self._selection()
        if sel is None:
            return
        plural, obj = sel
        fn = lambda: views.yaml_text(self._current(plural, obj))  # noqa: E731
        self.push_screen(TextView(f"get {self._ref(plural, obj)} -o yaml", fn(), refresher=fn, kind="yaml"))

    def action_logs(self, previous: bool = False) -> None:
        sel = self._selection()
        if sel is None:
            return
        plural, obj = sel
        if plural != "pods":
            self.notify("Logs are a pod's: select a pod.", severity="warning")
            return
        containers = [c["name"] for c in (obj.get("spec") or {}).get("containers") or []]

        def open_logs(container: str | None) -> None:
            if container is None:
                return

            def fn() -> str:
                return views.logs_text(self.cluster, self._current(plural, obj), container, previous=previous)

            title = (
                f"logs {self._ref(plural, obj)} -c {container}"
                + (" --previous" if previous else "")
                + ("  (following)" if self.playing and not previous else "")
            )
            self.push_screen(TextView(title, fn(), refresher=fn, kind="logs", follow=not previous))

        if len(containers) > 1:
            self.push_screen(PickScreen("Logs of which container?", [(c, c) for c in containers]), open_logs)
        else:
            open_logs(containers[0] if containers else "")

    def action_shell(self) -> None:
        """``s``: a shell in the selected pod's container; each line is a ``kubectl exec``."""
        sel = self._selection()
        if sel is None:
            return
        plural, obj = sel
        if plural != "pods":
            self.notify("A shell runs in a pod's container: select a pod.", severity="warning")
            return
        from ktui.tui.feed import key_of
        from ktui.tui.screens.shell import ShellScreen

        containers = [c["name"] for c in (obj.get("spec") or {}).get("containers") or []]

        def run(argv: str) -> tuple[str, int]:
            text, code = views.kubectl_text(self.cluster, argv)
            self.cluster.settle()
            self.changed()
            return text, code

        def open_shell(container: str | None) -> None:
            if container is not None:
                self.push_screen(ShellScreen(key_of(obj), container, run))

        if len(containers) > 1:
            self.push_screen(PickScreen("Shell in which container?", [(c, c) for c in containers]), open_shell)
        else:
            open_shell(containers[0] if containers else "")

    def action_delete(self, force: bool = False) -> None:
        """``ctrl+d``: delete the selection; ``ctrl+k``: force-delete it (no grace period). Both ask first."""
        sel = self._selection()
        if sel is None:
            return
        plural, obj = sel
        md = obj.get("metadata") or {}
        words = ["delete", self._singular(plural), md.get("name", "")]
        if md.get("namespace"):
            words += ["-n", md["namespace"]]
        if force:
            words += ["--grace-period=0", "--force"]
        self.run_command_line(" ".join(shlex.quote(w) for w in words))

    def action_edit(self) -> None:
        """``e``: the selection's YAML in an editor; ctrl+s applies it as ``kubectl edit`` does."""
        sel = self._selection()
        if sel is not None:
            md = sel[1].get("metadata") or {}
            self.open_editor(sel[0], md.get("name", ""), md.get("namespace"))

    def open_editor(self, resource: str, name: str, namespace: str | None) -> bool:
        """Open the editor on one object (``e``, ``:edit TYPE/NAME``); False when there is no such object."""
        from ktui.kubectl.cmd_edit import edit_file, save_edit
        from ktui.tui.screens.edit import EditScreen

        try:
            r = self.cluster.api.resource(resource)
        except ApiError:
            return False
        argv = f"edit {r.singular}/{name}" + (f" -n {namespace}" if namespace and r.namespaced else "")
        try:
            obj = self.cluster.api.get(r.plural, name, namespace if r.namespaced else None)
        except ApiError as exc:  # kubectl edit's answer for an object that is not there
            from ktui.kubectl.errors import format_error

            self.main.show_output(
                self._transcript_text(f"$ kubectl {argv}\n{format_error(exc)}", False), "kubectl  exit 1"
            )
            return True
        ns = (obj.get("metadata") or {}).get("namespace")
        original = edit_file(obj)
        previous: list[str | None] = [None]

        def save(text: str):
            outcome = save_edit(self.cluster.api, r, ns, original, text, retry_of=previous[0])
            previous[0] = text if outcome.reopen is not None else None
            self.cluster.settle()  # the cluster reacts before the next command, as everywhere
            self.changed()
            return outcome

        def closed(outcome) -> None:
            if outcome is None:
                self.main.show_output(
                    Text(f"$ kubectl {argv}\n(cancelled: nothing changed)", style="dim"), "kubectl  cancelled"
                )
                return
            text = Text(f"$ kubectl {argv}\n", style="bold")
            text.append(outcome.out.rstrip("\n") + ("\n" if outcome.out and outcome.err else ""))
            text.append(outcome.err.rstrip("\n"), style=self.style("error") if outcome.code else "")
            self.main.show_output(text, f"kubectl  exit {outcome.code}")

        self.push_screen(EditScreen(argv, original, save), closed)
        return True

    def action_events(self) -> None:
        sel = self._selection()
        if sel is None:
            return
        plural, obj = sel

        def fn() -> str:
            ns = (obj.get("metadata") or {}).get("namespace")
            evs = self.cluster.api.list("events", ns)["items"] if ns else self.cluster.api.list("events")["items"]
            return views.events_text(self.cluster, evs, self._current(plural, obj))

        self.push_screen(TextView(f"events --for {self._ref(plural, obj)}", fn(), refresher=fn, kind="events"))

    def action_why(self) -> None:
        sel = self._selection()
        if sel is None:
            return
        plural, obj = sel
        if plural not in ("pods", "nodes"):
            self.notify("'why' explains a pod's placement or a node's state.", severity="warning")
            return
        fn = lambda: views.why_text(self.cluster, plural, self._current(plural, obj))  # noqa: E731
        self.push_screen(TextView(f"why {self._ref(plural, obj)}", fn(), refresher=fn, kind="why"))

    def action_routing(self) -> None:
        sel = self._selection()
        if sel is None:
            return
        plural, obj = sel
        if plural == "services":
            text = routing.service_routing_text(self.cluster, obj)
            self.push_screen(
                RoutingView(f"routing {self._ref(plural, obj)}   (t: trace a request from a pod)", text, service=obj)
            )
        elif plural == "nodes":
            self.push_screen(
                RoutingView(
                    f"iptables-save -t nat on {obj['metadata']['name']}   (t: trace a request)",
                    routing.node_routing_text(self.cluster, self._current(plural, obj)),
                    node=obj,
                )
            )
        elif plural == "pods":
            services = self.snapshot.objects["services"]
            svcs = sorted(services)
            self.push_screen(
                PickScreen("Trace a request from this pod to which Service?", [(k, k) for k in svcs]),
                lambda key: (
                    key
                    and self.push_screen(
                        TextView(
                            f"trace from {self._ref(plural, obj)} to service {key}",
                            routing.trace_text(self.cluster, obj, services[key]),
                            kind="routing",
                        )
                    )
                ),
            )
        else:
            self.notify("Routing is shown for a Service, a Node or a Pod.", severity="warning")
