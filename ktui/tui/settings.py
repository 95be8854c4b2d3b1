"""What the UI remembers between runs (theme, namespace scope): ``settings.yaml`` in the config directory.

The config directory is ``$KTUI_CONFIG``, else ``$XDG_CONFIG_HOME/ktui``, else ``~/.config/ktui``; the cluster
state lives elsewhere (``$KTUI_HOME``). A missing or unreadable file reads as no settings, and a read-only
home never stops the UI.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

__all__ = ["config_dir", "settings_path", "load", "get", "put"]


def config_dir() -> Path:
    """Where the user's settings and themes live."""
    if os.environ.get("KTUI_CONFIG"):
        return Path(os.environ["KTUI_CONFIG"])
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "ktui"


def settings_path() -> Path:
    return config_dir() / "settings.yaml"


def load() -> dict[str, Any]:
    """Every remembered setting (an empty dict when there is no readable file)."""
    try:
        data = yaml.safe_load(settings_path().read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def get(key: str) -> Any:
    """One remembered setting, or None."""
    return load().get(key)


def put(key: str, value: Any) -> None:
    """Remember ``key`` (None forgets it); the other settings in the file are kept."""
    data = load()
    if value is None:
        data.pop(key, None)
    else:
        data[key] = value
    path = settings_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(data, sort_keys=True), encoding="utf-8")
    except OSError:  # a read-only home must not break the UI
        pass
