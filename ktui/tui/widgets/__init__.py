"""The main screen's widgets: header, resource panels, events strip, narration pane, command line."""

from ktui.tui.widgets.command_line import CommandLine
from ktui.tui.widgets.events_strip import EventsStrip
from ktui.tui.widgets.header import ClusterHeader
from ktui.tui.widgets.narration import NarrationPane
from ktui.tui.widgets.resource_panel import ResourcePanel, ResourceTable

__all__ = ["ClusterHeader", "CommandLine", "EventsStrip", "NarrationPane", "ResourcePanel", "ResourceTable"]
