"""What ``kubeadm init`` leaves in the API (the kube-proxy DaemonSet, CoreDNS behind the kube-dns Service) and the
add-ons a spec switches on (metrics-server, as its v0.8.0 ``components.yaml`` installs it)."""

from __future__ import annotations

from typing import Any

__all__ = ["addon_objects", "metrics_server_objects", "KUBE_VERSION", "COREDNS_IMAGE", "METRICS_SERVER_IMAGE"]

KUBE_VERSION = "v1.37.1"
COREDNS_IMAGE = "registry.k8s.io/coredns/coredns:v1.12.1"
METRICS_SERVER_IMAGE = "registry.k8s.io/metrics-server/metrics-server:v0.8.0"

_COREFILE = """.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes {domain} in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success {domain}
       disable denial {domain}
    }
    loop
    reload
    loadbalance
}
"""


def _kube_proxy_config(spec: dict[str, Any]) -> str:
    return (
        "apiVersion: kubeproxy.config.k8s.io/v1alpha1\n"
        "bindAddress: 0.0.0.0\n"
        f"clusterCIDR: {spec['podCIDR']}\n"
        "iptables:\n  minSyncPeriod: 1s\n  syncPeriod: 30s\n"
        "kind: KubeProxyConfiguration\n"
        "mode: iptables\n"
    )


def _dns_ip(service_cidr: str) -> str:
    import ipaddress

    net = ipaddress.ip_network(service_cidr, strict=False)
    return str(net.network_address + 10)


def addon_objects(spec: dict[str, Any]) -> list[dict]:
    """The objects kubeadm's addon phase creates, in creation order, then those of the add-ons the spec enables."""
    extra = metrics_server_objects() if (spec.get("addons") or {}).get("metrics-server") else []
    return _kubeadm_objects(spec) + extra


def metrics_server_objects() -> list[dict]:
    """metrics-server's ServiceAccount, Deployment and Service in kube-system (``k8s-app=metrics-server``)."""
    ns, labels = "kube-system", {"k8s-app": "metrics-server"}
    return [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": "metrics-server", "namespace": ns, "labels": dict(labels)},
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "metrics-server", "namespace": ns, "labels": dict(labels)},
            "spec": {
                "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": "https"}],
                "selector": dict(labels),
            },
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "metrics-server", "namespace": ns, "labels": dict(labels)},
            "spec": {
                "selector": {"matchLabels": dict(labels)},
                "strategy": {"rollingUpdate": {"maxUnavailable": 0}},
                "template": {
                    "metadata": {"labels": dict(labels)},
                    "spec": {
                        "containers": [
                            {
                                "name": "metrics-server",
                                "image": METRICS_SERVER_IMAGE,
                                "imagePullPolicy": "IfNotPresent",
                                "args": [
                                    "--cert-dir=/tmp",
                                    "--secure-port=10250",
                                    "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
                                    "--kubelet-use-node-status-port",
                                    "--metric-resolution=15s",
                                ],
                                "ports": [{"containerPort": 10250, "name": "https", "protocol": "TCP"}],
                                "readinessProbe": {
                                    "httpGet": {"path": "/readyz", "port": "https", "scheme": "HTTPS"},
                                    "initialDelaySeconds": 20,
                                    "periodSeconds": 10,
                                    "failureThreshold": 3,
                                },
                                "livenessProbe": {
                                    "httpGet": {"path": "/livez", "port": "https", "scheme": "HTTPS"},
                                    "periodSeconds": 10,
                                    "failureThreshold": 3,
                                },
                                "resources": {"requests": {"cpu": "100m", "memory": "200Mi"}},
                                "securityContext": {
                                    "allowPrivilegeEscalation": False,
                                    "readOnlyRootFilesystem": True,
                                    "runAsNonRoot": True,
                                    "runAsUser": 1000,
                                    "capabilities": {"drop": ["ALL"]},
                                    "seccompProfile": {"type": "RuntimeDefault"},
                                },
                                "volumeMounts": [{"mountPath": "/tmp", "name": "tmp-dir"}],
                            }
                        ],
                        "nodeSelector": {"kubernetes.io/os": "linux"},
                        "priorityClassName": "system-cluster-critical",
                        "serviceAccountName": "metrics-server",
                        "volumes": [{"name": "tmp-dir", "emptyDir": {}}],
                    },
                },
            },
        },
    ]


