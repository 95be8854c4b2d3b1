"""``kubectl describe pod`` and the pod template block deployments and replica sets share (describe.go)."""

from __future__ import annotations

import json

from ktui.kubectl.describe.base import Writer, annotations_multiline, labels_multiline, rfc1123z, tolerations_multiline

__all__ = ["describe_pod", "pod_template", "controller_of"]


def controller_of(obj: dict) -> str:
    """``printController``: ``ReplicaSet/web-5d4f8`` for the controlling owner, or empty."""
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return f"{ref.get('kind', '')}/{ref.get('name', '')}"
    return ""


def _ports(ports: list[dict], key: str) -> str:
    return ",".join(f"{p.get(key, 0)}/{p.get('protocol', 'TCP')}" for p in ports)


def describe_probe(p: dict) -> str:
    """``DescribeProbe``: ``http-get http://:8080/health delay=0s timeout=1s period=10s successThreshold=1
    failureThreshold=3``."""
    attrs = (
        f"delay={p.get('initialDelaySeconds', 0)}s timeout={p.get('timeoutSeconds', 1)}s "
        f"period={p.get('periodSeconds', 10)}s successThreshold={p.get('successThreshold', 1)} "
        f"failureThreshold={p.get('failureThreshold', 3)}"
    )
    if p.get("exec") is not None:
        return f"exec [{' '.join(p['exec'].get('command') or [])}] {attrs}"
    if p.get("httpGet") is not None:
        h = p["httpGet"]
        host = h.get("host", "")
        port = str(h.get("port", ""))
        hostport = (f"[{host}]:{port}" if ":" in host else f"{host}:{port}") if port else host
        return f"http-get {h.get('scheme', 'HTTP').lower()}://{hostport}{h.get('path', '')} {attrs}"
    if p.get("tcpSocket") is not None:
        t = p["tcpSocket"]
        return f"tcp-socket {t.get('host', '')}:{t.get('port', '')} {attrs}"
    if p.get("grpc") is not None:
        return f"grpc <pod>:{p['grpc'].get('port')} {p['grpc'].get('service', '')} {attrs}"
    return f"unknown {attrs}"


def _state(w: Writer, name: str, state: dict) -> None:
    if state.get("running") is not None:
        w.write(2, f"{name}:\tRunning\n")
        w.write(3, f"Started:\t{rfc1123z(state['running'].get('startedAt'))}\n")
    elif state.get("terminated") is not None:
        t = state["terminated"]
        w.write(2, f"{name}:\tTerminated\n")
        if t.get("reason"):
            w.write(3, f"Reason:\t{t['reason']}\n")
        if t.get("message"):
            w.write(3, f"Message:\t{t['message']}\n")
        w.write(3, f"Exit Code:\t{t.get('exitCode', 0)}\n")
        if t.get("signal"):
            w.write(3, f"Signal:\t{t['signal']}\n")
        w.write(3, f"Started:\t{rfc1123z(t.get('startedAt'))}\n")
        w.write(3, f"Finished:\t{rfc1123z(t.get('finishedAt'))}\n")
    else:
        w.write(2, f"{name}:\tWaiting\n")
        reason = (state.get("waiting") or {}).get("reason")
        if reason:
            w.write(3, f"Reason:\t{reason}\n")


def _resources(w: Writer, res: dict) -> None:
    from ktui.api.quantity import canonical_quantity

    for title, key in (("Limits", "limits"), ("Requests", "requests")):
        values = res.get(key) or {}
        if values:
            w.write(2, f"{title}:\n")
        for name in sorted(values):
            w.write(3, f"{name}:\t{canonical_quantity(values[name])}\n")


def _env(w: Writer, c: dict) -> None:
    if c.get("envFrom"):
        w.write(2, "Environment Variables from:\n")
        for e in c["envFrom"]:
            ref, kind = (
                (e["configMapRef"], "ConfigMap") if e.get("configMapRef") else (e.get("secretRef") or {}, "Secret")
            )
            opt = "true" if ref.get("optional") else "false"
            prefix = f" with prefix '{e['prefix']}'" if e.get("prefix") else ""
            w.write(3, f"{ref.get('name', '')}\t{kind}{prefix}\tOptional: {opt}\n")
    env = c.get("env") or []
    w.write(2, "Environment:" + ("" if env else "\t<none>") + "\n")
    for e in env:
        vf = e.get("valueFrom")
        if vf is None:
            for i, s in enumerate(str(e.get("value", "")).split("\n")):
                w.write(3, f"{e['name']}:\t{s}\n" if i == 0 else f"\t{s}\n")
        elif vf.get("fieldRef"):
            f = vf["fieldRef"]
            w.write(3, f"{e['name']}:\t ({f.get('apiVersion', 'v1')}:{f.get('fieldPath', '')})\n")
        elif vf.get("resourceFieldRef"):
            f = vf["resourceFieldRef"]
            w.write(3, f"{e['name']}:\t{f.get('resource', '')}\n")
        elif vf.get("secretKeyRef"):
            r = vf["secretKeyRef"]
            w.write(
                3,
                f"{e['name']}:\t<set to the key '{r.get('key')}' in secret '{r.get('name')}'>\t"
                f"Optional: {'true' if r.get('optional') else 'false'}\n",
            )
        elif vf.get("configMapKeyRef"):
            r = vf["configMapKeyRef"]
            w.write(
                3,
                f"{e['name']}:\t<set to the key '{r.get('key')}' of config map '{r.get('name')}'>\t"
                f"Optional: {'true' if r.get('optional') else 'false'}\n",
            )


