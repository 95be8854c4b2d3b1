"""Themes: YAML files of Textual theme fields plus ktui's semantic variables, and the remembered choice.

A theme file holds ``name``, the Textual fields (primary, secondary, accent, foreground, background, surface,
panel, success, warning, error, dark) and ``variables`` named by meaning (``pod-running``, ``node-notready``,
``row-changed`` ...; :data:`SEMANTIC_DEFAULTS` lists them all). Files ship in the package's ``themes/``
directory; the user's config directory (``$KTUI_CONFIG``, else ``$XDG_CONFIG_HOME/ktui``, else
``~/.config/ktui``) adds its own ``themes/*.yaml`` and keeps the choice in ``settings.yaml``.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Any

import yaml
from rich.color import Color as RichColor
from rich.style import Style
from textual.color import Color
from textual.theme import Theme

from ktui.tui import settings
from ktui.tui.settings import config_dir

__all__ = [
    "DEFAULT_THEME",
    "SEMANTIC_DEFAULTS",
    "STYLED",
    "rich_color",
    "rich_styles",
    "config_dir",
    "theme_paths",
    "load_theme",
    "load_themes",
    "saved_theme",
    "save_theme",
]

DEFAULT_THEME = "ktui-dark"

SEMANTIC_DEFAULTS: dict[str, str] = {
    "pod-running": "$success",
    "pod-pending": "$warning",
    "pod-failed": "$error",
    "pod-terminating": "$accent",
    "pod-succeeded": "$foreground-muted",
    "node-ready": "$success",
    "node-notready": "$error",
    "node-cordoned": "$warning",
    "ns-active": "$success",
    "ns-terminating": "$accent",
    "event-normal": "$foreground-muted",
    "event-warning": "$warning",
    "row-changed": "$primary-muted",
    "bar-used": "$primary",
    "bar-free": "$panel",
    "clock": "$primary",
    "play-state": "$success",
    "pause-state": "$warning",
    "narration": "$foreground",
    "fault": "$error",
}
"""Every semantic variable a theme may set, with the value used when it does not."""

STYLED = (*SEMANTIC_DEFAULTS, "error", "warning", "success", "accent", "foreground-muted")
"""The theme variables the app turns into Rich styles for text it draws itself (cells, header, transcript)."""


def rich_color(value: str | None, background: str | None = None) -> RichColor | None:
    """A theme variable's value as a Rich colour; None when it does not parse.

    Textual writes ANSI colours as ``ansi_green`` (which Rich does not know) and semi-transparent ones with an
    alpha; both are converted here, a translucent colour blended onto ``background``.
    """
    if not value:
        return None
    try:
        c = Color.parse(value)
        if c.a < 1 and background:
            c = Color.parse(background) + c
    except Exception:  # noqa: BLE001 - textual raises ColorParseError and friends for a bad value
        return None
    return c.rich_color


def rich_styles(variables: dict[str, str]) -> dict[str, Style]:
    """The Rich style of each of :data:`STYLED` (``row-changed`` is a background, the others foregrounds)."""
    bg = variables.get("surface")
    out: dict[str, Style] = {}
    for name in STYLED:
        colour = rich_color(variables.get(name), bg)
        if colour is not None:
            out[name] = Style(bgcolor=colour) if name == "row-changed" else Style(color=colour)
    return out


_FIELDS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "success",
    "warning",
    "error",
    "dark",
)


def _builtin_dir() -> Path | None:
    try:
        packaged = importlib.resources.files("ktui") / "themes"
        if packaged.is_dir():
            return Path(str(packaged))
    except (ModuleNotFoundError, TypeError):  # pragma: no cover
        pass
    repo = Path(__file__).resolve().parents[2] / "themes"
    return repo if repo.is_dir() else None


def theme_paths() -> list[Path]:
    """The theme files to load: the shipped ones, then the user's (a user file overrides by name)."""
    out: list[Path] = []
    builtin = _builtin_dir()
    if builtin is not None:
        out += sorted(builtin.glob("*.yaml"))
    user = config_dir() / "themes"
    if user.is_dir():
        out += sorted(user.glob("*.yaml")) + sorted(user.glob("*.yml"))
    return out


def load_theme(path: Path) -> Theme:
    """One theme file as a Textual :class:`Theme`.

    Raises:
        ValueError: when the file is not a theme (no name or no primary colour).
    """
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not data.get("name") or not data.get("primary"):
        raise ValueError(f"{path}: a theme needs at least 'name' and 'primary'")
    fields = {k: data[k] for k in _FIELDS if k in data}
    variables = {str(k): str(v) for k, v in (data.get("variables") or {}).items()}
    return Theme(name=str(data["name"]), variables=variables, **fields)


def load_themes() -> dict[str, Theme]:
    """Every loadable theme by name; broken user files are skipped rather than stopping the UI."""
    themes: dict[str, Theme] = {}
    for path in theme_paths():
        try:
            theme = load_theme(path)
        except (OSError, ValueError, yaml.YAMLError, TypeError):
            continue
        themes[theme.name] = theme
    return themes


def saved_theme() -> str | None:
    """The theme chosen last time, if any."""
    name = settings.get("theme")
    return str(name) if name else None


def save_theme(name: str) -> None:
    """Remember ``name`` in ``settings.yaml`` (other settings in the file are kept)."""
    settings.put("theme", name)
