"""``kubectl expose``: a Service for a pod, service, deployment, replica set or replication controller."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from ktui.api.errors import ApiError
from ktui.kubectl import manifests
from ktui.kubectl.builder import NO_RESOURCES, resource_args
from ktui.kubectl.errors import KubectlError
from ktui.kubectl.flags import ParsedArgs
from ktui.kubectl.generate import parse_labels
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.printers import Printer
from ktui.kubectl.submit import check_output, prepare, submit

__all__ = ["ServiceOptions", "service_for"]

_EXPOSABLE = {"Pod", "Service", "ReplicationController", "Deployment", "ReplicaSet"}


def _selector(obj: dict) -> dict[str, str]:
    """MapBasedSelectorForObject: the selector a Service for ``obj`` gets, or kubectl's reason why none."""
    kind, spec = obj["kind"], obj.get("spec") or {}
    why = "couldn't retrieve selectors via --selector flag or introspection: "
    if kind == "Pod":
        if not (obj.get("metadata") or {}).get("labels"):
            raise KubectlError(why + "the pod has no labels and cannot be exposed")
        return dict((obj["metadata"].get("labels") or {}))
    if kind == "Service" and spec.get("selector") is None:
        raise KubectlError(why + "the service has no pod selector set")
    if kind in ("Service", "ReplicationController"):
        return dict(spec.get("selector") or {})
    if kind == "Deployment" and spec.get("selector") is None:
        return dict(((spec.get("template") or {}).get("metadata") or {}).get("labels") or {})
    sel = spec.get("selector") or {}
    if sel.get("matchExpressions"):
        raise KubectlError(
            'couldn\'t convert expressions - "{}" to map-based selector format'.format(sel["matchExpressions"])
        )
    return dict(sel.get("matchLabels") or {})


def _ports(obj: dict) -> list[dict]:
    kind, spec = obj["kind"], obj.get("spec") or {}
    if kind == "Service":
        return [{"port": p["port"], "protocol": p.get("protocol", "TCP")} for p in spec.get("ports") or []]
    pod_spec = spec if kind == "Pod" else ((spec.get("template") or {}).get("spec") or {})
    return [
        {"port": p["containerPort"], "protocol": p.get("protocol", "TCP")}
        for c in pod_spec.get("containers") or []
        for p in c.get("ports") or []
    ]


def _atoi(text: str) -> int:
    """Go's strconv.Atoi, with its error."""
    if not re.fullmatch(r"[+-]?\d+", text):
        raise KubectlError(f'strconv.Atoi: parsing "{text}": invalid syntax')
    if not -(1 << 63) <= int(text) < (1 << 63):
        raise KubectlError(f'strconv.Atoi: parsing "{text}": value out of range')
    return int(text)


def _target(text: str) -> int | str:
    return int(text) if re.fullmatch(r"\d+", text) else text


@dataclass(frozen=True)
class ServiceOptions:
    """What ``kubectl expose``'s flags say about the Service; an empty value takes it from the exposed object."""

    name: str = ""
    selector: str = ""
    port: str = ""
    protocol: str = ""
    target_port: str = ""
    labels: str = ""
    cluster_ip: str = ""
    type: str = ""
    external_ip: str = ""
    session_affinity: str = ""
    load_balancer_ip: str = ""

    @classmethod
    def from_flags(cls, opts: Mapping[str, Any] | ParsedArgs) -> "ServiceOptions":
        """The options of a parsed ``kubectl expose`` command line (``--target-port`` -> ``target_port``)."""
        return cls(**{f: opts[f.replace("_", "-")] or "" for f in cls.__dataclass_fields__})


def service_for(obj: dict, options: ServiceOptions) -> dict:
    """The Service ``kubectl expose`` builds for ``obj`` (kubectl's ``ServiceGeneratorV2``): a pure function.

    Raises:
        KubectlError: with kubectl's message when ``obj`` cannot be exposed as the options say.
    """
    o = options
    kind = obj["kind"]
    if kind not in _EXPOSABLE:
        raise KubectlError(f"cannot expose a {kind}")
    selector = parse_labels(o.selector) if o.selector else _selector(obj)
    if not selector:
        raise KubectlError(
            f"couldn't retrieve selectors via --selector flag or introspection: the {kind.lower()} has no selectors"
        )
    if o.port:
        protocol = o.protocol or "TCP"
        ports = [{"port": _atoi(p), "protocol": protocol} for p in o.port.split(",")]
    else:
        ports = _ports(obj)
        if o.protocol:
            ports = [{**p, "protocol": o.protocol} for p in ports]
    if not ports:
        raise KubectlError("couldn't find port via --port flag or introspection")
    service_ports = []
    for i, p in enumerate(ports):
        sp: dict[str, Any] = {}
        if len(ports) > 1:
            sp["name"] = f"port-{i + 1}"
        sp["protocol"] = p["protocol"]
        sp["port"] = p["port"]
        sp["targetPort"] = _target(o.target_port) if o.target_port else p["port"]
        service_ports.append(sp)
    labels = parse_labels(o.labels) if o.labels else dict(obj["metadata"].get("labels") or {})
    md: dict[str, Any] = {"name": o.name or obj["metadata"]["name"]}
    if labels:
        md["labels"] = labels
    spec: dict[str, Any] = {"ports": service_ports, "selector": selector}
    if o.cluster_ip:
        spec["clusterIP"] = o.cluster_ip
    if o.type:
        spec["type"] = o.type
    if o.external_ip:
        spec["externalIPs"] = [o.external_ip]
    if o.session_affinity:
        spec["sessionAffinity"] = o.session_affinity
    if o.load_balancer_ip:
        spec["loadBalancerIP"] = o.load_balancer_ip
    return {"kind": "Service", "apiVersion": "v1", "metadata": md, "spec": spec, "status": {"loadBalancer": {}}}


@command("expose")
def expose(inv: Invocation) -> None:
    """``kubectl expose (-f FILE | TYPE NAME) [--port=port] [--name=name] [--type=type] ...``."""
    check_output(inv)
    objs: list[tuple[dict, str]] = []
    if inv.opts["filename"]:
        # the builder hands over the file's objects as they are: no server lookup
        for m in manifests.read_manifests(
            inv.opts["filename"], recursive=inv.opts["recursive"], stdin=inv.stdin, cwd=inv.env.cwd
        ):
            r = manifests.resolve(m)
            obj = prepare(inv, m, r.namespaced)
            objs.append((obj, obj["metadata"].get("namespace") or inv.namespace))
    else:
        pairs = resource_args(inv, inv.args)
        if not pairs:
            raise KubectlError(NO_RESOURCES)
        for resource, name in pairs:
            if not name:
                raise KubectlError("resource(s) were provided, but no name was specified")
            try:
                inv.client.resource(resource)
            except ApiError:
                raise KubectlError(f'the server doesn\'t have a resource type "{resource}"') from None
            objs.append((inv.client.get(resource, name, inv.namespace), inv.namespace))
    printer = Printer(inv.opts["output"], "exposed", inv.dry_run())
    options = ServiceOptions.from_flags(inv.opts)
    for obj, namespace in objs:
        submit(inv, "services", service_for(obj, options), printer=printer, namespace=namespace)
