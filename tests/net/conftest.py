"""Clusters with the network installed, whether or not ``ktui.world`` wires it yet."""

from __future__ import annotations

import pytest

import ktui.components
from ktui.cluster import Cluster
from ktui.net.install import install_network


@pytest.fixture
def cluster(monkeypatch):
    """The built-in three-node cluster with the pod network, kube-proxy and DNS."""
    original = ktui.components.install

    def install_with_network(world):
        original(world)
        if getattr(world, "network", None) is None:
            install_network(world)

    monkeypatch.setattr(ktui.components, "install", install_with_network)
    return Cluster.default(seed=0)


def exec_in(cluster: Cluster, namespace: str, name: str, *argv: str, container: str = "") -> tuple[str, str, int]:
    """``kubectl exec`` without the kubectl: ask the pod's kubelet to run ``argv``."""
    pod = cluster.api.get("pods", name, namespace)
    kubelet = cluster.world.components[f"kubelet/{pod['spec']['nodeName']}"]
    return kubelet.exec(namespace, name, container or pod["spec"]["containers"][0]["name"], list(argv))


def run_pod(cluster: Cluster, name: str, image: str, namespace: str = "default", **spec) -> dict:
    command = spec.pop("command", None)
    c = {"name": name, "image": image}
    if command:
        c["command"] = command
    return cluster.api.create(
        "pods",
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "labels": {"run": name}},
            "spec": {"containers": [c], **spec},
        },
    )


def web_deployment(cluster: Cluster, replicas: int = 3, image: str = "nginx", name: str = "web") -> None:
    cluster.api.create(
        "deployments",
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": name}},
                "template": {
                    "metadata": {"labels": {"app": name}},
                    "spec": {
                        "containers": [{"name": image.split(":")[0], "image": image, "ports": [{"containerPort": 80}]}]
                    },
                },
            },
        },
    )


def web_service(cluster: Cluster, name: str = "web", type_: str = "ClusterIP", **extra) -> dict:
    return cluster.api.create(
        "services",
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {
                "type": type_,
                "selector": {"app": name},
                "ports": [{"port": 80, "targetPort": 80, "protocol": "TCP"}],
                **extra,
            },
        },
    )
