"""What every ``kubectl describe`` layout shares: Go's text/tabwriter, the prefix writer, labels, events.

kubectl writes a description through ``tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)``: tab-terminated cells
in consecutive lines form a column, padded to its widest cell plus two spaces; a line without that cell
ends the column block. :func:`tabwrite_go` is that algorithm.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from ktui.sim.timefmt import EPOCH, parse_rfc3339

__all__ = [
    "tabwrite_go",
    "Writer",
    "rfc1123z",
    "labels_multiline",
    "annotations_multiline",
    "events_section",
    "search_events",
    "tolerations_multiline",
    "smart_label",
    "name_and_namespace",
]

SKIP_ANNOTATIONS = {"kubectl.kubernetes.io/last-applied-configuration"}
MAX_ANNOTATION_LEN = 140


def _format(
    lines: list[list[str]], widths: list[int], line0: int, line1: int, out: list[str], minwidth: int, padding: int
) -> None:
    column = len(widths)
    this = line0
    while this < line1:
        if column >= len(lines[this]) - 1:
            this += 1
            continue
        _write(lines, widths, line0, this, out)
        line0 = this
        width = minwidth
        while this < line1 and column < len(lines[this]) - 1:
            width = max(width, len(lines[this][column]) + padding)
            this += 1
        widths.append(width)
        _format(lines, widths, line0, this, out, minwidth, padding)
        widths.pop()
        line0 = this
    _write(lines, widths, line0, line1, out)


def _write(lines: list[list[str]], widths: list[int], line0: int, line1: int, out: list[str]) -> None:
    for i in range(line0, line1):
        cells = lines[i]
        text = []
        for j, cell in enumerate(cells):
            text.append(cell.ljust(widths[j]) if j < len(widths) else cell)
        out.append("".join(text))


def tabwrite_go(text: str, minwidth: int = 0, padding: int = 2) -> str:
    """Go's ``text/tabwriter`` with space padding and no flags, applied to a whole text."""
    raw = text.split("\n")
    lines = [line.split("\t") for line in raw]
    out: list[str] = []
    _format(lines, [], 0, len(lines), out, minwidth, padding)
    return "\n".join(out)


