"""Pod and PodSpec validation on create (updates: ``pod_update``), following pkg/apis/core/validation/validation.go.

Objects are validated after defaulting, as kube-apiserver does: a missing ``restartPolicy`` or
``terminationGracePeriodSeconds`` is reported as ``Required value`` because defaulting would have set it.
"""

from __future__ import annotations

from typing import Any

from ktui.api.errors import FieldError
from ktui.api.validation.meta import (
    non_negative,
    validate_annotations,
    validate_label_name,
    validate_labels,
    validate_object_meta,
)
from ktui.api.validation.names import (
    inclusive_range_error,
    is_config_map_key,
    is_dns1123_label,
    is_env_var_name,
    is_http_header_name,
    is_label_value,
    is_port_name,
    is_valid_port_num,
    name_is_dns_subdomain,
)
from ktui.api.validation.resources import validate_resource_requirements

__all__ = [
    "MAX_INT32",
    "validate_pod_create",
    "validate_pod_metadata_and_spec",
    "validate_pod_spec",
    "validate_pod_template",
    "validate_tolerations",
]

Obj = dict[str, Any]
MAX_INT32 = 2**31 - 1
_PROTOCOLS = ["SCTP", "TCP", "UDP"]
_VOLUME_SOURCES = (
    "emptyDir",
    "hostPath",
    "gitRepo",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "flocker",
    "persistentVolumeClaim",
    "rbd",
    "cinder",
    "cephfs",
    "quobyte",
    "downwardAPI",
    "fc",
    "flexVolume",
    "configMap",
    "azureFile",
    "vsphereVolume",
    "photonPersistentDisk",
    "portworxVolume",
    "azureDisk",
    "storageos",
    "projected",
    "scaleIO",
    "csi",
    "ephemeral",
    "image",
)


