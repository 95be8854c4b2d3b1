"""``kubectl create service clusterip|nodeport|loadbalancer|externalname``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ktui.kubectl.errors import KubectlError
from ktui.kubectl.flags import ParsedArgs
from ktui.kubectl.generate import meta_for, one_name
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.submit import submit

__all__ = ["CreateServiceOptions", "create_service_for"]


def _parse_port(text: str) -> int:
    if not re.fullmatch(r"\d+", text):
        raise KubectlError(f'strconv.ParseUint: parsing "{text}": invalid syntax')
    return int(text)


@dataclass(frozen=True)
class CreateServiceOptions:
    """What ``kubectl create service clusterip|nodeport|loadbalancer|externalname``'s flags say."""

    type: str
    """ClusterIP, NodePort, LoadBalancer or ExternalName (the subcommand)."""
    tcp: tuple[str, ...] = ()
    """``--tcp`` specs as given: ``PORT`` or ``PORT:TARGET``."""
    cluster_ip: str = ""
    node_port: int = 0
    external_name: str = ""
    namespace: str = ""

    @classmethod
    def from_flags(cls, opts: ParsedArgs, type: str) -> "CreateServiceOptions":
        """The options of a parsed ``kubectl create service TYPE NAME`` command line."""
        return cls(
            type=type,
            tcp=tuple(opts.get("tcp", [])),
            cluster_ip=opts.get("clusterip") or "",
            node_port=opts.get("node-port", 0) or 0,
            external_name=opts.get("external-name") or "",
            namespace=opts.get("namespace") or "",
        )


def create_service_for(name: str, options: CreateServiceOptions) -> dict:
    """The Service ``kubectl create service TYPE NAME`` builds (``ServiceOptions.createService``): pure.

    Raises:
        KubectlError: with kubectl's message for missing ports or external name, or a bad port.
    """
    o, kind = options, options.type
    if kind in ("ClusterIP", "NodePort", "LoadBalancer") and not o.tcp and o.cluster_ip != "None":
        raise KubectlError("at least one tcp port specifier must be provided")
    if kind == "ExternalName" and not o.external_name:
        raise KubectlError('required flag(s) "external-name" not set')
    ports = []
    for spec in o.tcp:
        port_text, _, target_text = spec.partition(":")
        port = _parse_port(port_text)
        target: int | str = port
        if target_text:
            target = int(target_text) if re.fullmatch(r"\d+", target_text) else target_text
        p: dict[str, Any] = {"name": spec.replace(":", "-"), "protocol": "TCP", "port": port, "targetPort": target}
        if o.node_port:
            p["nodePort"] = o.node_port
        ports.append(p)
    labels = {"app": name}
    spec_: dict[str, Any] = {}
    if ports:
        spec_["ports"] = ports
    spec_["selector"] = dict(labels)
    if o.cluster_ip:
        spec_["clusterIP"] = o.cluster_ip
    spec_["type"] = kind
    if kind == "ExternalName":
        spec_["externalName"] = o.external_name
    return {
        "kind": "Service",
        "apiVersion": "v1",
        "metadata": meta_for(name, o.namespace, labels),
        "spec": spec_,
        "status": {"loadBalancer": {}},
    }


def _service(inv: Invocation, kind: str) -> None:
    name = one_name(inv)
    obj = create_service_for(name, CreateServiceOptions.from_flags(inv.opts, kind))
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
