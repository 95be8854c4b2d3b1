"""The routing view of a Service: its routes per node and iptables rules, with ``t`` to trace a request."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import BindingType

from ktui.tui import routing
from ktui.tui.screens.dialogs import PickScreen
from ktui.tui.screens.text_view import TextView

__all__ = ["RoutingView"]


class RoutingView(TextView):
    """The routing view of a Service, with ``t`` to trace one request from a chosen pod."""

    BINDINGS: ClassVar[list[BindingType]] = [("t", "trace", "trace from a pod")]

    def __init__(self, title: str, text: str, *, service: dict) -> None:
        super().__init__(title, text, kind="routing")
        self.service = service

    def action_trace(self) -> None:
        app = self.app
        pods = sorted(k for k, p in app.feed.objects["pods"].items() if (p.get("status") or {}).get("podIP"))

        def chosen(key: str | None) -> None:
            if key is None:
                return
            pod = app.feed.objects["pods"][key]
            self.set_text(routing.service_routing_text(app.cluster, self.service) + "\n"
                          + routing.trace_text(app.cluster, pod, self.service))
            self.query_one("#view-body").scroll_end(animate=False)

        app.push_screen(PickScreen("Trace a request from which pod?", [(k, k) for k in pods]), chosen)
