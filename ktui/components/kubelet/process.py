"""How the kubelet turns a container spec into a process: argv from command/args and the image, the
environment (explicit values, the downward API, the ``KUBERNETES_SERVICE_*`` variables), hostname, limits."""

from __future__ import annotations

import ipaddress
from typing import Any

from ktui.api.quantity import parse_quantity
from ktui.components.kubelet.images import ImageInfo

__all__ = ["process_for"]

_DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def _field_ref(path: str, pod: dict, pod_ip: str, node_ip: str) -> str:
    md, spec = pod.get("metadata") or {}, pod.get("spec") or {}
    if path.startswith("metadata.labels['") or path.startswith("metadata.annotations['"):
        kind = "labels" if "labels" in path else "annotations"
        key = path.split("['", 1)[1].rstrip("']")
        return (md.get(kind) or {}).get(key, "")
    return {
        "metadata.name": md.get("name", ""),
        "metadata.namespace": md.get("namespace", ""),
        "metadata.uid": md.get("uid", ""),
        "spec.nodeName": spec.get("nodeName", ""),
        "spec.serviceAccountName": spec.get("serviceAccountName", ""),
        "status.podIP": pod_ip,
        "status.podIPs": pod_ip,
        "status.hostIP": node_ip,
        "status.hostIPs": node_ip,
    }.get(path, "")


def _expand(text: str, env: dict[str, str]) -> str:
    """``$(VAR)`` references in command, args and env values, as the kubelet expands them."""
    out, i = [], 0
    while i < len(text):
        if text.startswith("$$", i):
            out.append("$")
            i += 2
        elif text.startswith("$(", i) and ")" in text[i:]:
            end = text.index(")", i)
            name = text[i + 2:end]
            out.append(env[name] if name in env else text[i:end + 1])
            i = end + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def process_for(spec_c: dict, pod: dict, info: ImageInfo, pod_ip: str, node_ip: str,
                cluster_spec: dict[str, Any]) -> tuple[list[str], dict[str, str], str, int]:
    """(argv, environment, hostname, memory limit in bytes or 0) for one container of ``pod``."""
    spec = pod.get("spec") or {}
    host_network = bool(spec.get("hostNetwork"))
    hostname = spec.get("nodeName", "") if host_network else (spec.get("hostname") or pod["metadata"]["name"])
    env: dict[str, str] = {"PATH": _DEFAULT_PATH, "HOSTNAME": hostname}
    svc_ip = str(next(ipaddress.ip_network(cluster_spec.get("serviceCIDR", "10.96.0.0/12"), strict=False).hosts()))
    env.update({
        "KUBERNETES_SERVICE_HOST": svc_ip, "KUBERNETES_SERVICE_PORT": "443",
        "KUBERNETES_SERVICE_PORT_HTTPS": "443", "KUBERNETES_PORT": f"tcp://{svc_ip}:443",
        "KUBERNETES_PORT_443_TCP": f"tcp://{svc_ip}:443", "KUBERNETES_PORT_443_TCP_PROTO": "tcp",
        "KUBERNETES_PORT_443_TCP_PORT": "443", "KUBERNETES_PORT_443_TCP_ADDR": svc_ip,
    })
    for e in spec_c.get("env") or []:
        name = e.get("name", "")
        if "value" in e:
            env[name] = _expand(str(e.get("value") or ""), env)
        elif (e.get("valueFrom") or {}).get("fieldRef"):
            env[name] = _field_ref(e["valueFrom"]["fieldRef"].get("fieldPath", ""), pod, pod_ip, node_ip)
        else:
            env[name] = ""
    env.setdefault("HOME", "/root")
    command = [_expand(str(x), env) for x in spec_c.get("command") or []]
    args = [_expand(str(x), env) for x in spec_c.get("args") or []]
    if command:
        argv = command + args
    else:
        argv = list(info.entrypoint) + (args if spec_c.get("args") is not None else list(info.cmd))
    limit = ((spec_c.get("resources") or {}).get("limits") or {}).get("memory")
    memory = int(parse_quantity(str(limit))) if limit else 0
    return argv, env, hostname, memory
