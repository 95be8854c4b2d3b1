"""The cells of each main-screen panel, built from kubectl's own columns plus what the panel adds.

Pure functions of an object, the feed's indexes and the simulated time: Pods as ``kubectl get pods -A -o wide``
(NAMESPACE NAME READY STATUS RESTARTS AGE IP NODE), Nodes as ``kubectl get nodes`` plus pods on the node and
CPU/memory requested against allocatable, Services as ``kubectl get svc -A`` plus the ENDPOINTS cell of
``kubectl get endpoints``, Namespaces as ``kubectl get ns`` plus quota usage.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Callable

from ktui.api.label_parser import parse_label_selector
from ktui.api.quantity import QuantityError, parse_quantity
from ktui.tui import kube

if TYPE_CHECKING:
    from ktui.tui.feed import FeedSnapshot

__all__ = ["Bar", "PanelSpec", "PANELS", "generic_spec", "matches_filter", "filter_error"]


@dataclass(frozen=True)
class Bar:
    """A requested-vs-allocatable cell: drawn as a small bar by the table."""

    used: float
    total: float
    label: str

    @property
    def fraction(self) -> float:
        return 0.0 if self.total <= 0 else min(1.0, self.used / self.total)

    def __str__(self) -> str:
        return self.label


Cell = "str | Bar"


@dataclass(frozen=True)
class PanelSpec:
    """One panel: the resource it lists, its headers, how to build a row, which cell carries the status."""

    plural: str
    title: str
    headers: tuple[str, ...]
    build: Callable[["FeedSnapshot", dict, float], list]
    status_column: str | None = None
    compact: tuple[str, ...] = ()
    """The headers shown on a narrow terminal (empty: all of them)."""


def _pick(plural: str, wide: bool, wanted: tuple[str, ...]) -> Callable[[dict, float], list[str]]:
    cols = kube.columns_for(plural, wide=wide)
    idx = [cols.index(h) for h in wanted]

    def cells(obj: dict, now: float) -> list[str]:
        row = kube.row_for(plural, obj, now, wide=wide)
        return [row[i] if i < len(row) else "" for i in idx]

    return cells


def _ns(obj: dict) -> str:
    return (obj.get("metadata") or {}).get("namespace", "")


_POD_COLS = ("NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE")
_NODE_COLS = ("NAME", "STATUS", "ROLES", "AGE", "VERSION")
_SVC_COLS = ("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)")
_NS_COLS = ("NAME", "STATUS", "AGE")


def _pods(feed: "FeedSnapshot", obj: dict, now: float) -> list:
    return [_ns(obj), *_pick("pods", True, _POD_COLS)(obj, now)]


def _quantity(v: object) -> float:
    return _quantity_text(v) if isinstance(v, str) else _parse_float(v)


@lru_cache(maxsize=1024)
def _quantity_text(v: str) -> float:
    """An allocatable quantity string as a float, remembered (nodes share a few distinct values)."""
    return _parse_float(v)


def _parse_float(v: object) -> float:
    try:
        return float(parse_quantity(v))
    except (QuantityError, TypeError, ValueError):
        return 0.0


def _cpu_label(cores: float) -> str:
    """CPU as a quantity prints: ``650m``, ``2``, ``0``."""
    milli = round(cores * 1000)
    return f"{milli // 1000}" if milli % 1000 == 0 else f"{milli}m"


def _mem_label(b: float) -> str:
    """Memory as a quantity prints: the largest binary unit that divides it (``100Mi``), else bytes."""
    n = int(round(b))
    for unit, size in (
        ("Ei", 1 << 60),
        ("Pi", 1 << 50),
        ("Ti", 1 << 40),
        ("Gi", 1 << 30),
        ("Mi", 1 << 20),
        ("Ki", 1 << 10),
    ):
        if n and n % size == 0:
            return f"{n // size}{unit}"
    return str(n)


def _requested(used: float, total: float, label: str) -> str:
    """``650m (32%)``: requests and their share of allocatable, as ``kubectl describe node`` prints them."""
    return f"{label} ({int(used / total * 100) if total > 0 else 0}%)"


def _nodes(feed: "FeedSnapshot", obj: dict, now: float) -> list:
    name = (obj.get("metadata") or {}).get("name", "")
    alloc = (obj.get("status") or {}).get("allocatable") or {}
    pods, cpu, mem = feed.node_usage.get(name, (0, 0.0, 0.0))
    max_pods = int(_quantity(alloc.get("pods", 0)))
    a_cpu, a_mem = _quantity(alloc.get("cpu", 0)), _quantity(alloc.get("memory", 0))
    return [
        *_pick("nodes", False, _NODE_COLS)(obj, now),
        f"{int(pods)}/{max_pods}",
        Bar(cpu, a_cpu, _requested(cpu, a_cpu, _cpu_label(cpu))),
        Bar(mem, a_mem, _requested(mem, a_mem, _mem_label(mem))),
    ]


def _services(feed: "FeedSnapshot", obj: dict, now: float) -> list:
    key = f"{_ns(obj)}/{(obj.get('metadata') or {}).get('name', '')}"
    ep = feed.objects["endpoints"].get(key)
    endpoints = "<none>"
    if ep is not None:
        cols = kube.columns_for("endpoints")
        endpoints = kube.row_for("endpoints", ep, now)[cols.index("ENDPOINTS")]
    return [_ns(obj), *_pick("services", False, _SVC_COLS)(obj, now), endpoints]


def _namespaces(feed: "FeedSnapshot", obj: dict, now: float) -> list:
    name = (obj.get("metadata") or {}).get("name", "")
    parts = []
    for _, quota in sorted(feed.quotas_by_ns.get(name, {}).items()):
        st = quota.get("status") or {}
        hard, used = st.get("hard") or (quota.get("spec") or {}).get("hard") or {}, st.get("used") or {}
        parts += [f"{r} {used.get(r, '0')}/{hard[r]}" for r in sorted(hard)]
    return [*_pick("namespaces", False, _NS_COLS)(obj, now), ", ".join(parts) or "-"]


PANELS: tuple[PanelSpec, ...] = (
    PanelSpec(
        "pods",
        "Pods",
        ("NAMESPACE", *_POD_COLS),
        _pods,
        "STATUS",
        compact=("NAME", "READY", "STATUS", "RESTARTS", "AGE"),
    ),
    PanelSpec(
        "nodes",
        "Nodes",
        (*_NODE_COLS, "PODS", "CPU", "MEMORY"),
        _nodes,
        "STATUS",
        compact=("NAME", "STATUS", "AGE", "PODS", "CPU", "MEMORY"),
    ),
    PanelSpec(
        "services",
        "Services",
        ("NAMESPACE", *_SVC_COLS, "ENDPOINTS"),
        _services,
        None,
        compact=("NAME", "TYPE", "CLUSTER-IP", "PORT(S)", "ENDPOINTS"),
    ),
    PanelSpec("namespaces", "Namespaces", (*_NS_COLS, "QUOTA"), _namespaces, "STATUS"),
)
"""The four main panels, in tab order."""


def generic_spec(plural: str, title: str, namespaced: bool) -> PanelSpec:
    """The panel of any other kind (``:deploy``, ``:cm``, ``:ev`` ...): exactly the columns of
    ``kubectl get <plural> -A`` (NAMESPACE first for a namespaced kind; dropped on a narrow terminal)."""
    cols = tuple(kube.columns_for(plural))

    def build(feed: "FeedSnapshot", obj: dict, now: float) -> list:
        cells = kube.row_for(plural, obj, now)
        return [_ns(obj), *cells] if namespaced else list(cells)

    status = "STATUS" if "STATUS" in cols else "TYPE" if plural == "events" else None
    return PanelSpec(plural, title, ("NAMESPACE", *cols) if namespaced else cols, build, status, compact=cols)


def _selector_text(text: str) -> str:
    """The selector after ``-l`` (``-l k=v``, or ``-l=k=v`` as kubectl also takes it)."""
    rest = text.strip()[2:].strip()
    return rest[1:].strip() if rest.startswith("=") and not rest.startswith("==") else rest


def matches_filter(text: str, obj: dict, cells: list) -> bool:
    """The ``/`` filter: a substring of any cell, or ``-l <selector>`` on the object's labels."""
    text = text.strip()
    if not text:
        return True
    if text.startswith("-l"):
        try:
            sel = parse_label_selector(_selector_text(text))
        except Exception:  # noqa: BLE001 - a half-typed selector shows nothing rather than crash
            return False
        return sel.matches((obj.get("metadata") or {}).get("labels") or {})
    needle = text.lower()
    return any(needle in str(c).lower() for c in cells)


def filter_error(text: str) -> str:
    """Why a ``-l`` filter is not a label selector (the API server's words), or "" when it is fine."""
    text = text.strip()
    if not text.startswith("-l"):
        return ""
    try:
        parse_label_selector(_selector_text(text))
    except Exception as exc:  # noqa: BLE001 - the parser's message is what the user needs
        return str(exc)
    return ""
