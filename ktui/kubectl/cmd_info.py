"""``kubectl cluster-info``: where the control plane and the cluster services answer (plain, no colours)."""

from __future__ import annotations

from ktui.api.objects import internal_ip
from ktui.kubectl.main import Invocation, command

__all__ = ["control_plane_url"]


def control_plane_url(inv: Invocation) -> str:
    """``https://<control-plane InternalIP>:6443``, as kubeadm's kubeconfig names the API server."""
    nodes = inv.client.list("nodes", label_selector="node-role.kubernetes.io/control-plane").get("items") or []
    for n in nodes:
        if internal_ip(n):
            return f"https://{internal_ip(n)}:6443"
    return "https://172.18.0.2:6443"


@command("cluster-info")
def cluster_info(inv: Invocation) -> None:
    host = control_plane_url(inv)
    lines = [f"Kubernetes control plane is running at {host}\n"]
    services = (
        inv.client.list("services", "kube-system", label_selector="kubernetes.io/cluster-service=true").get("items")
        or []
    )
    for svc in services:
        md = svc["metadata"]
        name = (md.get("labels") or {}).get("kubernetes.io/name") or md["name"]
        ingress = ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        if ingress:
            ip = ingress[0].get("ip") or ingress[0].get("hostname")
            port = ((svc.get("spec") or {}).get("ports") or [{}])[0].get("port")
            link = f"http://{ip}:{port}" if port else f"http://{ip}"
        else:
            ports = (svc.get("spec") or {}).get("ports") or []
            pname = ports[0].get("name", "") if ports else ""
            scheme = "https:" if pname == "https" else ""
            target = f"{scheme}{md['name']}:{pname}" if pname else f"{scheme}{md['name']}"
            link = f"{host}/api/v1/namespaces/kube-system/services/{target}/proxy"
        lines.append(f"{name} is running at {link}\n")
    lines.append("\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n")
    inv.write("".join(lines))
