"""Shared fixtures: clusters with fixed seeds."""

import pytest
from hypothesis import settings

from ktui import Cluster
from ktui.sim import gcpolicy

# Property tests are deterministic (the same examples every run) and never fail on a busy machine's timing.
settings.register_profile("ktui", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ktui")


@pytest.fixture(autouse=True)
def _gc_policy_released():
    """A shell run in-process (``ktui``, ``ktui up``, a lab) settles the garbage collector for the whole
    process (:mod:`ktui.sim.gcpolicy`); each test gets the collector back as it was."""
    yield
    if gcpolicy.active():
        gcpolicy.release()


@pytest.fixture
def cluster() -> Cluster:
    """An API-only cluster: the API server and its bootstrap, no nodes and no components."""
    return Cluster({"nodes": []})


def pod(name: str, image: str = "nginx", namespace: str | None = None, **spec_extra) -> dict:
    md = {"name": name, "labels": {"run": name}}
    if namespace:
        md["namespace"] = namespace
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": md,
        "spec": {"containers": [{"name": name, "image": image}], **spec_extra},
    }