def _d(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dns_label(value: str, path: str) -> list[FieldError]:
    return [FieldError.invalid(path, value, m) for m in is_dns1123_label(value)]


def _validate_volumes(volumes: Any, path: str) -> tuple[set[str], list[FieldError]]:
    errs: list[FieldError] = []
    names: set[str] = set()
    for i, vol in enumerate(_l(volumes)):
        vol, vpath = _d(vol), f"{path}[{i}]"
        el: list[FieldError] = []
        count = 0
        for key in _VOLUME_SOURCES:
            if vol.get(key) is None:
                continue
            if count:
                el.append(FieldError.forbidden(f"{vpath}.{key}", "may not specify more than 1 volume type"))
            else:
                count += 1
                el += _validate_volume_source(key, _d(vol[key]), f"{vpath}.{key}")
        if not count:
            el.append(FieldError.required(vpath, "must specify a volume type"))
        name = str(vol.get("name") or "")
        el += [FieldError.required(f"{vpath}.name")] if not name else _dns_label(name, f"{vpath}.name")
        if name in names:
            el.append(FieldError.duplicate(f"{vpath}.name", name))
        if el:
            errs += el
        else:
            names.add(name)
    return names, errs


def _validate_volume_source(kind: str, src: Obj, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    if kind in ("configMap", "secret", "downwardAPI", "projected"):
        mode = src.get("defaultMode")
        if mode is not None and not 0 <= mode <= 0o777:
            errs.append(
                FieldError.invalid(
                    f"{path}.defaultMode", mode, "must be a number between 0 and 0777 (octal), both inclusive"
                )
            )
    if kind == "hostPath" and not src.get("path"):
        errs.append(FieldError.required(f"{path}.path"))
    if kind == "persistentVolumeClaim" and not src.get("claimName"):
        errs.append(FieldError.required(f"{path}.claimName"))
    if kind in ("configMap", "secret"):
        for j, item in enumerate(_l(src.get("items"))):
            item = _d(item)
            if not item.get("key"):
                errs.append(FieldError.required(f"{path}.items[{j}].key"))
            if not item.get("path"):
                errs.append(FieldError.required(f"{path}.items[{j}].path"))
    return errs


def _validate_ports(ports: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    names: set[str] = set()
    for i, port in enumerate(_l(ports)):
        port, ppath = _d(port), f"{path}[{i}]"
        name = str(port.get("name") or "")
        if name:
            msgs = is_port_name(name)
            if msgs:
                errs += [FieldError.invalid(f"{ppath}.name", name, m) for m in msgs]
            elif name in names:
                errs.append(FieldError.duplicate(f"{ppath}.name", name))
            else:
                names.add(name)
        cport = port.get("containerPort") or 0
        if cport == 0:
            errs.append(FieldError.required(f"{ppath}.containerPort"))
        else:
            errs += [FieldError.invalid(f"{ppath}.containerPort", cport, m) for m in is_valid_port_num(int(cport))]
        hport = port.get("hostPort") or 0
        if hport:
            errs += [FieldError.invalid(f"{ppath}.hostPort", hport, m) for m in is_valid_port_num(int(hport))]
        proto = port.get("protocol") or ""
        if not proto:
            errs.append(FieldError.required(f"{ppath}.protocol"))
        elif proto not in _PROTOCOLS:
            errs.append(FieldError.not_supported(f"{ppath}.protocol", proto, _PROTOCOLS))
    return errs


def _validate_env(env: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, var in enumerate(_l(env)):
        var, epath = _d(var), f"{path}[{i}]"
        name = str(var.get("name") or "")
        if not name:
            errs.append(FieldError.required(f"{epath}.name"))
        else:
            errs += [FieldError.invalid(f"{epath}.name", name, m) for m in is_env_var_name(name)]
        source = var.get("valueFrom")
        if source is None:
            continue
        source, spath = _d(source), f"{epath}.valueFrom"
        refs = [
            k for k in ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef") if source.get(k) is not None
        ]
        for ref in refs:
            if ref in ("configMapKeyRef", "secretKeyRef"):
                key = str(_d(source[ref]).get("key") or "")
                if not key:
                    errs.append(FieldError.required(f"{spath}.{ref}.key"))
                else:
                    errs += [FieldError.invalid(f"{spath}.{ref}.key", key, m) for m in is_config_map_key(key)]
            elif ref == "fieldRef" and not _d(source[ref]).get("fieldPath"):
                errs.append(FieldError.required(f"{spath}.fieldRef.fieldPath"))
        if not refs:
            errs.append(
                FieldError.invalid(
                    spath,
                    "",
                    "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
                )
            )
        elif var.get("value"):
            errs.append(FieldError.invalid(spath, "", "may not be specified when `value` is not empty"))
        elif len(refs) > 1:
            errs.append(FieldError.invalid(spath, "", "may not have more than one field specified at a time"))
    return errs


def _validate_mounts(mounts: Any, volumes: set[str], path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    seen: set[str] = set()
    for i, mount in enumerate(_l(mounts)):
        mount, mpath = _d(mount), f"{path}[{i}]"
        name, mount_path = str(mount.get("name") or ""), str(mount.get("mountPath") or "")
        if not name:
            errs.append(FieldError.required(f"{mpath}.name"))
        if name not in volumes:
            errs.append(FieldError.not_found(f"{mpath}.name", name))
        if not mount_path:
            errs.append(FieldError.required(f"{mpath}.mountPath"))
        if mount_path in seen:
            errs.append(FieldError.invalid(f"{mpath}.mountPath", mount_path, "must be unique"))
        seen.add(mount_path)
    return errs


def _validate_handler(handler: Obj, path: str, sleep: bool) -> list[FieldError]:
    errs: list[FieldError] = []
    count = 0
    for key in ("exec", "httpGet", "tcpSocket", "grpc") + (("sleep",) if sleep else ()):
        if handler.get(key) is None:
            continue
        if count:
            errs.append(FieldError.forbidden(f"{path}.{key}", "may not specify more than 1 handler type"))
            continue
        count += 1
        action, apath = _d(handler[key]), f"{path}.{key}"
        if key == "exec" and not action.get("command"):
            errs.append(FieldError.required(f"{apath}.command"))
        if key == "httpGet":
            if not action.get("path"):
                errs.append(FieldError.required(f"{apath}.path"))
            errs += _port_num_or_name(action.get("port"), f"{apath}.port")
            if action.get("scheme") not in ("HTTP", "HTTPS"):
                errs.append(FieldError.not_supported(f"{apath}.scheme", action.get("scheme") or "", ["HTTP", "HTTPS"]))
            for header in _l(action.get("httpHeaders")):
                hname = str(_d(header).get("name") or "")
                errs += [FieldError.invalid(f"{apath}.httpHeaders", hname, m) for m in is_http_header_name(hname)]
        if key in ("tcpSocket", "grpc"):
            errs += _port_num_or_name(action.get("port"), f"{apath}.port")
    if not count:
        errs.append(FieldError.required(path, "must specify a handler type"))
    return errs


def _port_num_or_name(port: Any, path: str) -> list[FieldError]:
    if isinstance(port, str):
        return [FieldError.invalid(path, port, m) for m in is_port_name(port)]
    port = int(port or 0)
    return [FieldError.invalid(path, port, m) for m in is_valid_port_num(port)]


def _validate_probe(probe: Any, path: str, kind: str) -> list[FieldError]:
    if probe is None:
        return []
    probe = _d(probe)
    errs = _validate_handler(probe, path, sleep=False)
    for key in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"):
        errs += non_negative(probe.get(key, 0), f"{path}.{key}")
    grace = probe.get("terminationGracePeriodSeconds")
    if grace is not None and grace <= 0:
        errs.append(FieldError.invalid(f"{path}.terminationGracePeriodSeconds", grace, "must be greater than 0"))
    if kind in ("liveness", "startup") and probe.get("successThreshold", 0) != 1:
        errs.append(FieldError.invalid(f"{path}.successThreshold", probe.get("successThreshold", 0), "must be 1"))
    if kind == "readiness" and grace is not None:
        errs.append(
            FieldError.invalid(f"{path}.terminationGracePeriodSeconds", grace, "must not be set for readinessProbes")
        )
    return errs


def _validate_container_common(ctr: Obj, volumes: set[str], path: str) -> list[FieldError]:
    name = str(ctr.get("name") or "")
    errs = [FieldError.required(f"{path}.name")] if not name else _dns_label(name, f"{path}.name")
    if not ctr.get("image"):
        errs.append(FieldError.required(f"{path}.image"))
    policy = ctr.get("terminationMessagePolicy") or ""
    if not policy:
        errs.append(FieldError.required(f"{path}.terminationMessagePolicy"))
    elif policy not in ("File", "FallbackToLogsOnError"):
        errs.append(
            FieldError.not_supported(f"{path}.terminationMessagePolicy", policy, ["File", "FallbackToLogsOnError"])
        )
    errs += _validate_ports(ctr.get("ports"), f"{path}.ports")
    errs += _validate_env(ctr.get("env"), f"{path}.env")
    errs += _validate_mounts(ctr.get("volumeMounts"), volumes, f"{path}.volumeMounts")
    pull = ctr.get("imagePullPolicy") or ""
    if not pull:
        errs.append(FieldError.required(f"{path}.imagePullPolicy"))
    elif pull not in ("Always", "IfNotPresent", "Never"):
        errs.append(FieldError.not_supported(f"{path}.imagePullPolicy", pull, ["Always", "IfNotPresent", "Never"]))
    return errs + validate_resource_requirements(ctr.get("resources"), f"{path}.resources")


def _host_port_conflicts(containers: list[Any], path: str) -> list[FieldError]:
    errs, seen = [], set()
    for ci, ctr in enumerate(containers):
        for pi, port in enumerate(_l(_d(ctr).get("ports"))):
            port = _d(port)
            if not port.get("hostPort"):
                continue
            key = f"{port.get('protocol', '')}/{port.get('hostIP', '')}/{port['hostPort']}"
            if key in seen:
                errs.append(FieldError.duplicate(f"{path}[{ci}].ports[{pi}].hostPort", key))
            seen.add(key)
    return errs


def _validate_containers(spec: Obj, volumes: set[str], path: str) -> list[FieldError]:
    containers = _l(spec.get("containers"))
    if not containers:
        return [FieldError.required(f"{path}.containers")]
    errs: list[FieldError] = []
    names: set[str] = set()
    for i, ctr in enumerate(containers):
        ctr, cpath = _d(ctr), f"{path}.containers[{i}]"
        errs += _validate_container_common(ctr, volumes, cpath)
        name = str(ctr.get("name") or "")
        if name in names:
            errs.append(FieldError.duplicate(f"{cpath}.name", name))
        names.add(name)
        lifecycle = _d(ctr.get("lifecycle"))
        for hook in ("postStart", "preStop"):
            if lifecycle.get(hook) is not None:
                errs += _validate_handler(_d(lifecycle[hook]), f"{cpath}.lifecycle.{hook}", sleep=True)
        errs += _validate_probe(ctr.get("livenessProbe"), f"{cpath}.livenessProbe", "liveness")
        errs += _validate_probe(ctr.get("readinessProbe"), f"{cpath}.readinessProbe", "readiness")
        errs += _validate_probe(ctr.get("startupProbe"), f"{cpath}.startupProbe", "startup")
        if ctr.get("restartPolicy") is not None:
            errs.append(FieldError.forbidden(f"{cpath}.restartPolicy", "may not be set for non-init containers"))
    errs += _host_port_conflicts(containers, f"{path}.containers")
    for i, ctr in enumerate(_l(spec.get("initContainers"))):
        ctr, cpath = _d(ctr), f"{path}.initContainers[{i}]"
        errs += _validate_container_common(ctr, volumes, cpath)
        always = ctr.get("restartPolicy") == "Always"
        if ctr.get("restartPolicy") is not None and not always:
            errs.append(FieldError.not_supported(f"{cpath}.restartPolicy", ctr["restartPolicy"], ["Always"]))
        name = str(ctr.get("name") or "")
        if name in names:
            errs.append(FieldError.duplicate(f"{cpath}.name", name))
        elif name:
            names.add(name)
        for key in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
            if not always and ctr.get(key) is not None:
                errs.append(
                    FieldError.forbidden(
                        f"{cpath}.{key}", "may not be set for init containers without restartPolicy=Always"
                    )
                )
    return errs


def validate_tolerations(tolerations: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, tol in enumerate(_l(tolerations)):
        tol, tpath = _d(tol), f"{path}[{i}]"
        key, op, effect = str(tol.get("key") or ""), tol.get("operator") or "", tol.get("effect") or ""
        if key:
            errs += validate_label_name(key, f"{tpath}.key")
        if not key and op != "Exists":
            errs.append(
                FieldError.invalid(
                    f"{tpath}.operator",
                    op,
                    'operator must be Exists when `key` is empty, which means "match all values and all keys"',
                )
            )
        if tol.get("tolerationSeconds") is not None and effect != "NoExecute":
            errs.append(
                FieldError.invalid(
                    f"{tpath}.effect", effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"
                )
            )
        value = str(tol.get("value") or "")
        if op in ("Equal", ""):
            msgs = is_label_value(value)
            if msgs:
                errs.append(FieldError.invalid(f"{tpath}.operator", value, ";".join(msgs)))
        elif op == "Exists":
            if value:
                errs.append(
                    FieldError.invalid(f"{tpath}.operator", value, "value must be empty when `operator` is 'Exists'")
                )
        else:
            errs.append(FieldError.not_supported(f"{tpath}.operator", op, ["Equal", "Exists"]))
        if effect and effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
            errs.append(
                FieldError.not_supported(f"{tpath}.effect", effect, ["NoSchedule", "PreferNoSchedule", "NoExecute"])
            )
    return errs


def validate_pod_spec(spec: Any, path: str = "spec") -> list[FieldError]:
    """``ValidatePodSpec``: volumes, containers, policies, names, tolerations and scheduling fields."""
    spec = _d(spec)
    errs: list[FieldError] = []
    if spec.get("terminationGracePeriodSeconds") is None:
        errs.append(FieldError.required(f"{path}.terminationGracePeriodSeconds"))
    volumes, verrs = _validate_volumes(spec.get("volumes"), f"{path}.volumes")
    errs += verrs
    errs += _validate_containers(spec, volumes, path)
    restart = spec.get("restartPolicy") or ""
    if not restart:
        errs.append(FieldError.required(f"{path}.restartPolicy"))
    elif restart not in ("Always", "OnFailure", "Never"):
        errs.append(FieldError.not_supported(f"{path}.restartPolicy", restart, ["Always", "OnFailure", "Never"]))
    dns = spec.get("dnsPolicy") or ""
    if not dns:
        errs.append(FieldError.required(f"{path}.dnsPolicy"))
    elif dns not in ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"):
        errs.append(
            FieldError.not_supported(
                f"{path}.dnsPolicy", dns, ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
            )
        )
    errs += validate_labels(spec.get("nodeSelector"), f"{path}.nodeSelector")
    for key in ("serviceAccountName", "nodeName", "priorityClassName"):
        if spec.get(key):
            errs += [FieldError.invalid(f"{path}.{key}", spec[key], m) for m in name_is_dns_subdomain(str(spec[key]))]
    deadline = spec.get("activeDeadlineSeconds")
    if deadline is not None and not 1 <= deadline <= MAX_INT32:
        errs.append(FieldError.invalid(f"{path}.activeDeadlineSeconds", deadline, inclusive_range_error(1, MAX_INT32)))
    for key in ("hostname", "subdomain"):
        if spec.get(key):
            errs += _dns_label(str(spec[key]), f"{path}.{key}")
    errs += validate_tolerations(spec.get("tolerations"), f"{path}.tolerations")
    preemption = spec.get("preemptionPolicy")
    if preemption is not None and preemption not in ("PreemptLowerPriority", "Never"):
        errs.append(FieldError.not_supported(f"{path}.preemptionPolicy", preemption, ["PreemptLowerPriority", "Never"]))
    return errs


def validate_pod_template(template: Any, path: str) -> list[FieldError]:
    """``ValidatePodTemplateSpec``: template labels (reported at ``<path>.labels``), annotations and spec."""
    template = _d(template)
    meta = _d(template.get("metadata"))
    errs = validate_labels(meta.get("labels"), f"{path}.labels")
    errs += validate_annotations(meta.get("annotations"), f"{path}.annotations")
    errs += validate_pod_spec(template.get("spec"), f"{path}.spec")
    if _l(_d(template.get("spec")).get("ephemeralContainers")):
        errs.append(
            FieldError.forbidden(f"{path}.spec.ephemeralContainers", "ephemeral containers not allowed in pod template")
        )
    return errs


def validate_pod_metadata_and_spec(pod: Obj, spec_valid: bool = False) -> list[FieldError]:
    """``validatePodMetadataAndSpec``: the checks shared by Pod create and update. ``spec_valid``: the spec
    is one that passed these checks before (they depend on the spec alone), so only the metadata is checked."""
    errs = validate_object_meta(pod.get("metadata"), True, name_is_dns_subdomain)
    if spec_valid:
        return errs
    spec = _d(pod.get("spec"))
    errs += validate_pod_spec(spec)
    if not spec.get("serviceAccountName"):
        for vi, vol in enumerate(_l(spec.get("volumes"))):
            for si, src in enumerate(_l(_d(_d(vol).get("projected")).get("sources"))):
                if _d(src).get("serviceAccountToken") is not None:
                    errs.append(
                        FieldError.forbidden(
                            f"spec.volumes[{vi}].projected.sources[{si}].serviceAccountToken",
                            "must not be specified when serviceAccountName is not set",
                        )
                    )
    for key in ("containers", "initContainers"):
        for i, ctr in enumerate(_l(spec.get(key))):
            image = str(_d(ctr).get("image") or "")
            if image != image.strip():
                errs.append(
                    FieldError.invalid(f"spec.{key}[{i}].image", image, "must not have leading or trailing whitespace")
                )
    return errs


def validate_pod_create(pod: Obj) -> list[FieldError]:
    """``ValidatePodCreate``."""
    errs = validate_pod_metadata_and_spec(pod)
    spec = _d(pod.get("spec"))
    if _l(spec.get("ephemeralContainers")):
        errs.append(FieldError.forbidden("spec.ephemeralContainers", "cannot be set on create"))
    if spec.get("nodeName") and _l(spec.get("schedulingGates")):
        errs.append(FieldError.forbidden("spec.nodeName", "cannot be set until all schedulingGates have been cleared"))
    return errs
