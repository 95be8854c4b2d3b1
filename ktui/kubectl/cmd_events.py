"""``kubectl events``: the Events of a namespace (or all, or of one object), oldest first, as v1.37 prints them.

Follows v1.37's ``pkg/cmd/events``: ``--for TYPE/NAME`` becomes a field selector on ``involvedObject.kind``
and ``involvedObject.name``; ``--types`` keeps only Normal and/or Warning events; the list is sorted by the
series' last observed time, else the last timestamp, else the event time; LAST SEEN says ``(xN over D)``
for a repeated event; ``-o yaml|json`` prints an ``EventList``; ``--watch`` follows the simulated clock as
``get -w`` does (see :mod:`ktui.kubectl.follow`).
"""

from __future__ import annotations

from typing import Any

from ktui.api.errors import ApiError
from ktui.kubectl.cells import age
from ktui.kubectl.errors import ExitError, KubectlError
from ktui.kubectl.follow import watch_seconds
from ktui.kubectl.gosort import go_sort
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.printers import Printer, tabwrite, valid_output
from ktui.sim.timefmt import parse_rfc3339

__all__ = ["event_time", "last_seen", "typed_event"]

_META = (
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
)
_REF = ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")
_EVENT = (
    "metadata",
    "involvedObject",
    "reason",
    "message",
    "source",
    "firstTimestamp",
    "lastTimestamp",
    "count",
    "type",
    "eventTime",
    "series",
    "action",
    "related",
    "reportingComponent",
    "reportingInstance",
)
_ALWAYS: dict[str, Any] = {
    "source": {},
    "firstTimestamp": None,
    "lastTimestamp": None,
    "eventTime": None,
    "reportingComponent": "",
    "reportingInstance": "",
}
"""Fields a ``corev1.Event`` always writes (structs and times are never omitted, two strings lack omitempty)."""

_UNSET = -1e18
"""The sort time of an event without any timestamp (Go's zero time sorts first)."""


def event_time(ev: dict) -> float:
    """The time ``kubectl events`` sorts by: the series' last observation, else lastTimestamp, else eventTime."""
    series = ev.get("series")
    if series is not None:
        stamp = series.get("lastObservedTime")
    else:
        stamp = ev.get("lastTimestamp") or ev.get("eventTime")
    return parse_rfc3339(stamp) if stamp else _UNSET


def last_seen(ev: dict, now: float) -> str:
    """The LAST SEEN cell: ``5m``, or ``30s (x4 over 5m)`` for a series or an event counted more than once."""
    first = age(ev.get("eventTime") or ev.get("firstTimestamp"), now)
    series = ev.get("series")
    if series is not None:
        return f"{age(series.get('lastObservedTime'), now)} (x{series.get('count') or 0} over {first})"
    if (ev.get("count") or 0) > 1:
        return f"{age(ev.get('lastTimestamp'), now)} (x{ev['count']} over {first})"
    return first


def _ordered(obj: dict, order: tuple[str, ...]) -> dict:
    return {k: obj[k] for k in order if k in obj} | {k: v for k, v in obj.items() if k not in order}


def typed_event(ev: dict, managed: bool) -> dict:
    """An Event as client-go's typed ``corev1.Event`` encodes it: Go field order, zero times as null."""
    md = {k: v for k, v in (ev.get("metadata") or {}).items() if managed or k != "managedFields"}
    md.setdefault("creationTimestamp", None)
    body = {**_ALWAYS, **{k: v for k, v in ev.items() if k not in ("apiVersion", "kind")}}
    body["metadata"] = _ordered(md, _META)
    for ref in ("involvedObject", "related"):
        if isinstance(body.get(ref), dict):
            body[ref] = _ordered(body[ref], _REF)
    if isinstance(body.get("series"), dict):
        body["series"] = _ordered(body["series"], ("count", "lastObservedTime"))
    return {"kind": "Event", "apiVersion": "v1", **_ordered(body, _EVENT)}


def _cell(text: str) -> str:
    """escapeCell: a cell ends at its first form feed or line break, marked with ``...``."""
    for i, ch in enumerate(text):
        if ch in "\f\n\r":
            return text[:i] + "..."
    return text


def _for_object(inv: Invocation, value: str) -> tuple[str, str]:
    """``--for TYPE/NAME`` -> (kind, name), with kubectl's errors."""
    if "/" not in value:
        raise KubectlError("--for must be in resource/name form")
    parts = value.split("/")
    if len(parts) != 2:
        raise KubectlError("arguments in resource/name form may not have more than one slash")
    try:
        r = inv.client.resource(parts[0])
    except ApiError:  # kubectl prints the discovery error as it is, without "error: "
        inv.err.append(f'the server doesn\'t have a resource type "{parts[0]}"\n')
        raise ExitError(1) from None
    return r.kind, parts[1]


