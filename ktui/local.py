"""The user's local cluster: kept on disk between commands, moved on by the real time that passed.

``ktui kubectl ...`` and the UI open the same cluster. One process holds it at a time (an advisory lock);
another one is told so instead of writing beside it.

On disk, under :func:`data_dir`: ``cluster.json`` (the state document of :mod:`ktui.state`: spec, recorded
inputs, clock and a snapshot of the world — data only), ``cluster.json.bak`` (the state before the last save:
the last good state), ``lock``. Every write is atomic (a temporary file, fsync, rename), so a kill at any
moment leaves a loadable state. A state that cannot be loaded is never overwritten silently: the error says
what is wrong and how to recover (``ktui cluster restore-backup``, ``ktui cluster reset``); a reset keeps the
unreadable file as ``cluster.json.broken``.
"""

from __future__ import annotations

import datetime as _dt
import errno
import fcntl
import math
import os
import time
from pathlib import Path
from typing import Any

from ktui.cluster import Cluster
from ktui.clusterspec import DEFAULT_SPEC, load_spec
from ktui.remote import data_dir
from ktui.state import (
    InputEncoder,
    StateError,
    decode_state,
    dumps_json,
    encode_state,
    snapshot_text,
    state_header,
    write_atomic,
)

__all__ = [
    "LocalCluster",
    "LocalClusterError",
    "LocalStateError",
    "ClusterBusy",
    "data_dir",
    "MAX_CATCH_UP_SECONDS",
    "MAX_ADVANCE_PER_COMMAND",
]

MAX_CATCH_UP_SECONDS = 3600.0
"""At most this much simulated time is added for the real time between two commands (an idle cluster
that was left for a day moves on one hour), so that opening it stays fast."""

MAX_ADVANCE_PER_COMMAND = 24 * 3600.0
"""``ktui cluster advance`` moves the clock on by at most a day per command: every simulated hour of the local
cluster is replayed each time it is opened (see :mod:`ktui.state`)."""

SNAPSHOT_EVERY_STEPS = 20_000
"""A save takes a new snapshot of the world when replaying from the last one would run more kernel events than
this (about a second; an idle built-in cluster runs 20,000 in a simulated hour)."""


class LocalClusterError(RuntimeError):
    """The local cluster cannot be opened or saved; the message says why and what to do."""


class ClusterBusy(LocalClusterError):
    """Another process holds the local cluster."""


class LocalStateError(LocalClusterError):
    """The local cluster's files cannot be read or written."""


def _os_problem(e: OSError) -> str:
    return e.strerror or str(e)


