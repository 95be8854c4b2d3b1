"""``kubectl run``: build a Pod from flags (and, with ``--expose``, a Service for it), then create it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ktui.kubectl.errors import KubectlError
from ktui.kubectl.flags import ParsedArgs
from ktui.kubectl.generate import meta_for, parse_labels
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.printers import Printer
from ktui.kubectl.submit import check_output, submit

__all__ = ["valid_image", "PodOptions", "pod_for", "run_service_for"]

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)"
_REFERENCE = re.compile(
    rf"^(?:{_DOMAIN})?{_COMPONENT}(?:/{_COMPONENT})*(?::[\w][\w.-]{{0,127}})?"
    r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,})?$"
)


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


@dataclass(frozen=True)
class PodOptions:
    """What ``kubectl run``'s flags say about the Pod (and, with ``--expose``, its Service)."""

    image: str
    args: tuple[str, ...] = ()
    """The words after NAME (or after ``--``): the container's args, or its command with ``--command``."""
    command: bool = False
    port: int | None = None
    labels: str = ""
    """``--labels`` as given (``a=b,c=d``); none: ``run=NAME``."""
    annotations: tuple[str, ...] = ()
    env: tuple[str, ...] = ()
    image_pull_policy: str = ""
    restart: str = ""
    privileged: bool = False
    overrides: str = ""
    override_type: str = "merge"
    namespace: str = ""
    """``-n`` when given explicitly (kubectl's generator leaves the namespace out otherwise)."""

    @classmethod
    def from_flags(cls, opts: ParsedArgs) -> "PodOptions":
        """The options of a parsed ``kubectl run NAME`` command line.

        Raises:
            KubectlError: ``--port must be a number``.
        """
        port = None
        if opts["port"]:
            if not re.fullmatch(r"-?\d+", opts["port"]):
                raise KubectlError("--port must be a number")
            port = int(opts["port"])
        extra = opts.args[opts.dash_index :] if opts.dash_index >= 0 else opts.args[1:]
        return cls(
            image=opts["image"],
            args=tuple(extra),
            command=bool(opts["command"]),
            port=port,
            labels=opts["labels"] or "",
            annotations=tuple(opts["annotations"] or ()),
            env=tuple(opts["env"] or ()),
            image_pull_policy=opts["image-pull-policy"] or "",
            restart=opts["restart"] or "",
            privileged=bool(opts["privileged"]),
            overrides=opts["overrides"] or "",
            override_type=opts["override-type"],
            namespace=opts.get("namespace") or "",
        )


def pod_for(name: str, options: PodOptions) -> dict:
    """The Pod ``kubectl run NAME`` builds (``generateversioned.BasicPod``, then ``--overrides``): pure.

    Raises:
        KubectlError: with kubectl's message for a bad ``--env``, ``--labels`` or ``--overrides``.
    """
    o = options
    labels = parse_labels(o.labels) if o.labels else {"run": name}
    annotations = dict(a.partition("=")[::2] for a in o.annotations) if o.annotations else None
    c: dict[str, Any] = {"name": name, "image": o.image}
    if o.args:
        c["command" if o.command else "args"] = list(o.args)
    if o.port is not None:
        c["ports"] = [{"containerPort": o.port}]
    if o.env:
        c["env"] = _env(list(o.env))
    c["resources"] = {}
    if o.image_pull_policy:
        c["imagePullPolicy"] = o.image_pull_policy
    spec: dict[str, Any] = {"containers": [c], "restartPolicy": o.restart or "Always", "dnsPolicy": "ClusterFirst"}
    if o.privileged:
        c["securityContext"] = {"privileged": True}
    pod = {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": meta_for(name, o.namespace, labels, annotations),
        "spec": spec,
        "status": {},
    }
    return _override(pod, o.overrides, o.override_type)


def run_service_for(name: str, pod: dict, options: PodOptions) -> dict:
    """The Service ``kubectl run NAME --expose --port=P`` builds for its Pod: pure."""
    selector = pod["metadata"].get("labels") or {}
    return {
        "kind": "Service",
        "apiVersion": "v1",
        "metadata": meta_for(name, options.namespace),
        "spec": {
            "ports": [{"protocol": "TCP", "port": options.port, "targetPort": options.port}],
            "selector": dict(selector),
        },
        "status": {"loadBalancer": {}},
    }


def _override(obj: dict, text: str, kind: str) -> dict:
    if not text:
        return obj
    try:
        patch = json.loads(text)
    except json.JSONDecodeError as e:
        if kind in ("", "merge"):
            raise KubectlError("Invalid JSON Patch") from None
        if kind == "strategic":
            raise KubectlError("invalid JSON document") from None
        if e.pos >= len(text.rstrip()):
            raise KubectlError("unexpected end of JSON input") from None
        raise KubectlError(f"invalid character '{text[e.pos]}' looking for beginning of value") from None
    from ktui.api import patch as patches

    go_type = {dict: "object", list: "array", str: "string", bool: "bool", int: "number", float: "number"}
    try:
        if kind == "json":
            if not isinstance(patch, list):
                raise KubectlError(
                    f"json: cannot unmarshal {go_type.get(type(patch), 'null')} into Go value of type jsonpatch.Patch"
                )
            return patches.apply_json_patch(obj, patch)
        if kind == "strategic":
            return patches.apply_strategic_merge_patch(obj, patch, "Pod")
        if isinstance(patch, list):  # jsonpatch.MergePatch turns the document into the array
            raise KubectlError(
                "couldn't get version/kind; json parse error: json: cannot unmarshal array into Go "
                'value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind '
                'string "json:\\"kind,omitempty\\"" }'
            )
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
    options = PodOptions.from_flags(o)
    if o["expose"] and options.port is None:
        raise KubectlError("--port must be set when exposing a service")
    if not valid_image(o["image"]):
        raise KubectlError(f'invalid image name "{o["image"]}": invalid reference format')
    pod = pod_for(name, options)
    dry = inv.dry_run()
    printer = Printer(o["output"], "created", dry)
    submit(inv, "pods", pod, printer=printer)
    if o["expose"]:
        submit(inv, "services", run_service_for(name, pod, options), printer=printer)
