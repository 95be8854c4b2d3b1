"""``kubectl create service clusterip|nodeport|loadbalancer|externalname``."""

from __future__ import annotations

import re
from typing import Any

from ktui.kubectl.errors import KubectlError
from ktui.kubectl.generate import meta, one_name
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.submit import submit

__all__: list[str] = []


def _parse_port(text: str) -> int:
    if not re.fullmatch(r"\d+", text):
        raise KubectlError(f'strconv.ParseUint: parsing "{text}": invalid syntax')
    return int(text)


def _service(inv: Invocation, kind: str) -> None:
    name = one_name(inv)
    tcp = inv.opts.get("tcp", [])
    if kind in ("ClusterIP", "NodePort", "LoadBalancer") and not tcp and inv.opts.get("clusterip") != "None":
        raise KubectlError("at least one tcp port specifier must be provided")
    if kind == "ExternalName" and not inv.opts.get("external-name"):
        raise KubectlError('required flag(s) "external-name" not set')
    ports = []
    for spec in tcp:
        port_text, _, target_text = spec.partition(":")
        port = _parse_port(port_text)
        target: int | str = port
        if target_text:
            target = int(target_text) if re.fullmatch(r"\d+", target_text) else target_text
        p: dict[str, Any] = {"name": spec.replace(":", "-"), "protocol": "TCP", "port": port, "targetPort": target}
        if inv.opts.get("node-port", 0):
            p["nodePort"] = inv.opts["node-port"]
        ports.append(p)
    labels = {"app": name}
    spec_: dict[str, Any] = {}
    if ports:
        spec_["ports"] = ports
    spec_["selector"] = dict(labels)
    if inv.opts.get("clusterip"):
        spec_["clusterIP"] = inv.opts["clusterip"]
    spec_["type"] = kind
    if kind == "ExternalName":
        spec_["externalName"] = inv.opts["external-name"]
    obj = {"kind": "Service", "apiVersion": "v1", "metadata": meta(inv, name, labels), "spec": spec_,
           "status": {"loadBalancer": {}}}
    submit(inv, "services", obj, failed=f"failed to create {kind} service: ")


@command("create service clusterip")
def create_service_clusterip(inv: Invocation) -> None:
    _service(inv, "ClusterIP")


@command("create service nodeport")
def create_service_nodeport(inv: Invocation) -> None:
    _service(inv, "NodePort")


@command("create service loadbalancer")
def create_service_loadbalancer(inv: Invocation) -> None:
    _service(inv, "LoadBalancer")


@command("create service externalname", required=("external-name",))
def create_service_externalname(inv: Invocation) -> None:
    _service(inv, "ExternalName")