class Writer:
    """kubectl's PrefixWriter: ``write(level, text)`` indents by two spaces per level."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, level: int, text: str) -> None:
        self.parts.append("  " * level + text)

    def text(self) -> str:
        return tabwrite_go("".join(self.parts))


def rfc1123z(ts: str | None) -> str:
    """``time.RFC1123Z``: ``Thu, 01 Jan 2026 00:00:05 +0000``."""
    if not ts:
        return "Mon, 01 Jan 0001 00:00:00 +0000"
    t = EPOCH + _dt.timedelta(seconds=parse_rfc3339(ts))
    return t.strftime("%a, %d %b %Y %H:%M:%S +0000")


def labels_multiline(w: Writer, title: str, labels: dict | None, initial: str = "", inner: str = "\t") -> None:
    """``printLabelsMultilineWithIndent``: ``key=value`` lines, sorted, or ``<none>``."""
    w.write(0, f"{initial}{title}:{inner}")
    if not labels:
        w.write(0, "<none>\n")
        return
    for i, k in enumerate(sorted(labels)):
        if i:
            w.write(0, initial + inner)
        w.write(0, f"{k}={labels[k]}\n")


def annotations_multiline(w: Writer, title: str, annotations: dict | None) -> None:
    """``printAnnotationsMultiline``: ``key: value``, long or multi-line values on their own lines."""
    w.write(0, f"{title}:\t")
    keys = sorted(k for k in (annotations or {}) if k not in SKIP_ANNOTATIONS)
    if not keys:
        w.write(0, "<none>\n")
        return
    for i, k in enumerate(keys):
        if i:
            w.write(0, "\t")
        value = str(annotations[k]).removesuffix("\n")  # type: ignore[index]
        if len(value) + len(k) + 2 > MAX_ANNOTATION_LEN or "\n" in value:
            w.write(0, f"{k}:\n")
            for s in value.split("\n"):
                short = s if len(s) <= MAX_ANNOTATION_LEN - 2 else s[: MAX_ANNOTATION_LEN - 2] + "..."
                w.write(0, f"\t  {short}\n")
        else:
            w.write(0, f"{k}: {value}\n")


def tolerations_multiline(w: Writer, title: str, tolerations: list[dict] | None, initial: str = "") -> None:
    """``printTolerationsMultilineWithIndent``: ``key=value:Effect op=Exists for 300s``, sorted by key."""
    w.write(0, f"{initial}{title}:\t")
    if not tolerations:
        w.write(0, "<none>\n")
        return
    for i, t in enumerate(sorted(tolerations, key=lambda t: t.get("key", ""))):
        if i:
            w.write(0, initial + "\t")
        text = t.get("key", "")
        if t.get("value"):
            text += "=" + t["value"]
        if t.get("effect"):
            text += ":" + t["effect"]
        if t.get("operator") == "Exists" and not t.get("value"):
            text += " op=Exists" if (t.get("key") or t.get("effect")) else "op=Exists"
        if t.get("tolerationSeconds") is not None:
            text += f" for {t['tolerationSeconds']}s"
        w.write(0, text + "\n")


def search_events(client: Any, obj: dict, uid: str | None = None) -> list[dict]:
    """The events about ``obj`` (``searchEvents``), by involvedObject name, namespace and uid."""
    md = obj.get("metadata") or {}
    ns = md.get("namespace", "")
    selector = (
        f"involvedObject.name={md.get('name', '')},involvedObject.namespace={ns},"
        f"involvedObject.uid={uid if uid is not None else md.get('uid', '')}"
    )
    try:
        return list(client.list("events", ns or None, field_selector=selector).get("items") or [])
    except Exception:  # noqa: BLE001 - describe shows what it can, as kubectl ignores event errors
        return []


def _event_time(e: dict) -> float:
    series = e.get("series") or {}
    ts = series.get("lastObservedTime") or e.get("lastTimestamp") or e.get("eventTime")
    return parse_rfc3339(ts) if ts else float("-inf")


def events_section(w: Writer, events: list[dict] | None, now: float) -> None:
    """``DescribeEvents``: the Events table, or ``Events:  <none>``."""
    from ktui.kubectl.cells import age

    if events is None:
        return
    if not events:
        w.write(0, "Events:\t<none>\n")
        return
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    for e in sorted(events, key=_event_time):
        first = age(e.get("eventTime"), now) if e.get("eventTime") else age(e.get("firstTimestamp"), now)
        series = e.get("series")
        if series:
            interval = f"{age(series.get('lastObservedTime'), now)} (x{series.get('count', 0)} over {first})"
        elif int(e.get("count") or 0) > 1:
            interval = f"{age(e.get('lastTimestamp'), now)} (x{e['count']} over {first})"
        else:
            interval = first
        source = (e.get("source") or {}).get("component") or e.get("reportingComponent") or ""
        message = (e.get("message") or "").strip()
        field_path = (e.get("involvedObject") or {}).get("fieldPath")
        if field_path:
            message = f"{field_path}: {message}"
        w.write(1, f"{e.get('type', '')}\t{e.get('reason', '')}\t{interval}\t{source}\t{message}\n")


def smart_label(field: str) -> str:
    """``smartLabelFor``: ``creationTimestamp`` -> ``Creation Timestamp``, ``apiVersion`` -> ``API Version``."""
    if any(not (c.isalpha() or c == "-") for c in field):
        return field
    parts = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[^A-Za-z]+", field)
    out = []
    for p in parts:
        if p == "_":
            continue
        out.append(p.upper() if p.upper() in ("API", "URL", "UID", "OSB", "GUID") else p[:1].upper() + p[1:])
    return " ".join(out)


def name_and_namespace(w: "Writer", obj: dict, namespaced: bool = True) -> None:
    """The ``Name:`` line, and ``Namespace:`` for a namespaced kind, that open most descriptions."""
    md = obj.get("metadata") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    if namespaced:
        w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
