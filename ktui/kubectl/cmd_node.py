"""``kubectl cordon``, ``uncordon``, ``drain`` and ``taint``: node maintenance through the API.

``drain`` evicts through the eviction API, then lets the simulated clock run until the evicted pods are
gone (at most ``--timeout``, or :data:`DRAIN_WAIT` seconds when it is 0).
"""

from __future__ import annotations

from ktui.api.errors import ApiError
from ktui.kubectl.cmd_expose import resource_args
from ktui.kubectl.cmd_get import resolve
from ktui.kubectl.errors import ExitError, KubectlError
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.durations import bounded_follow, parse_go_duration

__all__ = ["DRAIN_WAIT", "parse_taint"]

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
        inv.client.patch("nodes", name, {"spec": {"unschedulable": True if value else None}},
                         dry_run=dry == "server")
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
                errors.setdefault("cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)",
                                  []).append(ref)
            continue
        if any(v.get("emptyDir") is not None for v in (p.get("spec") or {}).get("volumes") or []) and not terminal:
            if not o.get("delete-emptydir-data"):
                errors.setdefault("cannot delete Pods with local storage (use --delete-emptydir-data to override)",
                                  []).append(ref)
                continue
            warnings.setdefault("deleting Pods with local storage", []).append(ref)
        if owner is None and not terminal:
            if not o.get("force"):
                errors.setdefault("cannot delete Pods that declare no controller (use --force to override)",
                                  []).append(ref)
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
            inv.warn(f"error: {text}")
            raise ExitError(1)
        if warnings:
            inv.warn(f"Warning: {_join(warnings)}")
        dry = inv.dry_run()
        grace = inv.opts.get("grace-period", -1)
        for p in evict:
            md = p["metadata"]
            if dry == "none":
                inv.write(f"evicting pod {md['namespace']}/{md['name']}\n")
                body = {"apiVersion": "policy/v1", "kind": "Eviction",
                        "metadata": {"name": md["name"], "namespace": md["namespace"]}}
                if grace >= 0:
                    body["deleteOptions"] = {"gracePeriodSeconds": grace}
                try:
                    inv.client.create("pods", body, md["namespace"], subresource="eviction", name=md["name"])
                except ApiError as e:
                    inv.error(e)
                    raise ExitError(1)
        limit = parse_go_duration(inv.opts.get("timeout") or "0s")
        limit = bounded_follow(limit if limit > 0 else DRAIN_WAIT)
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
            inv.warn(f"error: unable to drain node \"{name}\" due to error: drain did not complete within {raw}, "
                     "continuing command...")
            raise ExitError(1)
        suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(dry, "")
        inv.write(f"node/{name} drained{suffix}\n")
    return 0


def parse_taint(spec: str) -> tuple[dict, bool]:
    """``key=value:Effect`` (add) or ``key[:Effect]-`` (remove) as (taint, remove)."""
    remove = spec.endswith("-")
    body = spec[:-1] if remove else spec
    kv, _, effect = body.partition(":")
    key, _, value = kv.partition("=")
    if not remove and not effect:
        raise KubectlError(f"invalid taint spec: {spec}, unknown taint spec: {spec}")
    if effect and effect not in _EFFECTS:
        raise KubectlError(f"invalid taint effect: {effect}, unsupported taint effect")
    taint = {"key": key, "effect": effect}
    if value:
        taint["value"] = value
    return taint, remove


@command("taint")
def taint(inv: Invocation) -> None:
    """``kubectl taint NODE NAME KEY_1=VAL_1:TAINT_EFFECT_1 ... KEY_N-``."""
    args = inv.args
    if len(args) < 2:
        raise inv.usage_error("at least one taint update is required")
    specs = [a for a in args if ":" in a or a.endswith("-") or "=" in a]
    targets = [a for a in args if a not in specs]
    if not specs:
        raise inv.usage_error("at least one taint update is required")
    parsed = [parse_taint(s) for s in specs]
    if targets and targets[0] in ("node", "nodes", "no") and len(targets) > 1:
        names = targets[1:]
    elif targets and "/" in targets[0]:
        names = [t.split("/", 1)[1] for t in targets]
    else:
        raise inv.usage_error("at least one resource name must be specified since 'all' parameter is not true")
    for name in names:
        node = inv.client.get("nodes", name)
        taints = list((node.get("spec") or {}).get("taints") or [])
        changed, removed = False, False
        for t, remove in parsed:
            same = [x for x in taints if x.get("key") == t["key"] and (not t["effect"] or x.get("effect") == t["effect"])]
            if remove:
                if not same:
                    raise KubectlError(f'taint "{t["key"]}{":" + t["effect"] if t["effect"] else ""}" not found')
                taints = [x for x in taints if x not in same]
                removed = True
            elif same:
                if not inv.opts.get("overwrite"):
                    raise KubectlError(f"node {name} already has {t['key']} taint(s) with same effect(s) and "
                                       "--overwrite is false")
                taints = [t if x in same else x for x in taints]
                changed = True
            else:
                taints.append(t)
        inv.client.patch("nodes", name, [{"op": "add", "path": "/spec/taints", "value": taints}], patch_type="json")
        verb = "modified" if changed else ("untainted" if removed and len(parsed) == 1 else "tainted")
        inv.write(f"node/{name} {verb}\n")
