"""Pod volumes as the kubelet's volume manager sets them up, and the file system a container sees.

A volume's contents are a dict (path inside the volume -> text) that every container mounting it shares, so an
``emptyDir`` written by one container is read by the next. ``configMap``, ``secret``, ``downwardAPI`` and
``projected`` volumes are built from API objects the way pkg/volume/{configmap,secret,downwardapi,projected}
``MakePayload`` does (keys become files, ``items`` map a key to a path, ``defaultMode``/``mode``) and, as
there, are mounted read-only and refreshed in place by the kubelet's periodic sync (except under ``subPath``).

Errors carry the kubelet's messages: the watch-based object cache's ``configmap "x" not found`` /
``secret "x" not found``, ``configmap references non-existent config key: k``, ``references non-existent secret
key: k``; the pod worker wraps them as ``MountVolume.SetUp failed for volume "v" : <error>``.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import Any, Callable

from ktui.api.quantity import parse_quantity

__all__ = [
    "FileSystem",
    "Mount",
    "PodVolumes",
    "ReadOnlyFileSystem",
    "SourceError",
    "Volume",
    "build_volume",
    "container_mounts",
    "decode_secret_value",
    "downward_value",
    "format_map",
    "needs_allocatable",
    "refresh_volume",
    "resource_value",
    "ATOMIC_KINDS",
]

DEFAULT_MODE = 0o644
ATOMIC_KINDS = ("configMap", "secret", "downwardAPI", "projected")
"""Volumes written by the kubelet's atomic writer: read-only in the container, refreshed by the kubelet."""

INITIAL_RETRY = 0.5
MAX_RETRY = 122.0
"""nestedpendingoperations' exponential back-off between failed mounts: 500ms doubling to 2m2s."""

Lookup = Callable[[str, str], "dict | None"]
"""``lookup(resource, name)``: the object in the pod's namespace, None when it does not exist."""


class SourceError(Exception):
    """A volume or environment source the kubelet could not resolve; the text is the kubelet's error."""


class ReadOnlyFileSystem(OSError):
    """A write to a read-only mount."""


# ------------------------------------------------------------------ values


def decode_secret_value(value: Any) -> str:
    """A Secret's ``data`` value (base64) as the text a container reads."""
    try:
        raw = base64.b64decode(str(value or ""), validate=False)
    except (ValueError, TypeError):
        return ""
    return raw.decode("utf-8", errors="replace")


