"""``kubectl get``: tables, ``-o`` outputs, selectors, sorting and ``-w`` on the simulated clock.

``-w/--watch`` prints the current table, then the rows the cluster changes produce while the simulated
clock moves on: for ``--request-timeout`` when given (``-w --request-timeout=5m``), otherwise for
:data:`ktui.kubectl.follow.WATCH_SECONDS`. A real kubectl watches until interrupted; a command here has to end.
"""

from __future__ import annotations

import re
from typing import Any

from ktui.api.errors import ApiError
from ktui.api.registry import Resource
from ktui.kubectl import jsonpath as jp, tables
from ktui.kubectl.builder import kind_prefix, no_resources, resolve, resource_args
from ktui.kubectl.errors import KubectlError
from ktui.kubectl.follow import watch_seconds
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.printers import OutputError, Printer, custom_columns, jsonpath_print, relaxed, valid_output

__all__ = ["fetch", "print_objects", "natural_less"]

_OUTPUTS = (
    "json",
    "yaml",
    "name",
    "jsonpath",
    "jsonpath-as-json",
    "custom-columns",
    "wide",
    "go-template",
    "template",
    "jsonpath-file",
    "custom-columns-file",
)


def _expand(inv: Invocation, pairs: list[tuple[str, str]]) -> list[tuple[Resource, str]]:
    out: list[tuple[Resource, str]] = []
    for word, name in pairs:
        if word == "all" and not name:
            out += [(r, "") for r in inv.client.server.registry if "all" in r.categories]
        else:
            out.append((resolve(inv, word), name))
    return out


def fetch(inv: Invocation, args: list[str]) -> tuple[list[tuple[Resource, list[dict], str]], list[BaseException]]:
    """What ``args`` name: one group per resource (in order) with its objects and list resourceVersion."""
    pairs = _expand(inv, resource_args(inv, args))
    groups: list[tuple[Resource, list[dict], str]] = []
    errors: list[BaseException] = []
    ns = None if inv.opts.get("all-namespaces") else inv.namespace
    for r, name in pairs:
        rns = ns if r.namespaced else None
        try:
            if name:
                obj = inv.client.get(r.plural, name, rns or inv.namespace)
                rv = (obj.get("metadata") or {}).get("resourceVersion", "")
                if groups and groups[-1][0] == r and groups[-1][2] != "" and any(p[1] for p in pairs):
                    groups[-1] = (r, groups[-1][1] + [obj], rv)
                else:
                    groups.append((r, [obj], rv))
            else:
                label, field = inv.opts.get("selector") or "", inv.opts.get("field-selector") or ""
                try:
                    lst = inv.client.list(r.plural, rns, label_selector=label, field_selector=field)
                except ApiError as e:
                    raise _list_error(e, r, label, field) from None
                groups.append((r, list(lst.get("items") or []), (lst.get("metadata") or {}).get("resourceVersion", "")))
        except ApiError as e:
            if not (inv.opts.get("ignore-not-found") and e.reason == "NotFound"):
                errors.append(e)
    return groups, errors


def _list_error(e: ApiError, r: Resource, label: str, field: str) -> ApiError:
    """The resource builder's wording for a list the server refused (``Unable to find "/v1, Resource=pods" ...``)."""
    if e.reason not in ("BadRequest", "NotFound"):
        return e
    gvr = f"{r.group}/{r.version}, Resource={r.plural}"
    if label or field:
        message = f'Unable to find "{gvr}" that match label selector "{label}", field selector "{field}": {e.message}'
    else:
        message = f'Unable to list "{gvr}": {e.message}'
    return ApiError({**e.status, "message": message})


def natural_less(a: str, b: str) -> bool:
    """``sortorder.NaturalLess``: digit runs compare as numbers."""

    def key(s: str) -> list[Any]:
        return [(0, int(t), t) if t.isdigit() else (1, 0, t) for t in re.findall(r"\d+|\D+", s)]

    return key(a) < key(b)


def _sort(objs: list[dict], spec: str) -> list[dict]:
    nodes = jp.parse(relaxed(spec))

    def value(o: dict) -> Any:
        vals = jp.values(nodes, o)
        return vals[0] if vals else None

    import functools

    def cmp(a: dict, b: dict) -> int:
        va, vb = value(a), value(b)
        if va is None or vb is None:
            return (va is not None) - (vb is not None)
        if isinstance(va, (int, float)) and isinstance(vb, (int, float)):
            return (va > vb) - (va < vb)
        sa, sb = str(va), str(vb)
        return -1 if natural_less(sa, sb) else (1 if natural_less(sb, sa) else 0)

    return sorted(objs, key=functools.cmp_to_key(cmp))


