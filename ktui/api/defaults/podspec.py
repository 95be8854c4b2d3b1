"""Defaults for a PodSpec and everything inside it (containers, probes, volumes), shared by Pod and templates.

Follows pkg/apis/core/v1/defaults.go (``SetDefaults_PodSpec``, ``_Container``, ``_Probe``, ``_Volume``...) and the
generated ``zz_generated.defaults.go`` walk. Missing keys are appended in the Go struct field order, so a
defaulted object serialises like the real API's JSON after the keys the client sent.
"""

from __future__ import annotations

import functools
from typing import Any

from ktui.api.quantity import Quantity, QuantityError

__all__ = [
    "default_container",
    "default_pod_spec",
    "default_pod_template",
    "default_resource_list",
    "image_tag",
    "put",
]

Obj = dict[str, Any]


def put(obj: Obj, key: str, value: Any) -> None:
    """Set ``obj[key]`` when it is missing or null (a Go nil pointer / empty string)."""
    if obj.get(key) in (None, ""):
        obj[key] = value


def _dict(obj: Obj, key: str) -> Obj | None:
    value = obj.get(key)
    return value if isinstance(value, dict) else None


def _list(obj: Obj, key: str) -> list[Any]:
    value = obj.get(key)
    return value if isinstance(value, list) else []


def image_tag(image: str) -> str:
    """The tag of an image reference as ``parsers.ParseImageName`` sees it (``latest`` when none is given).

    Args:
        image: e.g. ``nginx``, ``nginx:1.27``, ``registry:5000/app@sha256:...``.

    Returns:
        The tag, ``latest`` for a bare name, or ``""`` for a digest-only reference.
    """
    ref = image.strip()
    if not ref:
        return ""
    if "@" in ref:
        ref, _ = ref.split("@", 1)
        last = ref.rsplit("/", 1)[-1]
        return last.split(":", 1)[1] if ":" in last else ""
    last = ref.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else "latest"


def default_resource_list(resources: Any) -> None:
    """Round every quantity up to milli precision and store it canonically (``SetDefaults_ResourceList``).

    Values that do not parse are left alone for validation to report.
    """
    if not isinstance(resources, dict):
        return
    for name, raw in list(resources.items()):
        if isinstance(raw, str):
            rounded = _rounded_milli(raw)  # the same few strings come again and again
        else:
            try:
                rounded = str(Quantity.parse(raw).round_up(-3))
            except QuantityError:
                rounded = None
        if rounded is not None:
            resources[name] = rounded


@functools.lru_cache(maxsize=4096)
def _rounded_milli(raw: str) -> str | None:
    """The canonical text of a quantity rounded up to milli precision, or None when it does not parse."""
    try:
        return str(Quantity.parse(raw).round_up(-3))
    except QuantityError:
        return None


def _default_http_get(action: Obj | None) -> None:
    if action is None:
        return
    put(action, "path", "/")
    put(action, "scheme", "HTTP")


def _default_handler(handler: Obj | None) -> None:
    if handler is None:
        return
    _default_http_get(_dict(handler, "httpGet"))
    grpc = _dict(handler, "grpc")
    if grpc is not None and grpc.get("service") is None:
        grpc["service"] = ""  # +default="" on GRPCAction.Service


def _default_probe(probe: Obj | None) -> None:
    if probe is None:
        return
    _default_handler(probe)
    for key, value in (("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1), ("failureThreshold", 3)):
        if not probe.get(key):
            probe[key] = value


def _default_field_ref(ref: Obj | None) -> None:
    if ref is not None:
        put(ref, "apiVersion", "v1")


def default_container(container: Obj) -> None:
    """Default one container in place (ports, env, resources, probes, lifecycle, pull policy, messages)."""
    for port in _list(container, "ports"):
        if isinstance(port, dict):
            put(port, "protocol", "TCP")
    for env in _list(container, "env"):
        if isinstance(env, dict) and isinstance(env.get("valueFrom"), dict):
            _default_field_ref(_dict(env["valueFrom"], "fieldRef"))
    resources = container.get("resources")
    if not isinstance(resources, dict):
        resources = container["resources"] = {}
    default_resource_list(resources.get("limits"))
    default_resource_list(resources.get("requests"))
    for key in ("livenessProbe", "readinessProbe", "startupProbe"):
        _default_probe(_dict(container, key))
    lifecycle = _dict(container, "lifecycle")
    if lifecycle is not None:
        _default_handler(_dict(lifecycle, "postStart"))
        _default_handler(_dict(lifecycle, "preStop"))
    put(container, "terminationMessagePath", "/dev/termination-log")
    put(container, "terminationMessagePolicy", "File")
    put(
        container,
        "imagePullPolicy",
        "Always" if image_tag(str(container.get("image") or "")) == "latest" else "IfNotPresent",
    )


_VOLUME_SOURCES = (
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
)


def _default_volume(volume: Obj) -> None:
    if not any(volume.get(key) is not None for key in _VOLUME_SOURCES):
        volume["emptyDir"] = {}
    for key in ("secret", "configMap", "downwardAPI", "projected"):
        source = _dict(volume, key)
        if source is not None:
            put(source, "defaultMode", 420)  # 0644
    if (host := _dict(volume, "hostPath")) is not None and host.get("type") is None:
        host["type"] = ""
    if (downward := _dict(volume, "downwardAPI")) is not None:
        for item in _list(downward, "items"):
            if isinstance(item, dict):
                _default_field_ref(_dict(item, "fieldRef"))
    if (projected := _dict(volume, "projected")) is not None:
        for source in _list(projected, "sources"):
            if not isinstance(source, dict):
                continue
            if (token := _dict(source, "serviceAccountToken")) is not None:
                put(token, "expirationSeconds", 3600)
            if (downward := _dict(source, "downwardAPI")) is not None:
                for item in _list(downward, "items"):
                    if isinstance(item, dict):
                        _default_field_ref(_dict(item, "fieldRef"))
    if (ephemeral := _dict(volume, "ephemeral")) is not None:
        template = _dict(ephemeral, "volumeClaimTemplate")
        if template is not None and (spec := _dict(template, "spec")) is not None:
            put(spec, "volumeMode", "Filesystem")
    if (image := _dict(volume, "image")) is not None:
        put(
            image,
            "pullPolicy",
            "Always" if image_tag(str(image.get("reference") or "")) == "latest" else "IfNotPresent",
        )


def default_pod_spec(spec: Obj) -> None:
    """Default a PodSpec in place, as for both Pods and pod templates (``SetDefaults_PodSpec`` and nested)."""
    for volume in _list(spec, "volumes"):
        if isinstance(volume, dict):
            _default_volume(volume)
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for container in _list(spec, key):
            if isinstance(container, dict):
                default_container(container)
    # Appended in PodSpec field order: restartPolicy, terminationGracePeriodSeconds, dnsPolicy,
    # securityContext, schedulerName.
    put(spec, "restartPolicy", "Always")
    put(spec, "terminationGracePeriodSeconds", 30)
    put(spec, "dnsPolicy", "ClusterFirst")
    if spec.get("securityContext") is None:
        spec["securityContext"] = {}
    put(spec, "schedulerName", "default-scheduler")
    default_resource_list(spec.get("overhead"))


def default_pod_template(template: Any) -> None:
    """Default a PodTemplateSpec in place (only its spec is defaulted; metadata is left as sent)."""
    if not isinstance(template, dict):
        return
    spec = template.get("spec")
    if not isinstance(spec, dict):
        spec = template["spec"] = {}
    default_pod_spec(spec)