def _go_quote(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def format_map(m: dict[str, str]) -> str:
    """pkg/fieldpath ``FormatMap``: ``key="value"`` lines in key order, no trailing newline."""
    return "\n".join(f"{k}={_go_quote(str(m[k]))}" for k in sorted(m))


def downward_value(path: str, pod: dict) -> str:
    """A downwardAPI volume item's ``fieldRef`` (metadata only, as the volume plugin allows)."""
    md = pod.get("metadata") or {}
    if path == "metadata.labels":
        return format_map(md.get("labels") or {})
    if path == "metadata.annotations":
        return format_map(md.get("annotations") or {})
    for kind in ("labels", "annotations"):
        prefix = f"metadata.{kind}['"
        if path.startswith(prefix) and path.endswith("']"):
            return str((md.get(kind) or {}).get(path[len(prefix) : -2], ""))
    return {
        "metadata.name": md.get("name", ""),
        "metadata.namespace": md.get("namespace", ""),
        "metadata.uid": md.get("uid", ""),
    }.get(path, "")


def resource_value(ref: dict, pod: dict, container: dict | None, allocatable: dict[str, str]) -> str:
    """A ``resourceFieldRef``: pkg/api/v1/resource ``ExtractContainerResourceValue`` after the kubelet's
    ``defaultPodLimitsForDownwardAPI`` (an unset cpu/memory/ephemeral-storage limit is the node's allocatable).

    Raises:
        SourceError: an unknown resource or container.
    """
    name = ref.get("containerName") or ""
    if name:
        spec = pod.get("spec") or {}
        container = next(
            (c for c in (spec.get("containers") or []) + (spec.get("initContainers") or []) if c.get("name") == name),
            None,
        )
        if container is None:
            raise SourceError(f"container {name} not found")
    resources = (container or {}).get("resources") or {}
    limits = dict(resources.get("limits") or {})
    for key in ("cpu", "memory", "ephemeral-storage"):
        if key not in limits and allocatable.get(key):
            limits[key] = allocatable[key]
    requests = resources.get("requests") or {}
    resource = ref.get("resource", "")
    divisor_text = ref.get("divisor")
    divisor = parse_quantity(str(divisor_text)) if divisor_text not in (None, "", "0", 0) else 1
    if not divisor:
        divisor = 1
    kind, _, res = resource.partition(".")
    table = {"limits": limits, "requests": requests}.get(kind)
    if table is None or not (res in ("cpu", "memory", "ephemeral-storage") or res.startswith("hugepages-")):
        raise SourceError(f"unsupported container resource : {resource}")
    value = parse_quantity(str(table[res])) if table.get(res) not in (None, "") else 0
    if res == "cpu":  # MilliValue() / divisor.MilliValue(), rounded up
        milli = math.ceil(value * 1000)
        return str(math.ceil(milli / max(1, math.ceil(divisor * 1000))))
    return str(math.ceil(math.ceil(value) / max(1, math.ceil(divisor))))


# ------------------------------------------------------------------ volume contents


@dataclass
class Volume:
    """One pod volume as the kubelet set it up: its files (relative path -> text) and their modes."""

    name: str
    kind: str
    files: dict[str, str] = field(default_factory=dict)
    modes: dict[str, int] = field(default_factory=dict)

    @property
    def read_only(self) -> bool:
        return self.kind in ATOMIC_KINDS

    def replace(self, files: dict[str, str], modes: dict[str, int]) -> None:
        """New contents, in place (containers hold this volume's dicts)."""
        self.files.clear()
        self.files.update(files)
        self.modes.clear()
        self.modes.update(modes)


Payload = dict[str, tuple[str, int]]


def _mode(value: Any, default: int) -> int:
    return int(value) if value is not None else default


def _configmap_payload(items: list[dict] | None, cm: dict | None, default_mode: int, optional: bool) -> Payload:
    data = dict((cm or {}).get("data") or {})
    for k, v in ((cm or {}).get("binaryData") or {}).items():
        data.setdefault(k, decode_secret_value(v))
    out: Payload = {}
    if not items:
        for k in sorted(data):
            out[k] = (str(data[k]), default_mode)
        return out
    for ktp in items:
        key = ktp.get("key", "")
        if key not in data:
            if optional:
                continue
            raise SourceError(f"configmap references non-existent config key: {key}")
        out[ktp.get("path") or key] = (str(data[key]), _mode(ktp.get("mode"), default_mode))
    return out


def _secret_payload(items: list[dict] | None, secret: dict | None, default_mode: int, optional: bool) -> Payload:
    data = {k: decode_secret_value(v) for k, v in ((secret or {}).get("data") or {}).items()}
    out: Payload = {}
    if not items:
        for k in sorted(data):
            out[k] = (data[k], default_mode)
        return out
    for ktp in items:
        key = ktp.get("key", "")
        if key not in data:
            if optional:
                continue
            raise SourceError(f"references non-existent secret key: {key}")
        out[ktp.get("path") or key] = (data[key], _mode(ktp.get("mode"), default_mode))
    return out


def _downward_payload(items: list[dict] | None, pod: dict, default_mode: int, allocatable: dict[str, str]) -> Payload:
    out: Payload = {}
    for item in items or []:
        path = item.get("path", "")
        if item.get("fieldRef"):
            text = downward_value(item["fieldRef"].get("fieldPath", ""), pod)
        elif item.get("resourceFieldRef"):
            text = resource_value(item["resourceFieldRef"], pod, None, allocatable)
        else:
            continue
        out[path] = (text, _mode(item.get("mode"), default_mode))
    return out


def _get(lookup: Lookup, resource: str, name: str, optional: bool) -> dict | None:
    obj = lookup(resource, name)
    if obj is None and not optional:
        raise SourceError(f'{"configmap" if resource == "configmaps" else "secret"} "{name}" not found')
    return obj


def _payload(spec: dict, pod: dict, lookup: Lookup, allocatable: dict[str, str]) -> tuple[str, Payload]:
    if "configMap" in spec:
        src = spec["configMap"] or {}
        optional = bool(src.get("optional"))
        cm = _get(lookup, "configmaps", src.get("name", ""), optional)
        return "configMap", _configmap_payload(
            src.get("items"), cm, _mode(src.get("defaultMode"), DEFAULT_MODE), optional
        )
    if "secret" in spec:
        src = spec["secret"] or {}
        optional = bool(src.get("optional"))
        secret = _get(lookup, "secrets", src.get("secretName", ""), optional)
        return "secret", _secret_payload(
            src.get("items"), secret, _mode(src.get("defaultMode"), DEFAULT_MODE), optional
        )
    if "downwardAPI" in spec:
        src = spec["downwardAPI"] or {}
        return "downwardAPI", _downward_payload(
            src.get("items"), pod, _mode(src.get("defaultMode"), DEFAULT_MODE), allocatable
        )
    if "projected" in spec:
        src = spec["projected"] or {}
        default_mode = _mode(src.get("defaultMode"), DEFAULT_MODE)
        out: Payload = {}
        errors: list[str] = []
        for source in src.get("sources") or []:
            try:
                if source.get("configMap") is not None:
                    s = source["configMap"]
                    optional = bool(s.get("optional"))
                    cm = _get(lookup, "configmaps", s.get("name", ""), optional)
                    out.update(_configmap_payload(s.get("items"), cm, default_mode, optional))
                elif source.get("secret") is not None:
                    s = source["secret"]
                    optional = bool(s.get("optional"))
                    secret = _get(lookup, "secrets", s.get("name", ""), optional)
                    out.update(_secret_payload(s.get("items"), secret, default_mode, optional))
                elif source.get("downwardAPI") is not None:
                    out.update(_downward_payload(source["downwardAPI"].get("items"), pod, default_mode, allocatable))
            except SourceError as e:
                if str(e) not in errors:
                    errors.append(str(e))
        if errors:  # utilerrors.NewAggregate
            raise SourceError(errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]")
        return "projected", out
    if "emptyDir" in spec:
        return "emptyDir", {}
    kind = next((k for k in spec if k != "name"), "emptyDir")
    return kind, {}


def needs_allocatable(volumes: list[dict]) -> bool:
    """Whether a downwardAPI item (plain or projected) reads a container resource."""
    for v in volumes:
        items = list(((v.get("downwardAPI") or {}).get("items")) or [])
        for src in (v.get("projected") or {}).get("sources") or []:
            items += (src.get("downwardAPI") or {}).get("items") or []
        if any(i.get("resourceFieldRef") for i in items):
            return True
    return False


def build_volume(spec: dict, pod: dict, lookup: Lookup, allocatable: dict[str, str]) -> Volume:
    """Set up one entry of ``pod.spec.volumes``.

    Raises:
        SourceError: the kubelet's error (the object or a key is missing, the API cannot be reached).
    """
    kind, payload = _payload(spec, pod, lookup, allocatable)
    return Volume(
        spec.get("name", ""), kind, {p: t for p, (t, _) in payload.items()}, {p: m for p, (_, m) in payload.items()}
    )


def refresh_volume(vol: Volume, spec: dict, pod: dict, lookup: Lookup, allocatable: dict[str, str]) -> bool:
    """Rebuild an atomic-writer volume in place; True when its contents changed."""
    fresh = build_volume(spec, pod, lookup, allocatable)
    if fresh.files == vol.files and fresh.modes == vol.modes:
        return False
    vol.replace(fresh.files, fresh.modes)
    return True


# ------------------------------------------------------------------ the pod's volumes


class PodVolumes:
    """What the volume manager has mounted for one pod, and when each failed volume may be retried."""

    built: "dict[str, _Built] | None" = None  # (also for a pod's volumes saved before there was one)
    reads_allocatable: tuple[list, bool] | None = None
    """The pod's very volumes list, and whether a downward API item of it reads a container resource."""

    def __init__(self) -> None:
        self.mounted: dict[str, Volume] = {}
        self.retry_at: dict[str, float] = {}
        self.backoff: dict[str, float] = {}
        self.refresh_scheduled = False
        self.built = None
        """What each volume's last rebuild read (by volume name), when it succeeded."""

    def pending(self, pod: dict) -> list[dict]:
        return [v for v in (pod.get("spec") or {}).get("volumes") or [] if v.get("name") not in self.mounted]

    def mount(
        self, pod: dict, lookup: Lookup, allocatable: dict[str, str], now: float
    ) -> tuple[list[tuple[str, str]], float | None]:
        """Try every unmounted volume whose back-off has passed.

        Returns:
            (failures as (volume name, error), the earliest time a pending volume may be retried or None).
        """
        failures: list[tuple[str, str]] = []
        for spec in self.pending(pod):
            name = spec.get("name", "")
            if now < self.retry_at.get(name, -1.0):
                continue
            try:
                self.mounted[name] = build_volume(spec, pod, lookup, allocatable)
                self.retry_at.pop(name, None)
                self.backoff.pop(name, None)
            except SourceError as e:
                delay = min(MAX_RETRY, self.backoff[name] * 2) if name in self.backoff else INITIAL_RETRY
                self.backoff[name] = delay
                self.retry_at[name] = now + delay
                failures.append((name, str(e)))
        waits = [self.retry_at[v.get("name", "")] for v in self.pending(pod) if v.get("name", "") in self.retry_at]
        return failures, (min(waits) if waits else None)

    def refreshable(self) -> bool:
        return any(v.kind in ATOMIC_KINDS for v in self.mounted.values())

    def refresh(self, pod: dict, lookup: Lookup, allocatable: dict[str, str]) -> list[tuple[str, str]]:
        """Rebuild the atomic-writer volumes (the kubelet's remount on resync); failures keep the old contents.

        Every read is made, in the same order; a volume built last time from this very spec and pod, the
        same allocatable resources, and reads that answer the very objects they answered then, holds what
        a rebuild would make, and is not rebuilt."""
        failures: list[tuple[str, str]] = []
        for spec in (pod.get("spec") or {}).get("volumes") or []:
            vol = self.mounted.get(spec.get("name", ""))
            if vol is None or vol.kind not in ATOMIC_KINDS:
                continue
            made: list[tuple[str, str, Any]] = []  # the reads made checking, in order: (resource, name, answer)
            last = self.built.get(vol.name) if self.built is not None else None
            if last is not None and last.matches(vol, spec, pod, allocatable) and last.reads_again(lookup, made):
                continue
            reads = _Reads(made, lookup)
            try:
                refresh_volume(vol, spec, pod, reads.lookup, allocatable)
            except SourceError as e:
                failures.append((vol.name, str(e)))
                if self.built is not None:
                    self.built.pop(vol.name, None)
                continue
            if self.built is None:
                self.built = {}
            self.built[vol.name] = _Built(vol, spec, pod, dict(allocatable), reads.done)
        return failures


class _Built:
    """What one refresh of a volume read: its very spec, pod and reads' answers, and the allocatable."""

    __slots__ = ("allocatable", "pod", "reads", "spec", "volume")

    def __init__(self, volume: Volume, spec: dict, pod: dict, allocatable: dict, reads: list) -> None:
        self.volume, self.spec, self.pod, self.allocatable, self.reads = volume, spec, pod, allocatable, reads

    def matches(self, volume: Volume, spec: dict, pod: dict, allocatable: dict) -> bool:
        return self.volume is volume and self.spec is spec and self.pod is pod and self.allocatable == allocatable

    def reads_again(self, lookup: Lookup, made: list[tuple[str, str, Any]]) -> bool:
        """Make the same reads in order (into ``made``), stopping at the first whose answer is another."""
        for resource, name, answer in self.reads:
            try:
                obj = lookup(resource, name)
            except SourceError as e:
                made.append((resource, name, e))
                return False
            made.append((resource, name, obj))
            if obj is not answer:
                return False
        return True


class _Reads:
    """A lookup that answers first the reads already made (raising what they raised), then reads; and
    keeps every answer, in order."""

    def __init__(self, made: list[tuple[str, str, Any]], lookup: Lookup) -> None:
        self.made, self.real = made, lookup
        self.done: list[tuple[str, str, Any]] = []

    def lookup(self, resource: str, name: str) -> dict | None:
        i = len(self.done)
        if i < len(self.made) and self.made[i][:2] == (resource, name):
            answer = self.made[i][2]
            self.done.append((resource, name, answer))
            if isinstance(answer, SourceError):
                raise answer
            return answer  # type: ignore[no-any-return]
        try:
            obj = self.real(resource, name)
        except SourceError as e:
            self.done.append((resource, name, e))
            raise
        self.done.append((resource, name, obj))
        return obj


# ------------------------------------------------------------------ a container's file system


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