@command("events")
def events(inv: Invocation) -> None:
    """``kubectl events [--for TYPE/NAME] [--types=Normal,Warning] [-A] [-o yaml|json]``."""
    fmt = inv.opts.get("output") or ""
    if fmt:
        valid_output(fmt, ("json", "yaml", "name", "jsonpath", "jsonpath-as-json"))
    selector = ""
    if inv.opts.get("for"):
        kind, name = _for_object(inv, inv.opts["for"])
        selector = f"involvedObject.kind={kind},involvedObject.name={name}"
    raw = inv.opts.get("types") or []
    types = sorted({t for v in ([raw] if isinstance(raw, str) else raw) for t in v.split(",") if t})
    for t in types:
        if t.lower() not in ("normal", "warning"):
            raise KubectlError("valid --types are Normal or Warning")
    all_ns = bool(inv.opts.get("all-namespaces"))
    if inv.opts.get("watch"):
        return _watch(inv, None if all_ns else inv.namespace, selector, {t.lower() for t in types}, fmt)
    items = inv.client.list("events", None if all_ns else inv.namespace, field_selector=selector).get("items") or []
    wanted = {t.lower() for t in types}
    items = [e for e in items if not wanted or (e.get("type") or "").lower() in wanted]
    if not items:
        inv.warn("No events found." if all_ns else f"No events found in {inv.namespace} namespace.")
        return
    items = go_sort(items, lambda a, b: event_time(a) < event_time(b))
    if fmt == "name":
        return  # kubectl's name printer refuses the EventList it builds, and kubectl ignores that error
    if fmt:
        managed = bool(inv.opts.get("show-managed-fields"))
        shown = {
            "kind": "EventList",
            "apiVersion": "v1",
            "metadata": {},
            "items": [typed_event(e, managed) for e in items],
        }
        inv.write(Printer(fmt).print(shown, typed=True))
        return
    now = inv.env.now()
    rows = [] if inv.opts.get("no-headers") else [_head(all_ns)]
    inv.write(tabwrite(rows + [_row(e, now, all_ns) for e in items]))


def _head(all_ns: bool) -> list[str]:
    return (["NAMESPACE"] if all_ns else []) + ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]


def _row(e: dict, now: float, all_ns: bool) -> list[str]:
    obj = e.get("involvedObject") or {}
    return ([e["metadata"].get("namespace", "")] if all_ns else []) + [
        last_seen(e, now),
        _cell(e.get("type") or ""),
        _cell(e.get("reason") or ""),
        f"{_cell(obj.get('kind') or '')}/{_cell(obj.get('name') or '')}",
        _cell((e.get("message") or "").strip()),
    ]


def _watch(inv: Invocation, ns: str | None, selector: str, wanted: set[str], fmt: str) -> None:
    """``--watch``: every Event the watch sends (the existing ones first, in list order; deletions skipped),
    each printed and flushed on its own with the columns' widths remembered (cli-runtime's tabwriter)."""
    all_ns = ns is None
    header = [not inv.opts.get("no-headers")]
    widths: list[int] = []
    printer = Printer(fmt) if fmt else None
    managed = bool(inv.opts.get("show-managed-fields"))

    def on_event(kind: str, ev: dict) -> None:
        if kind == "DELETED" or (wanted and (ev.get("type") or "").lower() not in wanted):
            return
        if printer is not None:
            if fmt == "name":
                inv.write(f"event/{ev['metadata']['name']}\n")
            else:
                inv.write(printer.print(typed_event(ev, managed), typed=True))
            return
        rows = ([_head(all_ns)] if header[0] else []) + [_row(ev, inv.env.now(), all_ns)]
        header[0] = False
        for row in rows:  # widths only grow (liggitt/tabwriter's RememberWidths)
            for i, cell in enumerate(row[:-1]):
                if i == len(widths):
                    widths.append(6)
                widths[i] = max(widths[i], len(cell) + 3)
        inv.write("".join("".join(c.ljust(widths[i]) for i, c in enumerate(r[:-1])) + r[-1] + "\n" for r in rows))

    w = inv.client.watch("events", on_event, ns, field_selector=selector)
    try:
        inv.env.advance(watch_seconds(inv))
    finally:
        w.stop()
