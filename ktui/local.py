"""The user's local cluster: kept on disk between commands, moved on by the real time that passed.

``ktui kubectl ...`` and the UI open the same cluster. One process holds it at a time (an advisory lock);
another one is told so instead of writing beside it.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path
from typing import Any

from ktui.cluster import Cluster
from ktui.clusterspec import DEFAULT_SPEC, load_spec

__all__ = ["LocalCluster", "ClusterBusy", "data_dir", "MAX_CATCH_UP_SECONDS"]

MAX_CATCH_UP_SECONDS = 3600.0
"""At most this much simulated time is added for the real time between two commands (an idle cluster
that was left for a day moves on one hour), so that opening it stays fast."""


KEEP_CHECKPOINTS = 3
"""Checkpoints kept on disk with the local cluster (each is a copy of the whole world)."""


class ClusterBusy(RuntimeError):
    """Another process holds the local cluster."""


def data_dir() -> Path:
    """``$KTUI_HOME``, else ``$XDG_DATA_HOME/ktui``, else ``~/.local/share/ktui``."""
    if os.environ.get("KTUI_HOME"):
        return Path(os.environ["KTUI_HOME"])
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "ktui"


class LocalCluster:
    """Open, save and reset the cluster under :func:`data_dir`. Use as a context manager::

        with LocalCluster() as local:
            local.cluster.api.get("pods", "x")
    """

    def __init__(self, home: Path | None = None, *, catch_up: bool = True) -> None:
        self.home = home or data_dir()
        self.catch_up = catch_up
        self.cluster: Cluster | None = None
        self._lock_file: Any = None

    @property
    def state_path(self) -> Path:
        return self.home / "cluster.pickle"

    @property
    def meta_path(self) -> Path:
        return self.home / "cluster.json"

    def __enter__(self) -> "LocalCluster":
        self.lock()
        try:
            self.cluster = self._load()
        except BaseException:
            self.unlock()
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            if self.cluster is not None:
                self.save()
        finally:
            self.unlock()

    # ---------------------------------------------------------------- locking

    def lock(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        f = open(self.home / "lock", "a+")
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "another process"
            f.close()
            raise ClusterBusy(f"the local cluster in {self.home} is in use by {holder}; "
                              "close it there first (or set KTUI_HOME to use another one)") from None
        f.seek(0)
        f.truncate()
        f.write(f"ktui (pid {os.getpid()})")
        f.flush()
        self._lock_file = f

    def unlock(self) -> None:
        if self._lock_file is not None:
            self._lock_file.seek(0)
            self._lock_file.truncate()
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    # ---------------------------------------------------------------- state

    def _load(self) -> Cluster:
        if not self.state_path.exists():
            return self.reset()
        with open(self.state_path, "rb") as f:
            cluster = Cluster.load(f)
        meta = json.loads(self.meta_path.read_text()) if self.meta_path.exists() else {}
        if self.catch_up and "saved_at" in meta:
            elapsed = max(0.0, time.time() - float(meta["saved_at"]))  # a shell may read the wall clock
            cluster.advance(min(elapsed, MAX_CATCH_UP_SECONDS))
        return cluster

    def save(self) -> None:
        assert self.cluster is not None
        self.home.mkdir(parents=True, exist_ok=True)
        tmp = self.state_path.with_suffix(".tmp")
        self.cluster._history.prune(KEEP_CHECKPOINTS)
        with open(tmp, "wb") as f:
            self.cluster.dump(f)
        os.replace(tmp, self.state_path)
        self.meta_path.write_text(json.dumps({"saved_at": time.time(), "now": self.cluster.now,
                                              "seed": self.cluster.seed, "name": self.cluster.name}))

    def reset(self, seed: int | None = None, spec_file: str | None = None) -> Cluster:
        """Start the local cluster afresh (the built-in cluster unless a spec file is given)."""
        spec = load_spec(spec_file) if spec_file else dict(DEFAULT_SPEC)
        if seed is not None:
            spec["seed"] = seed
        self.cluster = Cluster(spec)
        return self.cluster
