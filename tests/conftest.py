"""Shared fixtures: clusters with fixed seeds."""

import pytest

from ktui import Cluster


@pytest.fixture
def cluster() -> Cluster:
    return Cluster.default(seed=0)


def pod(name: str, image: str = "nginx", namespace: str | None = None, **spec_extra) -> dict:
    md = {"name": name, "labels": {"run": name}}
    if namespace:
        md["namespace"] = namespace
    return {"apiVersion": "v1", "kind": "Pod", "metadata": md,
            "spec": {"containers": [{"name": name, "image": image}], **spec_extra}}
