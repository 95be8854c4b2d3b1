"""``kubectl cordon``, ``uncordon``, ``drain`` and ``taint``: node maintenance through the API.

``drain`` evicts through the eviction API, then lets the simulated clock run until the evicted pods are
gone (at most ``--timeout``, or :data:`DRAIN_WAIT` seconds when it is 0).
"""

from __future__ import annotations

from ktui.api.errors import ApiError
from ktui.kubectl.builder import resolve, resource_args
from ktui.kubectl.durations import bounded_follow, follow_note, parse_go_duration
from ktui.kubectl.errors import ExitError, KubectlError
from ktui.kubectl.main import Invocation, command

__all__ = ["DRAIN_WAIT", "parse_taints"]

DRAIN_WAIT = 300.0
_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


def _nodes(inv: Invocation) -> list[dict]:
    args = inv.args
    if not args and inv.opts.get("selector"):
        return inv.client.list("nodes", label_selector=inv.opts["selector"]).get("items") or []
    if not args:
        raise inv.usage_error("USAGE: {} NODE [flags]".format(inv.path.split()[0]))
    out = []
    for word, name in resource_args(inv, args if "/" in args[0] else ["node", *args]):
        r = resolve(inv, word)
        if r.plural != "nodes":
            raise KubectlError(f"error: unable to {inv.path} {r.kind.lower()}s")
        out.append(inv.client.get("nodes", name))
    return out


def _set_unschedulable(inv: Invocation, node: dict, value: bool) -> None:
    name = node["metadata"]["name"]
    verb = "cordoned" if value else "uncordoned"
    if bool((node.get("spec") or {}).get("unschedulable")) == value:
        inv.write(f"node/{name} already {verb}\n")
        return
    dry = inv.dry_run()
    if dry != "client":
        inv.client.patch("nodes", name, {"spec": {"unschedulable": True if value else None}}, dry_run=dry == "server")
    suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(dry, "")
    inv.write(f"node/{name} {verb}{suffix}\n")


@command("cordon")
def cordon(inv: Invocation) -> None:
    for node in _nodes(inv):
        _set_unschedulable(inv, node, True)


@command("uncordon")
def uncordon(inv: Invocation) -> None:
    for node in _nodes(inv):
        _set_unschedulable(inv, node, False)


def _classify(inv: Invocation, pods: list[dict]) -> tuple[list[dict], dict[str, list[str]], dict[str, list[str]]]:
    """drain's pod filters: (pods to evict, errors by message, warnings by message)."""
    o = inv.opts
    evict: list[dict] = []
    errors: dict[str, list[str]] = {}
    warnings: dict[str, list[str]] = {}
    for p in pods:
        md, st = p["metadata"], p.get("status") or {}
        ref = f"{md['namespace']}/{md['name']}"
        if md.get("deletionTimestamp"):
            continue
        if "kubernetes.io/config.mirror" in (md.get("annotations") or {}):
            continue
        owner = next((r for r in md.get("ownerReferences") or [] if r.get("controller")), None)
        terminal = st.get("phase") in ("Succeeded", "Failed")
        if owner and owner.get("kind") == "DaemonSet" and not terminal:
            if o.get("ignore-daemonsets"):
                warnings.setdefault("ignoring DaemonSet-managed Pods", []).append(ref)
            else:
                errors.setdefault(
                    "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)", []
                ).append(ref)
            continue
        if any(v.get("emptyDir") is not None for v in (p.get("spec") or {}).get("volumes") or []) and not terminal:
            if not o.get("delete-emptydir-data"):
                errors.setdefault(
                    "cannot delete Pods with local storage (use --delete-emptydir-data to override)", []
                ).append(ref)
                continue
            warnings.setdefault("deleting Pods with local storage", []).append(ref)
        if owner is None and not terminal:
            if not o.get("force"):
                errors.setdefault("cannot delete Pods that declare no controller (use --force to override)", []).append(
                    ref
                )
                continue
            warnings.setdefault("deleting Pods that declare no controller", []).append(ref)
        evict.append(p)
    return evict, errors, warnings