class LocalCluster:
    """Open, save and reset the cluster under :func:`data_dir`. Use as a context manager::

        with LocalCluster() as local:
            local.cluster.api.get("pods", "x")

    Raises (from ``with``, :meth:`lock`, :meth:`save`, :meth:`restore_backup`):
        ClusterBusy: another process holds the cluster.
        LocalStateError: the files cannot be read or written, or the state cannot be loaded.
    """

    def __init__(self, home: Path | None = None, *, catch_up: bool = True) -> None:
        self.home = home or data_dir()
        self.catch_up = catch_up
        self.cluster: Cluster | None = None
        self._lock_file: Any = None
        self._disk_good: bool | None = None
        """Whether the state file on disk is known to load (None: not looked at)."""
        self._encoder = InputEncoder()
        self._snapshot: tuple[Any, int, Any, int, float, str] | None = None
        """The snapshot the next save writes: (its cluster, inputs before it, the last of them, steps, time, JSON
        text)."""

    @property
    def state_path(self) -> Path:
        return self.home / "cluster.json"

    @property
    def backup_path(self) -> Path:
        return self.home / "cluster.json.bak"

    @property
    def broken_path(self) -> Path:
        return self.home / "cluster.json.broken"

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

    def _home_error(self, e: OSError, doing: str) -> LocalStateError:
        if isinstance(e, (FileExistsError, NotADirectoryError)) and not self.home.is_dir():
            return LocalStateError(
                f"{self.home} is a file, not a directory, so the local cluster cannot be kept "
                "there; move that file away, or set KTUI_HOME to a directory"
            )
        if isinstance(e, PermissionError):
            return LocalStateError(
                f"cannot {doing} in {self.home}: {_os_problem(e)}; give your user read and "
                "write access to that directory (or set KTUI_HOME to another one)"
            )
        return LocalStateError(f"cannot {doing} in {self.home}: {_os_problem(e)}")

    def lock(self) -> None:
        lock_path = self.home / "lock"
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            if lock_path.is_dir():
                raise LocalStateError(
                    f"the lock file {lock_path} is a directory; remove it (rmdir {lock_path}) and try again"
                )
            f = open(lock_path, "a+")
        except OSError as e:
            raise self._home_error(e, "open the local cluster") from None
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "another process"
            f.close()
            raise ClusterBusy(
                f"the local cluster in {self.home} is in use by {holder}; "
                "close it there first (or set KTUI_HOME to use another one)"
            ) from None
        f.seek(0)
        f.truncate()
        f.write(f"ktui (pid {os.getpid()})")
        f.flush()
        self._lock_file = f
        for stale in self.home.glob(".cluster.json*.tmp"):  # left by a process killed while it wrote
            try:
                stale.unlink()
            except OSError:
                pass

    def unlock(self) -> None:
        if self._lock_file is not None:
            try:
                self._lock_file.seek(0)
                self._lock_file.truncate()
            except OSError:
                pass
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    # ---------------------------------------------------------------- state

    def _read(self, path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None
        except IsADirectoryError:
            raise LocalStateError(
                f"the local cluster's state {path} cannot be loaded: it is a directory, not a "
                f"file.\nMove it away (mv {path} {path}.dir) and try again"
            ) from None
        except OSError as e:
            raise self._home_error(e, f"read {path.name}") from None

    def _describe_backup(self) -> str:
        try:
            head = state_header(self.backup_path.read_bytes())
        except (OSError, StateError):
            return ""
        saved = head.get("savedAt")
        when = ""
        if type(saved) in (int, float) and math.isfinite(saved):  # type: ignore[arg-type]
            when = _dt.datetime.fromtimestamp(saved, _dt.timezone.utc).strftime(" (saved %Y-%m-%d %H:%M:%S UTC)")  # type: ignore[arg-type]
        return when or " "

    def _unusable(self, path: Path, what: str, reason: str = "corrupt") -> str:
        lines = [f"the local cluster's state {path} cannot be loaded: {what}."]
        backup = self._describe_backup() if path == self.state_path else ""
        if backup:
            lines.append(f"To go back to the last good state{backup.rstrip()}: ktui cluster restore-backup")
        if reason == "version":
            lines.append(
                f"To start afresh with this ktui: ktui cluster reset (the old state is kept as {self.broken_path.name})"
            )
        else:
            lines.append(
                f"To start afresh: ktui cluster reset (the unreadable file is kept as {self.broken_path.name})"
            )
        return "\n".join(lines)

    def _decode(self, path: Path, data: bytes) -> tuple[Cluster, dict[str, Any]]:
        try:
            head = state_header(data)
            return decode_state(head, Cluster), head
        except StateError as e:
            if e.reason != "version" and (self.home / "cluster.pickle").exists():
                raise LocalStateError(
                    self._unusable(
                        path,
                        "the local cluster was saved by an older ktui in the pickle format, which this ktui "
                        "does not load (loading a pickle can run any code)",
                        "version",
                    )
                ) from None
            raise LocalStateError(self._unusable(path, str(e), e.reason)) from None
        except RecursionError:
            raise LocalStateError(self._unusable(path, "it is nested too deeply")) from None
        except Exception as e:  # noqa: BLE001 - a state that breaks the replay is unusable, not a crash
            raise LocalStateError(self._unusable(path, f"replaying it failed ({type(e).__name__}: {e})")) from None

    def _load(self) -> Cluster:
        data = self._read(self.state_path)
        if data is None:
            if (self.home / "cluster.pickle").exists():
                raise LocalStateError(
                    self._unusable(
                        self.home / "cluster.pickle",
                        "it is in the pickle format of an older ktui, which this ktui "
                        "does not load (loading a pickle can run any code)",
                        "version",
                    )
                )
            return self.reset()
        cluster, head = self._decode(self.state_path, data)
        self._disk_good = True
        snap = head.get("snapshot")
        if snap is not None:  # written again by the next save, unless a newer one is due
            k = snap["inputs"]
            inputs = cluster.history.inputs
            self._snapshot = (cluster, k, inputs[k - 1] if k else None, snap["steps"], snap["now"], dumps_json(snap))
        saved = head.get("savedAt")
        if self.catch_up and type(saved) in (int, float) and math.isfinite(saved):  # type: ignore[arg-type]
            elapsed = max(0.0, time.time() - float(saved))  # type: ignore[arg-type]  # a shell may read the wall clock
            cluster.advance(min(elapsed, MAX_CATCH_UP_SECONDS))
        return cluster

    def _keep_current_as_backup(self) -> None:
        """Before a save: the state on disk becomes the backup if it is good, else it is kept as ``.broken``."""
        if not self.state_path.is_file():
            return
        if self._disk_good is None:
            current = self.state_path.read_bytes()
            try:
                state_header(current)
            except StateError:
                write_atomic(self.broken_path, current)  # a copy: a state file exists at every moment
                return
        if self.backup_path.is_file() and os.path.samefile(self.state_path, self.backup_path):
            return  # already the backup (a save was cut short between the two renames)
        tmp = self.home / f".{self.backup_path.name}.{os.getpid()}.tmp"
        try:
            tmp.unlink(missing_ok=True)
            os.link(self.state_path, tmp)  # the old file itself: no copy, and always complete
            os.replace(tmp, self.backup_path)
        except OSError as e:
            if e.errno not in (errno.EXDEV, errno.EPERM, errno.EOPNOTSUPP, errno.EMLINK):
                raise
            write_atomic(self.backup_path, self.state_path.read_bytes())

    def _current_snapshot(self) -> str | None:
        """The snapshot to save: the last one while it is on the present history and recent enough, else a new one."""
        assert self.cluster is not None
        inputs, steps_now, now_ = self.cluster.history.inputs, self.cluster.steps, self.cluster.now
        snap = self._snapshot
        if snap is not None:
            of, k, last, steps, now, text = snap
            # Still a point of the present history: the inputs before it are the same, none after it comes before
            # it (a rewind to before the snapshot and a new input make another history), and the world is past it.
            on_history = (
                of is self.cluster
                and len(inputs) >= k
                and (k == 0 or inputs[k - 1] is last)
                and (len(inputs) == k or (inputs[k].steps >= steps and inputs[k].now >= now))
                and steps_now >= steps
                and now_ >= now
            )
            if on_history and steps_now - steps <= SNAPSHOT_EVERY_STEPS:
                return text
        try:
            text = snapshot_text(self.cluster)
        except TypeError:  # something in the world has no data form: saved without a snapshot, loaded by replay
            return None
        self._snapshot = (self.cluster, len(inputs), inputs[-1] if inputs else None, steps_now, now_, text)
        return text

    def save(self) -> None:
        """Write the cluster (cheap enough to call every few seconds: inputs already written are reused, and a new
        snapshot of the world is taken only every ``SNAPSHOT_EVERY_STEPS`` kernel events)."""
        assert self.cluster is not None
        data = encode_state(
            self.cluster, saved_at=time.time(), encoder=self._encoder, snapshot=self._current_snapshot()
        ).encode()
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            self._keep_current_as_backup()
            write_atomic(self.state_path, data)
        except OSError as e:
            raise LocalStateError(
                f"cannot save the local cluster to {self.state_path}: {_os_problem(e)}; "
                "the state saved before is unchanged"
            ) from None
        self._disk_good = True

    def reset(self, seed: int | None = None, spec_file: str | None = None) -> Cluster:
        """Start the local cluster afresh (the built-in cluster unless a spec file is given)."""
        spec = load_spec(spec_file) if spec_file else dict(DEFAULT_SPEC)
        if seed is not None:
            spec["seed"] = seed
        self.cluster = Cluster(spec)
        self._snapshot = None
        return self.cluster

    def restore_backup(self) -> Cluster:
        """Make the backup (the state before the last save) the local cluster again; the state it replaces is
        kept as ``cluster.json.broken``. Call with the lock held.

        Raises:
            LocalStateError: when there is no backup, or it cannot be loaded either.
        """
        data = self._read(self.backup_path)
        if data is None:
            raise LocalStateError(
                f"there is no backup of the local cluster in {self.home}; start afresh with: ktui cluster reset"
            )
        try:
            cluster = decode_state(state_header(data), Cluster)
        except StateError as e:
            raise LocalStateError(
                f"the backup {self.backup_path} cannot be loaded either: {e}.\nTo start afresh: ktui cluster reset"
            ) from None
        try:
            current = self.state_path.read_bytes() if self.state_path.is_file() else None
            if current is not None:
                write_atomic(self.broken_path, current)  # a copy: a state file exists at every moment
            write_atomic(self.state_path, data)
        except OSError as e:
            raise self._home_error(e, "restore the backup") from None
        self._disk_good = True
        self._snapshot = None
        self.cluster = cluster
        return cluster
