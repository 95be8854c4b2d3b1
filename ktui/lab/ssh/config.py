"""The settings of ``ktui lab serve``, shared by the server and its sessions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ktui.lab.ssh.auth import Roster, Tokens
from ktui.lab.ssh.catalogue import Catalogue

__all__ = ["ServeConfig"]


@dataclass
class ServeConfig:
    """What ``ktui lab serve`` was asked for (see its usage)."""

    state_dir: Path
    catalogue: Catalogue
    listen: str = "0.0.0.0"
    port: int = 2222
    auth: str = "open"
    roster: Roster | None = None
    tokens: Tokens | None = None
    max_sessions: int = 40
    max_per_learner: int = 1
    rate: int = 30
    """Connections per address per minute."""
    idle_timeout: float = 1800.0
    session_timeout: float = 4 * 3600.0
    warn_before: float = 60.0
    memory: int = 1024 * 1024 * 1024
    """Address space per session process (RLIMIT_AS), bytes."""
    labs_dir: Path | None = None
    host_key: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