def _join(msgs: dict[str, list[str]]) -> str:
    return "; ".join(f"{m}: {', '.join(refs)}" for m, refs in msgs.items())


@command("drain")
def drain(inv: Invocation) -> int:
    """``kubectl drain NODE``: cordon, then evict its pods and wait until they are gone."""
    for node in _nodes(inv):
        name = node["metadata"]["name"]
        _set_unschedulable(inv, node, True)
        pods = inv.client.list("pods", None, field_selector=f"spec.nodeName={name}").get("items") or []
        evict, errors, warnings = _classify(inv, pods)
        if errors:
            text = _join(errors)
            inv.warn(f'error: unable to drain node "{name}" due to error: {text}, continuing command...')
            inv.warn(f"There are pending nodes to be drained:\n {name}")
            inv.warn(text)  # an aggregate error: kubectl prints it without the "error: " prefix
            raise ExitError(1)
        if warnings:
            inv.warn(f"Warning: {_join(warnings)}")
        dry = inv.dry_run()
        grace = inv.opts.get("grace-period", -1)
        for p in evict:
            md = p["metadata"]
            if dry == "none":
                inv.write(f"evicting pod {md['namespace']}/{md['name']}\n")
                body = {
                    "apiVersion": "policy/v1",
                    "kind": "Eviction",
                    "metadata": {"name": md["name"], "namespace": md["namespace"]},
                }
                if grace >= 0:
                    body["deleteOptions"] = {"gracePeriodSeconds": grace}
                try:
                    inv.client.create("pods", body, md["namespace"], subresource="eviction", name=md["name"])
                except ApiError as e:
                    inv.error(e)
                    raise ExitError(1)
        raw = inv.opts.get("timeout") or "0s"
        wanted = parse_go_duration(raw)
        wanted = wanted if wanted > 0 else DRAIN_WAIT
        limit = bounded_follow(wanted)
        waited, remaining = 0.0, list(evict)
        while remaining and dry == "none" and waited < limit:
            inv.env.advance(1.0)
            waited += 1.0
            still = []
            for p in remaining:
                try:
                    cur = inv.client.get("pods", p["metadata"]["name"], p["metadata"]["namespace"])
                    if cur["metadata"].get("uid") == p["metadata"].get("uid"):
                        still.append(p)
                        continue
                except ApiError:
                    pass
                inv.write(f"pod/{p['metadata']['name']} evicted\n")
            remaining = still
        if remaining:
            if limit < wanted:
                inv.warn(follow_note(wanted))
            inv.warn(
                f'error: unable to drain node "{name}" due to error: drain did not complete within {raw}, '
                "continuing command..."
            )
            raise ExitError(1)
        suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(dry, "")
        inv.write(f"node/{name} drained{suffix}\n")
    return 0


def _parse_one_taint(spec: str) -> dict:
    """taintutils.parseTaint: ``key``, ``key:Effect`` or ``key=value:Effect``."""
    from ktui.api.validation.names import is_label_value, is_qualified_name

    parts = spec.split(":")
    value, effect = "", ""
    if len(parts) == 1:
        key = parts[0]
    elif len(parts) == 2:
        effect = parts[1]
        if effect not in _EFFECTS:
            raise KubectlError(f"invalid taint effect: {effect}, unsupported taint effect")
        kv = parts[0].split("=")
        if len(kv) > 2:
            raise KubectlError(f"invalid taint spec: {spec}")
        key = kv[0]
        if len(kv) == 2:
            value = kv[1]
            errs = is_label_value(value)
            if errs:
                raise KubectlError(f"invalid taint spec: {spec}, {'; '.join(errs)}")
    else:
        raise KubectlError(f"invalid taint spec: {spec}")
    errs = is_qualified_name(key)
    if errs:
        raise KubectlError(f"invalid taint spec: {spec}, {'; '.join(errs)}")
    return {"key": key, "value": value, "effect": effect}