def containers(w: Writer, label: str, specs: list[dict], statuses: list[dict] | None, space: str) -> None:
    """``describeContainers``: one block per container, with its state when statuses are known."""
    by_name = {s.get("name"): s for s in statuses or []}
    w.write(0, f"{space}{label}:{'' if specs else ' <none>'}\n")
    for c in specs:
        st = by_name.get(c.get("name"))
        w.write(1, f"{' ' if space else ''}{c.get('name')}:\n")
        if st is not None:
            w.write(2, f"Container ID:\t{st.get('containerID', '')}\n")
        w.write(2, f"Image:\t{c.get('image', '')}\n")
        if st is not None:
            w.write(2, f"Image ID:\t{st.get('imageID', '')}\n")
        ports = c.get("ports") or []
        for title, key in (("Port", "containerPort"), ("Host Port", "hostPort")):
            text = _ports(ports, key)
            w.write(2, f"{title}s:\t{text}\n" if "," in text else f"{title}:\t{text or '<none>'}\n")
        for title, key in (("Command", "command"), ("Args", "args")):
            if c.get(key):
                w.write(2, f"{title}:\n")
                for item in c[key]:
                    for s in str(item).split("\n"):
                        w.write(3, f"{s}\n")
        if st is not None:
            _state(w, "State", st.get("state") or {})
            if (st.get("lastState") or {}).get("terminated"):
                _state(w, "Last State", st["lastState"])
            w.write(2, f"Ready:\t{'True' if st.get('ready') else 'False'}\n")
            w.write(2, f"Restart Count:\t{st.get('restartCount', 0)}\n")
        _resources(w, c.get("resources") or {})
        for title, key in (("Liveness", "livenessProbe"), ("Readiness", "readinessProbe"), ("Startup", "startupProbe")):
            if c.get(key):
                w.write(2, f"{title}:\t{describe_probe(c[key])}\n")
        _env(w, c)
        mounts = sorted(c.get("volumeMounts") or [], key=lambda m: m.get("mountPath", ""))
        w.write(2, "Mounts:" + ("" if mounts else "\t<none>") + "\n")
        for m in mounts:
            flags = ["ro" if m.get("readOnly") else "rw"]
            if m.get("subPath"):
                flags.append(f"path={json.dumps(m['subPath'])}")
            w.write(3, f"{m.get('mountPath')} from {m.get('name')} ({','.join(flags)})\n")


def _bool(v: object) -> str:
    return "true" if v else "false"


def volumes(w: Writer, vols: list[dict], space: str) -> None:
    """``describeVolumes`` for the volume sources a simulated pod uses."""
    if not vols:
        w.write(0, f"{space}Volumes:\t<none>\n")
        return
    w.write(0, f"{space}Volumes:\n")
    for v in vols:
        w.write(1, f"{' ' if space else ''}{v.get('name')}:\n")
        if v.get("hostPath") is not None:
            hp = v["hostPath"]
            w.write(
                2,
                f"Type:\tHostPath (bare host directory volume)\n    Path:\t{hp.get('path', '')}\n"
                f"    HostPathType:\t{hp['type'] if hp.get('type') is not None else '<none>'}\n",
            )
        elif v.get("emptyDir") is not None:
            ed = v["emptyDir"]
            w.write(
                2,
                f"Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"
                f"    Medium:\t{ed.get('medium', '')}\n    SizeLimit:\t{ed.get('sizeLimit') or '<unset>'}\n",
            )
        elif v.get("secret") is not None:
            s = v["secret"]
            w.write(
                2,
                f"Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{s.get('secretName', '')}\n"
                f"    Optional:\t{_bool(s.get('optional'))}\n",
            )
        elif v.get("configMap") is not None:
            cm = v["configMap"]
            w.write(
                2,
                f"Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{cm.get('name', '')}\n"
                f"    Optional:\t{_bool(cm.get('optional'))}\n",
            )
        elif v.get("persistentVolumeClaim") is not None:
            pvc = v["persistentVolumeClaim"]
            w.write(
                2,
                "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same "
                f"namespace)\n    ClaimName:\t{pvc.get('claimName', '')}\n"
                f"    ReadOnly:\t{_bool(pvc.get('readOnly'))}\n",
            )
        elif v.get("projected") is not None:
            w.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n")
            for src in v["projected"].get("sources") or []:
                if src.get("secret") is not None:
                    w.write(
                        2,
                        f"SecretName:\t{src['secret'].get('name', '')}\n"
                        f"    SecretOptionalName:\t{_bool(src['secret'].get('optional'))}\n",
                    )
                elif src.get("downwardAPI") is not None:
                    w.write(2, "DownwardAPI:\ttrue\n")
                elif src.get("configMap") is not None:
                    w.write(
                        2,
                        f"ConfigMapName:\t{src['configMap'].get('name', '')}\n"
                        f"    Optional:\t{_bool(src['configMap'].get('optional'))}\n",
                    )
                elif src.get("serviceAccountToken") is not None:
                    w.write(
                        2, f"TokenExpirationSeconds:\t{src['serviceAccountToken'].get('expirationSeconds', 3607)}\n"
                    )
        else:
            w.write(1, "<unknown>\n")


