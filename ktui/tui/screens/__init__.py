"""The screens above the main one: detail views, dialogs, help."""

from ktui.tui.screens.dialogs import ConfirmScreen, PickScreen
from ktui.tui.screens.help import HelpScreen
from ktui.tui.screens.text_view import TextView

__all__ = ["ConfirmScreen", "PickScreen", "HelpScreen", "TextView"]