def parse_taints(specs: list[str]) -> list[tuple[dict, bool]]:
    """taintutils.ParseTaints: each spec as (taint, remove); an added taint needs an effect and is unique."""
    out: list[tuple[dict, bool]] = []
    seen: set[tuple[str, str]] = set()
    for spec in specs:
        if spec.endswith("-"):
            t = _parse_one_taint(spec[:-1])
            out.append(({"key": t["key"], "effect": t["effect"]}, True))
            continue
        t = _parse_one_taint(spec)
        if not t["effect"]:
            raise KubectlError(f"invalid taint spec: {spec}")
        if (t["key"], t["effect"]) in seen:
            raise KubectlError(
                f"duplicated taints with the same key and effect: {{{t['key']} {t['value']} {t['effect']} <nil>}}"
            )
        seen.add((t["key"], t["effect"]))
        taint = {"key": t["key"], "effect": t["effect"]}
        if t["value"]:
            taint["value"] = t["value"]
        out.append((taint, False))
    return out


def _taint_args(args: list[str]) -> tuple[list[str], list[str]]:
    """kubectl's split of ``taint`` arguments into resources and taint changes (resources come first)."""
    resources: list[str] = []
    changes: list[str] = []
    for a in args:
        is_taint = "=" in a or ":" in a or a.endswith("-")
        if is_taint:
            changes.append(a)
        elif changes:
            raise KubectlError(f"all resources must be specified before taint changes: {a}")
        else:
            resources.append(a)
    return resources, changes


@command("taint")
def taint(inv: Invocation) -> None:
    """``kubectl taint NODE NAME KEY_1=VAL_1:TAINT_EFFECT_1 ... KEY_N-``."""
    resources, specs = _taint_args(inv.args)
    if not resources:
        raise KubectlError("one or more resources must be specified as <resource> <name>")
    if not specs:
        raise KubectlError("at least one taint update is required")
    try:
        parsed = parse_taints(specs)
    except KubectlError as e:
        raise inv.usage_error(e.message) from None
    try:
        r = inv.client.resource(resources[0])
    except ApiError:
        inv.err.append(f'the server doesn\'t have a resource type "{resources[0]}"\n')
        raise ExitError(1) from None
    if r.plural != "nodes":
        raise KubectlError(f"invalid resource type {resources[0]}, only node types are supported")
    conflicts = [
        f"{rm['key']}={rm['effect']}"
        for add, is_rm in parsed
        if not is_rm
        for rm, rm_is in parsed
        if rm_is and rm["key"] == add["key"] and (not rm["effect"] or rm["effect"] == add["effect"])
    ]
    if conflicts:
        raise KubectlError(
            "can not both modify and remove the following taint(s) in the same command: " + ", ".join(conflicts)
        )
    selector = inv.opts.get("selector") or ""
    if inv.opts.get("all") and selector:
        raise KubectlError("setting 'all' parameter with a non empty selector is prohibited")
    if not inv.opts.get("all") and not selector and len(resources) < 2:
        raise KubectlError("at least one resource name must be specified since 'all' parameter is not set")
    if inv.opts.get("all") or selector:
        items = inv.client.list("nodes", label_selector=selector).get("items") or []
        names = [n["metadata"]["name"] for n in items]
    else:
        names = resources[1:]
    for name in names:
        node = inv.client.get("nodes", name)
        taints = list((node.get("spec") or {}).get("taints") or [])
        changed, removed = False, False
        for t, remove in parsed:
            same = [
                x for x in taints if x.get("key") == t["key"] and (not t["effect"] or x.get("effect") == t["effect"])
            ]
            if remove:
                if not same:
                    raise KubectlError(f'taint "{t["key"]}{":" + t["effect"] if t["effect"] else ""}" not found')
                taints = [x for x in taints if x not in same]
                removed = True
            elif same:
                if not inv.opts.get("overwrite"):
                    raise KubectlError(
                        f"node {name} already has {t['key']} taint(s) with same effect(s) and --overwrite is false"
                    )
                taints = [t if x in same else x for x in taints]
                changed = True
            else:
                taints.append(t)
        inv.client.patch("nodes", name, [{"op": "add", "path": "/spec/taints", "value": taints}], patch_type="json")
        verb = "modified" if changed else ("untainted" if removed and len(parsed) == 1 else "tainted")
        inv.write(f"node/{name} {verb}\n")
