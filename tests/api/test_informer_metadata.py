"""An informer told only of metadata changes (the garbage collector's Lease informer) next to an ordinary one."""

from __future__ import annotations

from ktui.api.informer import InformerFactory
from ktui.clusterspec import normalize_spec
from ktui.world import build_world


def test_a_metadata_informer_hears_metadata_changes_adds_and_deletes_but_not_other_updates():
    world = build_world(normalize_spec({"nodes": []}))
    api = world.client()
    factory = InformerFactory(api)
    meta, full = factory.metadata_informer("configmaps"), factory.informer("configmaps")
    assert meta is not full and factory.metadata_informer("configmaps") is meta
    heard: dict[str, list] = {"meta": [], "full": []}
    for name, inf in (("meta", meta), ("full", full)):
        inf.add_handler(
            lambda o, n=name: heard[n].append(("add", o["metadata"]["name"])),
            lambda old, new, n=name: heard[n].append(("update", dict(new["metadata"].get("labels") or {}))),
            lambda o, n=name: heard[n].append(("delete", o["metadata"]["name"])),
        )
    factory.start()
    cm = api.create("configmaps", {"metadata": {"name": "a", "namespace": "default"}, "data": {"k": "1"}})
    world.kernel.settle()
    cm = api.update("configmaps", {**cm, "data": {"k": "2"}})  # data only: not for the metadata informer
    world.kernel.settle()
    assert meta.get("default/a")["data"] == {"k": "1"} and full.get("default/a")["data"] == {"k": "2"}
    api.update("configmaps", {**cm, "metadata": {**cm["metadata"], "labels": {"x": "y"}}})
    world.kernel.settle()
    assert meta.get("default/a")["metadata"]["labels"] == {"x": "y"}
    api.delete("configmaps", "a", "default")
    world.kernel.settle()
    assert heard["meta"] == [("add", "a"), ("update", {"x": "y"}), ("delete", "a")]
    assert heard["full"] == [("add", "a"), ("update", {}), ("update", {"x": "y"}), ("delete", "a")]
