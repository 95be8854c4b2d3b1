"""``kubectl set image``: change container images of pods and the workloads that template them."""

from __future__ import annotations

from ktui.kubectl.builder import NO_RESOURCES, kind_prefix, resolve, resource_args
from ktui.kubectl.errors import KubectlError
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.printers import Printer

__all__ = ["pod_spec_path"]


def pod_spec_path(kind: str) -> list[str]:
    """Where a kind keeps its pod spec."""
    return {"Pod": ["spec"], "CronJob": ["spec", "jobTemplate", "spec", "template", "spec"]}.get(
        kind, ["spec", "template", "spec"]
    )


@command("set image")
def set_image(inv: Invocation) -> int:
    """``kubectl set image (-f FILENAME | TYPE NAME) CONTAINER_NAME_1=CONTAINER_IMAGE_1 ...``."""
    images = [a for a in inv.args if "=" in a]
    targets = [a for a in inv.args if "=" not in a]
    if not targets and not inv.opts.get("filename"):
        raise KubectlError(NO_RESOURCES)
    if not images:
        raise KubectlError("at least one image update is required")
    wanted = dict(a.split("=", 1) for a in images)
    code = 0
    printer = Printer(inv.opts.get("output") or "", "image updated", inv.dry_run())
    for word, name in resource_args(inv, targets):
        r = resolve(inv, word)
        objs = (
            [inv.client.get(r.plural, name, inv.namespace)]
            if name
            else inv.client.list(r.plural, inv.namespace, label_selector=inv.opts.get("selector") or "").get("items")
        )
        for obj in objs or []:
            spec = obj
            for key in pod_spec_path(obj["kind"]):
                spec = spec.get(key) or {}
            containers = (spec.get("initContainers") or []) + (spec.get("containers") or [])
            patch_containers: dict[str, list[dict]] = {"containers": [], "initContainers": []}
            for cname, image in wanted.items():
                hits = [c for c in containers if cname in ("*", c["name"])]
                if not hits:
                    inv.warn(f'error: unable to find container named "{cname}"')
                    code = 1
                for c in hits:
                    group = "initContainers" if c in (spec.get("initContainers") or []) else "containers"
                    patch_containers[group].append({"name": c["name"], "image": image})
            patch_body = {k: v for k, v in patch_containers.items() if v}
            if not patch_body:
                continue
            patch: dict = patch_body
            for key in reversed(pod_spec_path(obj["kind"])):
                patch = {key: patch}
            dry = inv.dry_run()
            result = (
                obj
                if dry == "client"
                else inv.client.patch(r.plural, obj["metadata"]["name"], patch, inv.namespace, dry_run=dry == "server")
            )
            if inv.opts.get("output"):
                inv.write(printer.print(result))
            else:
                suffix = {"client": " (dry run)", "server": " (server dry run)"}.get(dry, "")
                inv.write(f"{kind_prefix(r)}/{obj['metadata']['name']} image updated{suffix}\n")
    return code
