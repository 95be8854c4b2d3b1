"""Shared fixtures: clusters with fixed seeds."""

import pytest

from ktui import Cluster


@pytest.fixture
def cluster() -> Cluster:
    """An API-only cluster: the API server and its bootstrap, no nodes and no components."""
    return Cluster({"nodes": []})


def pod(name: str, image: str = "nginx", namespace: str | None = None, **spec_extra) -> dict:
    md = {"name": name, "labels": {"run": name}}
    if namespace:
        md["namespace"] = namespace
    return {"apiVersion": "v1", "kind": "Pod", "metadata": md,
            "spec": {"containers": [{"name": name, "image": image}], **spec_extra}}
