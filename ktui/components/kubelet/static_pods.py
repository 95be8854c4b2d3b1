"""Static pods: the manifests kubeadm writes to /etc/kubernetes/manifests, and the mirror pods for them.

The specs follow kubeadm's (cmd/kubeadm/app/phases/controlplane/manifests.go and etcd/local.go): host
network, ``system-node-critical``, the ``component``/``tier`` labels, probes on the components' health
endpoints and the usual flags.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ktui.components.kubelet.node_status import KUBELET_VERSION
from ktui.sim.timefmt import EPOCH

__all__ = ["control_plane_manifests", "mirror_pod", "config_hash", "ETCD_IMAGE"]

ETCD_IMAGE = "registry.k8s.io/etcd:3.6.5-0"


def _probe(
    path: str,
    port: int,
    host: str,
    scheme: str = "HTTPS",
    delay: int = 10,
    failures: int = 8,
    period: int = 10,
    timeout: int = 15,
) -> dict:
    return {
        "failureThreshold": failures,
        "httpGet": {"host": host, "path": path, "port": port, "scheme": scheme},
        "initialDelaySeconds": delay,
        "periodSeconds": period,
        "timeoutSeconds": timeout,
    }


def _host_path(name: str, path: str, type_: str) -> tuple[dict, dict]:
    return {"hostPath": {"path": path, "type": type_}, "name": name}, {"mountPath": path, "name": name}


def _pod(
    name: str,
    image: str,
    command: list[str],
    labels: dict,
    annotations: dict,
    cpu: str,
    probes: dict,
    volumes: list[tuple[dict, dict]],
    readonly: tuple[str, ...] = (),
) -> dict:
    mounts = []
    for _, m in volumes:
        m = dict(m)
        if m["name"] in readonly:
            m["readOnly"] = True
        mounts.append(m)
    container = {
        "command": command,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        **probes,
        "name": name,
        "resources": {"requests": {"cpu": cpu}},
        "volumeMounts": mounts,
    }
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"annotations": annotations, "labels": labels, "name": name, "namespace": "kube-system"},
        "spec": {
            "containers": [container],
            "hostNetwork": True,
            "priority": 2000001000,
            "priorityClassName": "system-node-critical",
            "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            "volumes": [v for v, _ in volumes],
        },
    }


def control_plane_manifests(node_ip: str, spec: dict[str, Any]) -> list[dict]:
    """etcd, kube-apiserver, kube-controller-manager and kube-scheduler as kubeadm writes them."""
    pki = _host_path("k8s-certs", "/etc/kubernetes/pki", "DirectoryOrCreate")
    ca = _host_path("ca-certs", "/etc/ssl/certs", "DirectoryOrCreate")
    share = _host_path("usr-share-ca-certificates", "/usr/share/ca-certificates", "DirectoryOrCreate")
    local_share = _host_path("usr-local-share-ca-certificates", "/usr/local/share/ca-certificates", "DirectoryOrCreate")
    etc_ca = _host_path("etc-ca-certificates", "/etc/ca-certificates", "DirectoryOrCreate")
    cp_labels = {"tier": "control-plane"}
    svc_cidr = spec.get("serviceCIDR", "10.96.0.0/12")
    pod_cidr = spec.get("podCIDR", "10.244.0.0/16")
    etcd = _pod(
        "etcd",
        ETCD_IMAGE,
        [
            "etcd",
            f"--advertise-client-urls=https://{node_ip}:2379",
            "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
            "--client-cert-auth=true",
            "--data-dir=/var/lib/etcd",
            "--feature-gates=InitialCorruptCheck=true",
            f"--initial-advertise-peer-urls=https://{node_ip}:2380",
            f"--initial-cluster=controlplane=https://{node_ip}:2380",
            "--key-file=/etc/kubernetes/pki/etcd/server.key",
            f"--listen-client-urls=https://127.0.0.1:2379,https://{node_ip}:2379",
            "--listen-metrics-urls=http://127.0.0.1:2381",
            f"--listen-peer-urls=https://{node_ip}:2380",
            "--name=controlplane",
            "--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt",
            "--peer-client-cert-auth=true",
            "--peer-key-file=/etc/kubernetes/pki/etcd/peer.key",
            "--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
            "--snapshot-count=10000",
            "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
            "--watch-progress-notify-interval=5s",
        ],
        {"component": "etcd", **cp_labels},
        {"kubeadm.kubernetes.io/etcd.advertise-client-urls": f"https://{node_ip}:2379"},
        "100m",
        {
            "livenessProbe": _probe("/livez", 2381, "127.0.0.1", "HTTP"),
            "readinessProbe": _probe("/readyz", 2381, "127.0.0.1", "HTTP", delay=0, failures=3, period=1),
            "startupProbe": _probe("/readyz", 2381, "127.0.0.1", "HTTP", failures=24),
        },
        [
            _host_path("etcd-certs", "/etc/kubernetes/pki/etcd", "DirectoryOrCreate"),
            _host_path("etcd-data", "/var/lib/etcd", "DirectoryOrCreate"),
        ],
    )
    etcd["spec"]["containers"][0]["resources"]["requests"]["memory"] = "100Mi"
    apiserver = _pod(
        "kube-apiserver",
        f"registry.k8s.io/kube-apiserver:{KUBELET_VERSION}",
        [
            "kube-apiserver",
            f"--advertise-address={node_ip}",
            "--allow-privileged=true",
            "--authorization-mode=Node,RBAC",
            "--client-ca-file=/etc/kubernetes/pki/ca.crt",
            "--enable-admission-plugins=NodeRestriction",
            "--enable-bootstrap-token-auth=true",
            "--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt",
            "--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt",
            "--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key",
            "--etcd-servers=https://127.0.0.1:2379",
            "--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt",
            "--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key",
            "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
            "--proxy-client-cert-file=/etc/kubernetes/pki/front-proxy-client.crt",
            "--proxy-client-key-file=/etc/kubernetes/pki/front-proxy-client.key",
            "--requestheader-allowed-names=front-proxy-client",
            "--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt",
            "--requestheader-extra-headers-prefix=X-Remote-Extra-",
            "--requestheader-group-headers=X-Remote-Group",
            "--requestheader-username-headers=X-Remote-User",
            "--secure-port=6443",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
            "--service-account-signing-key-file=/etc/kubernetes/pki/sa.key",
            f"--service-cluster-ip-range={svc_cidr}",
            "--tls-cert-file=/etc/kubernetes/pki/apiserver.crt",
            "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key",
        ],
        {"component": "kube-apiserver", **cp_labels},
        {"kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint": f"{node_ip}:6443"},
        "250m",
        {
            "livenessProbe": _probe("/livez", 6443, node_ip),
            "readinessProbe": _probe("/readyz", 6443, node_ip, delay=0, failures=3, period=1),
            "startupProbe": _probe("/livez", 6443, node_ip, failures=24),
        },
        [ca, etc_ca, pki, local_share, share],
        readonly=(
            "ca-certs",
            "etc-ca-certificates",
            "k8s-certs",
            "usr-local-share-ca-certificates",
            "usr-share-ca-certificates",
        ),
    )
    conf = lambda name: _host_path("kubeconfig", f"/etc/kubernetes/{name}.conf", "FileOrCreate")  # noqa: E731
    manager = _pod(
        "kube-controller-manager",
        f"registry.k8s.io/kube-controller-manager:{KUBELET_VERSION}",
        [
            "kube-controller-manager",
            "--allocate-node-cidrs=true",
            "--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf",
            "--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf",
            "--bind-address=127.0.0.1",
            "--client-ca-file=/etc/kubernetes/pki/ca.crt",
            f"--cluster-cidr={pod_cidr}",
            "--cluster-name=kubernetes",
            "--cluster-signing-cert-file=/etc/kubernetes/pki/ca.crt",
            "--cluster-signing-key-file=/etc/kubernetes/pki/ca.key",
            "--controllers=*,bootstrapsigner,tokencleaner",
            "--kubeconfig=/etc/kubernetes/controller-manager.conf",
            "--leader-elect=true",
            "--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt",
            "--root-ca-file=/etc/kubernetes/pki/ca.crt",
            "--service-account-private-key-file=/etc/kubernetes/pki/sa.key",
            f"--service-cluster-ip-range={svc_cidr}",
            "--use-service-account-credentials=true",
        ],
        {"component": "kube-controller-manager", **cp_labels},
        {},
        "200m",
        {
            "livenessProbe": _probe("/healthz", 10257, "127.0.0.1"),
            "startupProbe": _probe("/healthz", 10257, "127.0.0.1", failures=24),
        },
        [
            ca,
            etc_ca,
            _host_path("flexvolume-dir", "/usr/libexec/kubernetes/kubelet-plugins/volume/exec", "DirectoryOrCreate"),
            pki,
            conf("controller-manager"),
            local_share,
            share,
        ],
        readonly=(
            "ca-certs",
            "etc-ca-certificates",
            "k8s-certs",
            "kubeconfig",
            "usr-local-share-ca-certificates",
            "usr-share-ca-certificates",
        ),
    )
    scheduler = _pod(
        "kube-scheduler",
        f"registry.k8s.io/kube-scheduler:{KUBELET_VERSION}",
        [
            "kube-scheduler",
            "--authentication-kubeconfig=/etc/kubernetes/scheduler.conf",
            "--authorization-kubeconfig=/etc/kubernetes/scheduler.conf",
            "--bind-address=127.0.0.1",
            "--kubeconfig=/etc/kubernetes/scheduler.conf",
            "--leader-elect=true",
        ],
        {"component": "kube-scheduler", **cp_labels},
        {},
        "100m",
        {
            "livenessProbe": _probe("/livez", 10259, "127.0.0.1"),
            "readinessProbe": _probe("/readyz", 10259, "127.0.0.1", delay=0, failures=3, period=1),
            "startupProbe": _probe("/livez", 10259, "127.0.0.1", failures=24),
        },
        [conf("scheduler")],
        readonly=("kubeconfig",),
    )
    return [etcd, apiserver, manager, scheduler]


def config_hash(manifest: dict) -> str:
    """The kubelet's ``kubernetes.io/config.hash``: a stable 32-hex digest of the manifest."""
    return hashlib.md5(json.dumps(manifest, sort_keys=True).encode()).hexdigest()