def pod_template(w: Writer, template: dict | None) -> None:
    """``DescribePodTemplate``: the ``Pod Template:`` block of deployments, replica sets, jobs."""
    w.write(0, "Pod Template:\n")
    if template is None:
        w.write(1, "<unset>")
        return
    md, spec = template.get("metadata") or {}, template.get("spec") or {}
    labels_multiline(w, "  Labels", md.get("labels"))
    if md.get("annotations"):
        annotations_multiline(w, "  Annotations", md["annotations"])
    if spec.get("serviceAccountName"):
        w.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        containers(w, "Init Containers", spec["initContainers"], None, "  ")
    containers(w, "Containers", spec.get("containers") or [], None, "  ")
    volumes(w, spec.get("volumes") or [], "  ")
    if spec.get("priorityClassName"):
        w.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    labels_multiline(w, "  Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "Tolerations", spec.get("tolerations"), initial="  ")


def describe_pod(w: Writer, pod: dict, now: float) -> None:
    """``describePod`` without its events."""
    from ktui.kubectl.cells import age

    md, spec, st = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    w.write(0, f"Name:\t{md.get('name', '')}\n")
    w.write(0, f"Namespace:\t{md.get('namespace', '')}\n")
    if spec.get("priority") is not None:
        w.write(0, f"Priority:\t{spec['priority']}\n")
    if spec.get("priorityClassName"):
        w.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    if spec.get("runtimeClassName"):
        w.write(0, f"Runtime Class Name:\t{spec['runtimeClassName']}\n")
    if spec.get("serviceAccountName"):
        w.write(0, f"Service Account:\t{spec['serviceAccountName']}\n")
    node = spec.get("nodeName")
    w.write(0, f"Node:\t{node}/{st.get('hostIP', '')}\n" if node else "Node:\t<none>\n")
    if st.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(st['startTime'])}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    if md.get("deletionTimestamp") and st.get("phase") not in ("Failed", "Succeeded"):
        w.write(0, f"Status:\tTerminating (lasts {age(md['deletionTimestamp'], now)})\n")
        w.write(0, f"Termination Grace Period:\t{md.get('deletionGracePeriodSeconds', 0)}s\n")
    else:
        w.write(0, f"Status:\t{st.get('phase', '')}\n")
    if st.get("reason"):
        w.write(0, f"Reason:\t{st['reason']}\n")
    if st.get("message"):
        w.write(0, f"Message:\t{st['message']}\n")
    seccomp = ((pod.get("spec") or {}).get("securityContext") or {}).get("seccompProfile")
    if seccomp is not None:
        w.write(0, f"SeccompProfile:\t{seccomp.get('type', '')}\n")
        if seccomp.get("type") == "Localhost":
            w.write(0, f"LocalhostProfile:\t{seccomp.get('localhostProfile', '')}\n")
    w.write(0, f"IP:\t{st.get('podIP', '')}\n")
    ips = st.get("podIPs") or []
    if ips:
        w.write(0, "IPs:\n")
        for ip in ips:
            w.write(1, f"IP:\t{ip.get('ip', '')}\n")
    else:
        w.write(0, "IPs:\t<none>\n")
    if controller_of(pod):
        w.write(0, f"Controlled By:\t{controller_of(pod)}\n")
    if st.get("nominatedNodeName"):
        w.write(0, f"NominatedNodeName:\t{st['nominatedNodeName']}\n")
    if spec.get("initContainers"):
        containers(w, "Init Containers", spec["initContainers"], st.get("initContainerStatuses"), "")
    containers(w, "Containers", spec.get("containers") or [], st.get("containerStatuses"), "")
    if st.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\n")
        for c in st["conditions"]:
            w.write(1, f"{c.get('type')} \t{c.get('status')} \n")
    volumes(w, spec.get("volumes") or [], "")
    w.write(0, f"QoS Class:\t{st.get('qosClass', '')}\n")
    labels_multiline(w, "Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "Tolerations", spec.get("tolerations"))