def _strip(obj: dict, inv: Invocation) -> dict:
    if inv.opts.get("show-managed-fields") or "managedFields" not in (obj.get("metadata") or {}):
        return obj
    return {**obj, "metadata": {k: v for k, v in obj["metadata"].items() if k != "managedFields"}}


def table_lines(
    inv: Invocation, r: Resource, objs: list[dict], with_kind: bool, now: float, headers: bool = True
) -> tuple[list[str], list[list[str]]]:
    """Header and rows of one kind's table, with -A, -L, --show-labels and the kind prefix applied."""
    wide = inv.opts.get("output") == "wide"
    head = tables.columns_for(r.plural, wide)
    rows = [tables.row_for(r.plural, o, now, wide) for o in objs]
    if with_kind:
        name_col = head.index("NAME") if "NAME" in head and r.plural != "events" else 0
        if r.plural != "events":
            rows = [row[:name_col] + [f"{kind_prefix(r)}/{row[name_col]}"] + row[name_col + 1 :] for row in rows]
    head, rows = tables.label_columns(
        head, rows, objs, inv.opts.get("label-columns") or [], bool(inv.opts.get("show-labels"))
    )
    if inv.opts.get("all-namespaces") and r.namespaced:
        head, rows = tables.namespace_column(head, rows, objs)
    return head, rows


def print_objects(inv: Invocation, groups: list[tuple[Resource, list[dict], str]], single: bool) -> None:
    """Print everything fetched in the ``-o`` format (yaml, json, name, jsonpath, custom-columns)."""
    fmt, _, arg = inv.opts["output"].partition("=")
    arg = arg or inv.opts.get("template") or ""
    objs = [_strip(o, inv) for _, items, _ in groups for o in items]
    if fmt == "name":
        printer = Printer("name")
        inv.write("".join(printer.print(o) for o in objs))
        return
    if fmt == "custom-columns":
        if objs:
            inv.write(custom_columns(arg, objs, bool(inv.opts.get("no-headers"))))
        return
    target: dict = (
        objs[0]
        if single and len(objs) == 1
        else {"apiVersion": "v1", "items": objs, "kind": "List", "metadata": {"resourceVersion": ""}}
    )
    if fmt in ("jsonpath", "jsonpath-as-json"):
        inv.write(jsonpath_print(arg, target, bool(inv.opts.get("allow-missing-template-keys", True))))
        return
    if fmt in ("yaml", "json"):
        inv.write(Printer(fmt).print(target))
        return
    raise OutputError(f"ktui does not implement -o {fmt} yet")


@command("get")
def get(inv: Invocation) -> int:
    """``kubectl get TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE/NAME ...``."""
    o = inv.opts
    output = o.get("output") or ""
    if output:
        valid_output(output, _OUTPUTS)
        base, eq, arg = output.partition("=")
        if base in ("jsonpath", "jsonpath-as-json", "go-template", "template") and not arg and not o.get("template"):
            raise KubectlError("template format specified but no template given")
    if not inv.args:
        inv.err.append(
            'You must specify the type of resource to get. Use "kubectl api-resources" for a complete '
            "list of supported resources.\n\n"
        )
        raise inv.usage_error(
            'Required resource not specified.\nUse "kubectl explain <resource>" for a detailed '
            "description of that resource (e.g. kubectl explain pods)."
        )
    pairs = resource_args(inv, inv.args)
    single = len(pairs) == 1 and bool(pairs[0][1])
    groups, errors = fetch(inv, inv.args)
    if o.get("watch") or o.get("watch-only"):
        return _watch(inv, groups, errors)
    if o.get("sort-by"):
        listed = [obj for _, items, _ in groups for obj in items]
        nodes = jp.parse(relaxed(o["sort-by"]))
        if (
            listed
            and not (len(listed) == 1 and len(inv.args) == 2)
            and not any(jp.values(nodes, obj) for obj in listed)
        ):
            raise KubectlError(f'couldn\'t find any field with path "{relaxed(o["sort-by"])}" in the list of objects')
        groups = [(r, _sort(items, o["sort-by"]), rv) for r, items, rv in groups]
    for r, _, _ in groups:
        if r.plural == "endpoints" and r.group == "":
            inv.warn("Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice")
    if output and output != "wide":
        print_objects(inv, groups, single)
    else:
        _print_tables(inv, groups, errors)
    for e in errors:
        inv.error(e)
    return 1 if errors else 0