def seen_text(now: float) -> str:
    """``kubernetes.io/config.seen``: an RFC 3339 time with nanoseconds."""
    import datetime as _dt

    t = EPOCH + _dt.timedelta(microseconds=round(now * 1e6))
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"


def static_pod(manifest: dict, node_name: str, now: float) -> dict:
    """The pod the kubelet runs from a manifest: named ``<name>-<node>``, its uid the config hash."""
    pod = json.loads(json.dumps(manifest))
    h = config_hash(manifest)
    md = pod["metadata"]
    md["name"] = f"{md['name']}-{node_name}"
    md["uid"] = h
    md["annotations"] = {
        **md.get("annotations", {}),
        "kubernetes.io/config.hash": h,
        "kubernetes.io/config.seen": seen_text(now),
        "kubernetes.io/config.source": "file",
    }
    pod["spec"]["nodeName"] = node_name
    pod["spec"].setdefault("restartPolicy", "Always")
    pod["spec"].setdefault("terminationGracePeriodSeconds", 30)
    pod["spec"]["tolerations"] = [{"effect": "NoExecute", "operator": "Exists"}]
    pod["status"] = {}
    return pod


def mirror_pod(static: dict, node_name: str, node_uid: str) -> dict:
    """The mirror pod the kubelet creates in the API for a static pod."""
    pod = json.loads(json.dumps(static))
    md = pod["metadata"]
    md.pop("uid", None)
    md["annotations"]["kubernetes.io/config.mirror"] = md["annotations"]["kubernetes.io/config.hash"]
    md["annotations"] = dict(sorted(md["annotations"].items()))
    md["ownerReferences"] = [
        {"apiVersion": "v1", "controller": True, "kind": "Node", "name": node_name, "uid": node_uid}
    ]
    pod.pop("status", None)
    return pod