def _kubeadm_objects(spec: dict[str, Any]) -> list[dict]:
    ns = "kube-system"
    domain = spec["clusterDomain"]
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "kube-proxy", "namespace": ns}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "coredns", "namespace": ns}},
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "kube-proxy", "namespace": ns, "labels": {"app": "kube-proxy"}},
            "data": {"config.conf": _kube_proxy_config(spec)},
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "coredns", "namespace": ns},
            "data": {"Corefile": _COREFILE.replace("{domain}", domain)},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {"name": "kube-proxy", "namespace": ns, "labels": {"k8s-app": "kube-proxy"}},
            "spec": {
                "selector": {"matchLabels": {"k8s-app": "kube-proxy"}},
                "template": {
                    "metadata": {"labels": {"k8s-app": "kube-proxy"}},
                    "spec": {
                        "containers": [
                            {
                                "name": "kube-proxy",
                                "image": f"registry.k8s.io/kube-proxy:{KUBE_VERSION}",
                                "command": [
                                    "/usr/local/bin/kube-proxy",
                                    "--config=/var/lib/kube-proxy/config.conf",
                                    "--hostname-override=$(NODE_NAME)",
                                ],
                                "env": [
                                    {"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}
                                ],
                                "securityContext": {"privileged": True},
                                "volumeMounts": [
                                    {"mountPath": "/var/lib/kube-proxy", "name": "kube-proxy"},
                                    {"mountPath": "/run/xtables.lock", "name": "xtables-lock"},
                                    {"mountPath": "/lib/modules", "name": "lib-modules", "readOnly": True},
                                ],
                            }
                        ],
                        "hostNetwork": True,
                        "nodeSelector": {"kubernetes.io/os": "linux"},
                        "priorityClassName": "system-node-critical",
                        "serviceAccountName": "kube-proxy",
                        "tolerations": [{"operator": "Exists"}],
                        "volumes": [
                            {"name": "kube-proxy", "configMap": {"name": "kube-proxy"}},
                            {"name": "xtables-lock", "hostPath": {"path": "/run/xtables.lock", "type": "FileOrCreate"}},
                            {"name": "lib-modules", "hostPath": {"path": "/lib/modules", "type": ""}},
                        ],
                    },
                },
                "updateStrategy": {"type": "RollingUpdate"},
            },
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "coredns", "namespace": ns, "labels": {"k8s-app": "kube-dns"}},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"k8s-app": "kube-dns"}},
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
                "template": {
                    "metadata": {"labels": {"k8s-app": "kube-dns"}},
                    "spec": {
                        "containers": [
                            {
                                "name": "coredns",
                                "image": COREDNS_IMAGE,
                                "args": ["-conf", "/etc/coredns/Corefile"],
                                "ports": [
                                    {"containerPort": 53, "name": "dns", "protocol": "UDP"},
                                    {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                                    {"containerPort": 9153, "name": "metrics", "protocol": "TCP"},
                                ],
                                "resources": {
                                    "limits": {"memory": "170Mi"},
                                    "requests": {"cpu": "100m", "memory": "70Mi"},
                                },
                                "readinessProbe": {"httpGet": {"path": "/ready", "port": 8181, "scheme": "HTTP"}},
                                "livenessProbe": {
                                    "httpGet": {"path": "/health", "port": 8080, "scheme": "HTTP"},
                                    "initialDelaySeconds": 60,
                                    "timeoutSeconds": 5,
                                    "successThreshold": 1,
                                    "failureThreshold": 5,
                                },
                                "volumeMounts": [
                                    {"mountPath": "/etc/coredns", "name": "config-volume", "readOnly": True}
                                ],
                            }
                        ],
                        "dnsPolicy": "Default",
                        "nodeSelector": {"kubernetes.io/os": "linux"},
                        "priorityClassName": "system-cluster-critical",
                        "serviceAccountName": "coredns",
                        "tolerations": [
                            {"key": "CriticalAddonsOnly", "operator": "Exists"},
                            {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"},
                        ],
                        "volumes": [
                            {
                                "name": "config-volume",
                                "configMap": {"name": "coredns", "items": [{"key": "Corefile", "path": "Corefile"}]},
                            }
                        ],
                    },
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": "kube-dns",
                "namespace": ns,
                "labels": {
                    "k8s-app": "kube-dns",
                    "kubernetes.io/cluster-service": "true",
                    "kubernetes.io/name": "CoreDNS",
                },
                "annotations": {"prometheus.io/port": "9153", "prometheus.io/scrape": "true"},
            },
            "spec": {
                "clusterIP": _dns_ip(spec["serviceCIDR"]),
                "ports": [
                    {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                    {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                    {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153},
                ],
                "selector": {"k8s-app": "kube-dns"},
            },
        },
    ]
