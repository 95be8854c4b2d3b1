"""``kubectl run``: build a Pod from flags (and, with ``--expose``, a Service for it), then create it."""

from __future__ import annotations

import json
import re
from typing import Any

from ktui.kubectl.errors import KubectlError
from ktui.kubectl.generate import meta, parse_labels
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.printers import Printer
from ktui.kubectl.submit import check_output, submit

__all__ = ["valid_image"]

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)"
_REFERENCE = re.compile(rf"^(?:{_DOMAIN})?{_COMPONENT}(?:/{_COMPONENT})*(?::[\w][\w.-]{{0,127}})?"
                        r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,})?$")


def valid_image(image: str) -> bool:
    """Whether ``image`` is a docker reference kubectl accepts."""
    return bool(_REFERENCE.match(image))


def _env(specs: list[str]) -> list[dict]:
    env = []
    for spec in specs:
        name, eq, value = spec.partition("=")
        if not eq or not name:
            raise KubectlError(f"invalid env: {spec}")
        env.append({"name": name, "value": value})
    return env


def _pod(inv: Invocation, name: str, port: int | None) -> dict:
    o = inv.opts
    labels = parse_labels(o["labels"]) if o["labels"] else {"run": name}
    annotations = dict(a.partition("=")[::2] for a in o["annotations"]) if o["annotations"] else None
    extra = inv.args[inv.opts.dash_index:] if inv.opts.dash_index >= 0 else inv.args[1:]
    c: dict[str, Any] = {"name": name, "image": o["image"]}
    if extra:
        c["command" if o["command"] else "args"] = extra
    if port is not None:
        c["ports"] = [{"containerPort": port}]
    if o["env"]:
        c["env"] = _env(o["env"])
    c["resources"] = {}
    if o["image-pull-policy"]:
        c["imagePullPolicy"] = o["image-pull-policy"]
    spec: dict[str, Any] = {"containers": [c], "restartPolicy": o["restart"] or "Always", "dnsPolicy": "ClusterFirst"}
    if o["privileged"]:
        c["securityContext"] = {"privileged": True}
    return {"kind": "Pod", "apiVersion": "v1", "metadata": meta(inv, name, labels, annotations), "spec": spec,
            "status": {}}


def _override(inv: Invocation, obj: dict) -> dict:
    text = inv.opts["overrides"]
    if not text:
        return obj
    try:
        patch = json.loads(text)
    except json.JSONDecodeError as e:
        kind = inv.opts["override-type"]
        if kind in ("", "merge"):
            raise KubectlError("Invalid JSON Patch") from None
        if kind == "strategic":
            raise KubectlError("invalid JSON document") from None
        if e.pos >= len(text.rstrip()):
            raise KubectlError("unexpected end of JSON input") from None
        raise KubectlError(f"invalid character '{text[e.pos]}' looking for beginning of value") from None
    from ktui.api import patch as patches

    kind = inv.opts["override-type"]
    go_type = {dict: "object", list: "array", str: "string", bool: "bool", int: "number", float: "number"}
    try:
        if kind == "json":
            if not isinstance(patch, list):
                raise KubectlError(f"json: cannot unmarshal {go_type.get(type(patch), 'null')} into Go value of "
                                   "type jsonpatch.Patch")
            return patches.apply_json_patch(obj, patch)
        if kind == "strategic":
            return patches.apply_strategic_merge_patch(obj, patch, "Pod")
        if isinstance(patch, list):  # jsonpatch.MergePatch turns the document into the array
            raise KubectlError('couldn\'t get version/kind; json parse error: json: cannot unmarshal array into Go '
                               'value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind '
                               'string "json:\\"kind,omitempty\\"" }')
        if not isinstance(patch, dict):
            raise KubectlError("Invalid JSON Patch")
        return patches.apply_merge_patch(obj, patch)
    except patches.PatchError as e:
        raise KubectlError(e.detail) from None


@command("run", required=("image",))
def run(inv: Invocation) -> None:
    """``kubectl run NAME --image=IMAGE [flags] [-- COMMAND ARGS...]``."""
    o = inv.opts
    if not o["image"]:
        raise KubectlError('required flag(s) "image" not set')
    if not inv.args or inv.opts.dash_index == 0:
        raise KubectlError("NAME is required for run")
    name = inv.args[0]
    check_output(inv)
    if o["stdin"] or o["tty"] or o["attach"] or o["rm"]:
        raise KubectlError("ktui cannot attach to a container yet; run without -i, -t, --attach and --rm")
    if o["restart"] not in ("", "Always", "OnFailure", "Never"):
        raise KubectlError(f"invalid restart policy: {o['restart']}, valid values are: Always, OnFailure, Never")
    port = None
    if o["port"]:
        if not re.fullmatch(r"-?\d+", o["port"]):
            raise KubectlError("--port must be a number")
        port = int(o["port"])
    if o["expose"] and port is None:
        raise KubectlError("--port must be set when exposing a service")
    if not valid_image(o["image"]):
        raise KubectlError(f'invalid image name "{o["image"]}": invalid reference format')
    pod = _override(inv, _pod(inv, name, port))
    dry = inv.dry_run()
    printer = Printer(o["output"], "created", dry)
    submit(inv, "pods", pod, printer=printer)
    if o["expose"]:
        selector = (pod["metadata"].get("labels") or {})
        svc = {"kind": "Service", "apiVersion": "v1", "metadata": meta(inv, name),
               "spec": {"ports": [{"protocol": "TCP", "port": port, "targetPort": port}], "selector": dict(selector)},
               "status": {"loadBalancer": {}}}
        submit(inv, "services", svc, printer=printer)
