"""The routing view of a Service or a Node: routes and iptables rules, with ``t`` to trace a request."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType

from ktui.tui import routing
from ktui.tui.screens.dialogs import PickScreen
from ktui.tui.screens.text_view import TextView

__all__ = ["RoutingView"]


class RoutingView(TextView):
    """A Service's routes per node (``service``) or a node's rule set (``node``); ``t`` traces one request —
    from a chosen pod to the Service, or from a pod on the node to a chosen Service — and shows the trace at
    the top, above the rules, where the eye is.

    Args:
        title: the view's title.
        text: the routes and rules.
        service: the Service shown, or None.
        node: the Node shown, or None.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("t", "trace", "trace a request")]

    def __init__(self, title: str, text: str, *, service: dict | None = None, node: dict | None = None) -> None:
        super().__init__(title, text, kind="routing")
        self.service = service
        self.node = node
        self.rules = text
        """The routes and rules without any trace."""

    def _show_trace(self, pod: dict, service: dict) -> None:
        trace = routing.trace_text(self.app.cluster, pod, service)  # type: ignore[attr-defined]
        self.set_text(trace.rstrip("\n") + "\n\n" + self.rules)
        self.query_one("#view-body").scroll_home(animate=False)

    def action_trace(self) -> None:
        app = self.app
        objects = app.snapshot.objects  # type: ignore[attr-defined]
        with_ip = {k: p for k, p in objects["pods"].items() if (p.get("status") or {}).get("podIP")}
        if self.service is not None:
            service = self.service

            def pod_chosen(key: str | None) -> None:
                if key is not None:
                    self._show_trace(with_ip[key], service)

            app.push_screen(
                PickScreen("Trace a request from which pod?", [(k, k) for k in sorted(with_ip)]), pod_chosen
            )
            return
        node = (self.node or {}).get("metadata", {}).get("name", "")
        here = sorted(
            k
            for k, p in with_ip.items()
            if (p.get("spec") or {}).get("nodeName") == node and not (p.get("spec") or {}).get("hostNetwork")
        )
        if not here:
            app.notify(f"No pod with its own IP runs on {node} to send a request from.", severity="warning")
            return

        def service_chosen(key: str | None) -> None:
            if key is not None:
                self._show_trace(with_ip[here[0]], objects["services"][key])

        app.push_screen(
            PickScreen(
                f"Trace a request from {here[0]} (on {node}) to which Service?",
                [(k, k) for k in sorted(objects["services"])],
            ),
            service_chosen,
        )
