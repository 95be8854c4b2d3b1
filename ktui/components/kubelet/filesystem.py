"""The file system a container sees: its own files overlaid by its volume mounts (kubelet ``makeMounts``)."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass

from ktui.components.kubelet.pod_values import SourceError
from ktui.components.kubelet.volumes import ATOMIC_KINDS, DEFAULT_MODE, Volume

__all__ = ["FileSystem", "Mount", "ReadOnlyFileSystem", "container_mounts"]


class ReadOnlyFileSystem(OSError):
    """A write to a read-only mount."""


@dataclass
class Mount:
    """``volumeMounts[]`` entry of one container, bound to the pod's volume."""

    path: str
    volume: Volume
    sub_path: str = ""
    read_only: bool = False

    @property
    def is_file(self) -> bool:
        return bool(self.sub_path) and self.sub_path in self.volume.files


def container_mounts(spec_c: dict, volumes: dict[str, Volume]) -> list[Mount]:
    """The mounts of one container (kubelet ``makeMounts``).

    Raises:
        SourceError: a mount names a volume the pod does not have.
    """
    out: list[Mount] = []
    for m in spec_c.get("volumeMounts") or []:
        vol = volumes.get(m.get("name", ""))
        if vol is None:
            raise SourceError(
                f'cannot find volume "{m.get("name", "")}" to mount into container "{spec_c.get("name", "")}"'
            )
        sub = (m.get("subPath") or "").strip("/")
        if sub and vol.kind in ATOMIC_KINDS:  # a subPath is a bind mount of what is there now: never refreshed
            files = {k: v for k, v in vol.files.items() if k == sub or k.startswith(sub + "/")}
            vol = Volume(vol.name, vol.kind, files, {k: vol.modes.get(k, DEFAULT_MODE) for k in files})
        path = "/" + (m.get("mountPath") or "").strip("/")
        out.append(Mount(path, vol, sub, bool(m.get("readOnly")) or vol.read_only))
    return out


_NO_MOUNTS: list[Mount] = []
"""The mounts of a file system without any (shared by all of them; never changed)."""


class FileSystem(MutableMapping):
    """A container's files: its own (path -> text) overlaid by its mounts (the longest mount path wins).

    Behaves as the plain dict it replaces; ``is_dir``, ``mode`` and ``writable`` answer what a dict cannot.
    """

    def __init__(self, files: dict[str, str] | None = None, mounts: list[Mount] | None = None) -> None:
        self.files: dict[str, str] = dict(files or {})
        self.mounts: list[Mount] = _NO_MOUNTS
        """The mounts, longest path first (a new list at each mount: the empty one is shared)."""
        for m in mounts or []:
            self.add_mount(m)

    def add_mount(self, mount: Mount) -> None:
        self.mounts = sorted([*self.mounts, mount], key=lambda m: -len(m.path))

    def _locate(self, path: str) -> tuple[Mount | None, str]:
        for m in self.mounts:
            if path == m.path or path.startswith(m.path.rstrip("/") + "/"):
                rel = path[len(m.path) :].strip("/")
                if m.sub_path:
                    rel = f"{m.sub_path}/{rel}" if rel else m.sub_path
                return m, rel
        return None, path

    def __getitem__(self, path: str) -> str:
        m, rel = self._locate(path)
        if m is None:
            return self.files[path]
        return m.volume.files[rel]

    def __setitem__(self, path: str, value: str) -> None:
        m, rel = self._locate(path)
        if m is None:
            self.files[path] = value
        elif m.read_only:
            raise ReadOnlyFileSystem(path)
        else:
            m.volume.files[rel] = value

    def __delitem__(self, path: str) -> None:
        m, rel = self._locate(path)
        if m is None:
            del self.files[path]
        elif m.read_only:
            if rel in m.volume.files:
                raise ReadOnlyFileSystem(path)
            raise KeyError(path)
        else:
            del m.volume.files[rel]

    def __iter__(self) -> Iterator[str]:
        for path in list(self.files):
            if self._locate(path)[0] is None:
                yield path
        for m in sorted(self.mounts, key=lambda m: m.path):
            for rel in list(m.volume.files):
                if not m.sub_path:
                    full = f"{m.path.rstrip('/')}/{rel}"
                elif rel == m.sub_path:
                    full = m.path
                elif rel.startswith(m.sub_path + "/"):
                    full = f"{m.path.rstrip('/')}/{rel[len(m.sub_path) + 1 :]}"
                else:
                    continue
                if self._locate(full)[0] is m:
                    yield full

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, str):
            return False
        m, rel = self._locate(path)
        return path in self.files if m is None else rel in m.volume.files

    def __repr__(self) -> str:
        return f"FileSystem({dict(self.items())!r})"

    def is_dir(self, path: str) -> bool:
        """A mount point, a directory above one, or a directory holding files."""
        path = "/" + path.strip("/")
        if path == "/":
            return True
        for m in self.mounts:
            if m.path == path:
                return not m.is_file
            if m.path.startswith(path + "/"):
                return True
        prefix = path + "/"
        return any(k.startswith(prefix) for k in self)

    def writable(self, path: str) -> bool:
        m, _ = self._locate(path)
        return m is None or not m.read_only

    def mode(self, path: str) -> int | None:
        """The file's permission bits (None when there is no such file)."""
        m, rel = self._locate(path)
        if m is None:
            return 0o644 if path in self.files else None
        if rel not in m.volume.files:
            return None
        return m.volume.modes.get(rel, DEFAULT_MODE if m.volume.kind in ATOMIC_KINDS else 0o644)
