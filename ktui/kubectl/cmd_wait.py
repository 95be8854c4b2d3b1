"""``kubectl wait``: move the simulated clock on until a condition holds, or say it timed out.

The clock advances one simulated second at a time (``env.advance``), for at most ``--timeout`` (30s; a
negative one is a week, as in kubectl) and never more than :data:`ktui.kubectl.durations.MAX_FOLLOW_SECONDS`.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from ktui.api.errors import ApiError
from ktui.kubectl import jsonpath as jp
from ktui.kubectl.builder import NO_RESOURCES, resolve, resource_args
from ktui.kubectl.durations import bounded_follow, follow_note, parse_go_duration
from ktui.kubectl.errors import KubectlError
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.printers import relaxed, resource_name

__all__ = ["parse_for", "run_until"]

STEP = 1.0
"""Simulated seconds between two checks."""


def parse_for(spec: str) -> Callable[[dict | None], bool]:
    """A predicate on the object (None: it does not exist) for one ``--for`` value."""
    low = spec.lower()
    if low == "delete":
        return lambda obj: obj is None
    if low == "create":
        return lambda obj: obj is not None
    if low.startswith("condition="):
        rest = spec[len("condition=") :]
        name, _, value = rest.partition("=")
        value = value or "true"

        def cond(obj: dict | None) -> bool:
            if obj is None:
                return False
            gen = (obj.get("metadata") or {}).get("generation")
            observed = (obj.get("status") or {}).get("observedGeneration")
            if gen is not None and observed is not None and observed < gen:
                return False
            return any(
                c.get("type", "").lower() == name.lower() and str(c.get("status", "")).lower() == value.lower()
                for c in (obj.get("status") or {}).get("conditions") or []
            )

        return cond
    if low.startswith("jsonpath="):
        rest = spec[len("jsonpath=") :]
        m = re.fullmatch(r"(\{.*\}|[^=]*)(?:=(.*))?", rest, re.S)
        path, want = (m.group(1), m.group(2)) if m else (rest, None)
        if not path:
            raise KubectlError(
                "jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or "
                "--for=jsonpath='{.status.readyReplicas}'"
            )
        nodes = jp.parse(relaxed(path.strip("'")))

        def check(obj: dict | None) -> bool:
            if obj is None:
                return False
            values = jp.values(nodes, obj)
            if want is None:
                return bool(values)
            return len(values) == 1 and _text(values[0]) == want

        return check
    raise KubectlError(f'unrecognized condition: "{spec}"')


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def run_until(inv: Invocation, check: Callable[[], bool], timeout: float) -> bool:
    """Check, then advance the clock a second at a time until ``check()`` holds or ``timeout`` passes.

    A ``timeout`` beyond what one command may follow stops early, with a warning saying so.
    """
    waited = 0.0
    limit = bounded_follow(timeout)
    while True:
        if check():
            return True
        if waited >= limit:
            if limit < timeout:
                inv.warn(follow_note(timeout))
            return False
        step = min(STEP, limit - waited)
        inv.env.advance(step)
        waited += step


def _timeout(inv: Invocation) -> float:
    seconds = parse_go_duration(inv.opts.get("timeout") or "30s")  # the flag parser checked its syntax
    return 7 * 86400 if seconds < 0 else seconds


@command("wait")
def wait(inv: Invocation) -> int:
    """``kubectl wait ([-f FILENAME] | resource.group/resource.name | resource.group [(-l label | --all)])``."""
    specs = inv.opts.get("for") or []
    specs = [specs] if isinstance(specs, str) else list(specs)
    if not specs or not all(specs):
        shown = '""' if specs else "[]"
        raise KubectlError(f"unrecognized condition: {shown}")
    if not inv.args and not inv.opts.get("filename"):
        raise KubectlError(NO_RESOURCES)
    preds = [parse_for(s) for s in specs]
    spec = specs[-1]

    def pred(obj: dict | None) -> bool:
        return all(p(obj) for p in preds)

    timeout = _timeout(inv)
    targets: list[tuple[Any, str]] = []
    for word, name in resource_args(inv, inv.args):
        r = resolve(inv, word)
        ns = inv.namespace if r.namespaced else None
        if name:
            targets.append((r, name))
            continue
        if not (inv.opts.get("all") or inv.opts.get("selector") or inv.opts.get("field-selector")):
            raise KubectlError("resource(s) were provided, but no name was specified")
        items = (
            inv.client.list(
                r.plural,
                None if inv.opts.get("all-namespaces") else ns,
                label_selector=inv.opts.get("selector") or "",
                field_selector=inv.opts.get("field-selector") or "",
            ).get("items")
            or []
        )
        targets += [(r, o["metadata"]["name"]) for o in items]
    deleting = spec.lower() == "delete"
    if not targets and not deleting:
        raise KubectlError("no matching resources found")
    code = 0
    for r, name in targets:
        ns = inv.namespace if r.namespaced else None
        state: dict[str, Any] = {}

        def current() -> dict | None:
            try:
                state["obj"] = inv.client.get(r.plural, name, ns)
                return state["obj"]
            except ApiError as e:
                if e.reason != "NotFound":
                    raise
                return None

        first = current()
        if first is None and deleting:  # kubectl ignores NotFound when waiting for a delete: nothing to say
            continue
        if first is None and spec.lower() != "create":
            raise ApiError(_not_found(r, name))
        if run_until(inv, lambda: pred(current()), timeout):
            obj = state.get("obj") or {"apiVersion": r.api_version, "kind": r.kind, "metadata": {"name": name}}
            inv.write(f"{resource_name(obj)} condition met\n")
        else:
            inv.warn(f"error: timed out waiting for the condition on {r.plural}/{name}")
            code = 1
    return code


def _not_found(r: Any, name: str) -> dict:
    what = r.group_resource
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": f'{what} "{name}" not found',
        "reason": "NotFound",
        "details": {"name": name, "kind": r.plural},
        "code": 404,
    }