def _print_tables(inv: Invocation, groups: list[tuple[Resource, list[dict], str]], errors: list[BaseException]) -> None:
    with_kind = bool(inv.opts.get("show-kind")) or len({r.plural for r, _, _ in groups}) > 1
    now = inv.env.now()
    written = False
    for r, objs, _ in groups:
        if not objs:
            continue
        head, rows = table_lines(inv, r, objs, with_kind, now)
        if written:
            inv.write("\n")
        inv.write(tables.render_table([] if inv.opts.get("no-headers") else head, rows))
        written = True
    if not written and not errors and not inv.opts.get("ignore-not-found"):
        namespaced = all(r.namespaced for r, _, _ in groups) if groups else True
        inv.warn(no_resources(inv, namespaced))


class _RowWriter:
    """Rows printed one at a time with the widths of the columns remembered (cli-runtime's tabwriter)."""

    def __init__(self, inv: Invocation) -> None:
        self.inv = inv
        self.widths: list[int] = []

    def write(self, rows: list[list[str]]) -> None:
        for row in rows:
            for i, cell in enumerate(row[:-1]):
                need = max(6, len(cell) + 3)
                if i >= len(self.widths):
                    self.widths.append(need)
                else:
                    self.widths[i] = max(self.widths[i], need)
        for row in rows:
            cells = [cell.ljust(self.widths[i]) for i, cell in enumerate(row[:-1])]
            self.inv.write("".join(cells) + (row[-1] if row else "") + "\n")


def _watch(inv: Invocation, groups: list[tuple[Resource, list[dict], str]], errors: list[BaseException]) -> int:
    for e in errors:
        inv.error(e)
    if errors:
        return 1
    if len({r.plural for r, _, _ in groups}) != 1:
        raise KubectlError("you may only specify a single resource type")
    r, objs, rv = groups[0]
    named = [name for _, name in resource_args(inv, inv.args) if name]
    events = inv.opts.get("output-watch-events")
    out = _RowWriter(inv)
    fmt = inv.opts.get("output") or ""
    header_done = [False]

    def emit(kind: str, items: list[dict]) -> None:
        if not items:
            return
        if fmt and fmt != "wide":
            for obj in items:
                text = (
                    Printer(fmt).print(_strip(obj, inv))
                    if fmt in ("yaml", "json", "name")
                    else print_objects_text(inv, obj)
                )
                inv.write(text)
            return
        head, rows = table_lines(inv, r, items, bool(inv.opts.get("show-kind")), inv.env.now())
        if events:
            head, rows = ["EVENT", *head], [[kind, *row] for row in rows]
        if not header_done[0] and not inv.opts.get("no-headers"):
            rows = [head, *rows]
        header_done[0] = True
        out.write(rows)

    if not inv.opts.get("watch-only"):
        emit("ADDED", objs)
    ns = None if inv.opts.get("all-namespaces") or not r.namespaced else inv.namespace
    field = inv.opts.get("field-selector") or ""
    if len(named) == 1:
        field = ",".join(filter(None, [field, f"metadata.name={named[0]}"]))
    elif named:
        raise KubectlError(
            "watch is only supported on individual resources and resource collections, but "
            f"{len(named)} resources were found"
        )

    def on_event(kind: str, obj: dict) -> None:
        emit(kind, [obj])

    w = inv.client.watch(
        r.plural,
        on_event,
        ns,
        label_selector=inv.opts.get("selector") or "",
        field_selector=field,
        resource_version=rv or "",
    )
    try:
        inv.env.advance(watch_seconds(inv))
    finally:
        w.stop()
    return 0


def print_objects_text(inv: Invocation, obj: dict) -> str:
    fmt, _, arg = inv.opts["output"].partition("=")
    arg = arg or inv.opts.get("template") or ""
    if fmt == "custom-columns":
        return custom_columns(arg, [obj], True)
    return jsonpath_print(arg, obj)
