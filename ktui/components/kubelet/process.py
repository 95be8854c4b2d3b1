"""How the kubelet turns a container spec into a process: argv from command/args and the image, the
environment (explicit values, ConfigMaps and Secrets, the downward API, the ``KUBERNETES_SERVICE_*``
variables), hostname, limits.

``resolve_env`` is the part of the kubelet's ``makeEnvironmentVariables`` that reads API objects: it turns
``envFrom`` and ``valueFrom.configMapKeyRef``/``secretKeyRef``/``resourceFieldRef`` into plain values (or the
kubelet's error, which becomes ``CreateContainerConfigError``); ``process_for`` builds the rest."""

from __future__ import annotations

import ipaddress
from typing import Any

from ktui.api.quantity import parse_quantity
from ktui.components.kubelet.images import ImageInfo
from ktui.components.kubelet.pod_values import SourceError, decode_secret_value, resource_value
from ktui.components.kubelet.volumes import Lookup

__all__ = ["process_for", "resolve_env", "SourceError"]

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
            name = text[i + 2 : end]
            out.append(env[name] if name in env else text[i : end + 1])
            i = end + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def process_for(
    spec_c: dict, pod: dict, info: ImageInfo, pod_ip: str, node_ip: str, cluster_spec: dict[str, Any]
) -> tuple[list[str], dict[str, str], str, int]:
    """(argv, environment, hostname, memory limit in bytes or 0) for one container of ``pod``."""
    spec = pod.get("spec") or {}
    host_network = bool(spec.get("hostNetwork"))
    hostname = spec.get("nodeName", "") if host_network else (spec.get("hostname") or pod["metadata"]["name"])
    env: dict[str, str] = {"PATH": _DEFAULT_PATH, "HOSTNAME": hostname}
    svc_ip = str(next(ipaddress.ip_network(cluster_spec.get("serviceCIDR", "10.96.0.0/12"), strict=False).hosts()))
    env.update(
        {
            "KUBERNETES_SERVICE_HOST": svc_ip,
            "KUBERNETES_SERVICE_PORT": "443",
            "KUBERNETES_SERVICE_PORT_HTTPS": "443",
            "KUBERNETES_PORT": f"tcp://{svc_ip}:443",
            "KUBERNETES_PORT_443_TCP": f"tcp://{svc_ip}:443",
            "KUBERNETES_PORT_443_TCP_PROTO": "tcp",
            "KUBERNETES_PORT_443_TCP_PORT": "443",
            "KUBERNETES_PORT_443_TCP_ADDR": svc_ip,
        }
    )
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


def _escape(value: str) -> str:
    """A resolved value passed on as ``value``: ``$`` doubled so ``$(VAR)`` in it is not expanded."""
    return value.replace("$", "$$")


def resolve_env(spec_c: dict, pod: dict, lookup: Lookup, allocatable: dict[str, str]) -> dict:
    """``spec_c`` with ``envFrom`` and the API-backed ``valueFrom`` sources replaced by plain ``value`` entries,
    as pkg/kubelet/kubelet_pods.go ``makeEnvironmentVariables`` resolves them (envFrom first, in order, every
    key taken, with ``prefix``; then ``env``, which overrides; optional sources that are missing are skipped).

    Args:
        spec_c: the container spec.
        pod: its pod.
        lookup: ``lookup(resource, name)`` -> the object in the pod's namespace or None (not found); raises
            ``SourceError`` when the kubelet cannot read it at all.
        allocatable: the node's allocatable resources (a ``resourceFieldRef`` to an unset limit reads it).

    Raises:
        SourceError: the kubelet's message (``configmap "x" not found``, ``couldn't find key k in ConfigMap
            ns/x``, ``secret "x" not found``, ``couldn't find key k in Secret ns/x``).
    """
    if not spec_c.get("envFrom") and not any(
        (e.get("valueFrom") or {}).keys() & {"configMapKeyRef", "secretKeyRef", "resourceFieldRef"}
        for e in spec_c.get("env") or []
        if not e.get("value")
    ):
        return spec_c
    namespace = (pod.get("metadata") or {}).get("namespace", "default")
    cache: dict[tuple[str, str], dict | None] = {}

    def get(resource: str, name: str, optional: bool) -> dict | None:
        key = (resource, name)
        if key not in cache:
            cache[key] = lookup(resource, name)
        obj = cache[key]
        if obj is None and not optional:
            raise SourceError(f'{"configmap" if resource == "configmaps" else "secret"} "{name}" not found')
        return obj

    out: list[dict] = []
    for src in spec_c.get("envFrom") or []:
        prefix = src.get("prefix") or ""
        if src.get("configMapRef") is not None:
            ref = src["configMapRef"]
            cm = get("configmaps", ref.get("name", ""), bool(ref.get("optional")))
            for k, v in ((cm or {}).get("data") or {}).items():
                out.append({"name": prefix + k, "value": _escape(str(v))})
        elif src.get("secretRef") is not None:
            ref = src["secretRef"]
            secret = get("secrets", ref.get("name", ""), bool(ref.get("optional")))
            for k, v in ((secret or {}).get("data") or {}).items():
                out.append({"name": prefix + k, "value": _escape(decode_secret_value(v))})
    for e in spec_c.get("env") or []:
        vf = e.get("valueFrom") or {}
        if e.get("value") or not vf:
            out.append(e)
        elif vf.get("configMapKeyRef") is not None:
            ref = vf["configMapKeyRef"]
            name, key, optional = ref.get("name", ""), ref.get("key", ""), bool(ref.get("optional"))
            cm = get("configmaps", name, optional)
            data = (cm or {}).get("data") or {}
            if key not in data:
                if optional:
                    continue
                raise SourceError(f"couldn't find key {key} in ConfigMap {namespace}/{name}")
            out.append({"name": e.get("name", ""), "value": _escape(str(data[key]))})
        elif vf.get("secretKeyRef") is not None:
            ref = vf["secretKeyRef"]
            name, key, optional = ref.get("name", ""), ref.get("key", ""), bool(ref.get("optional"))
            secret = get("secrets", name, optional)
            data = (secret or {}).get("data") or {}
            if key not in data:
                if optional:
                    continue
                raise SourceError(f"couldn't find key {key} in Secret {namespace}/{name}")
            out.append({"name": e.get("name", ""), "value": _escape(decode_secret_value(data[key]))})
        elif vf.get("resourceFieldRef") is not None:
            value = resource_value(vf["resourceFieldRef"], pod, spec_c, allocatable)
            out.append({"name": e.get("name", ""), "value": value})
        else:
            out.append(e)
    resolved = {k: v for k, v in spec_c.items() if k != "envFrom"}
    resolved["env"] = out
    return resolved
