"""Pod volumes as the kubelet's volume manager sets them up (the file system a container sees: filesystem.py).

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

from dataclasses import dataclass, field
from typing import Any, Callable

from ktui.components.kubelet.pod_values import SourceError, decode_secret_value, downward_value, resource_value

__all__ = [
    "PodVolumes",
    "Volume",
    "build_volume",
    "needs_allocatable",
    "refresh_volume",
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
