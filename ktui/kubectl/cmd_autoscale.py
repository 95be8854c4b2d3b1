"""``kubectl autoscale``: an autoscaling/v2 HorizontalPodAutoscaler for a deployment, replica set, stateful
set or replication controller (kubectl 1.37's ``pkg/cmd/autoscale``).

``--cpu``/``--memory`` take ``70%`` (average utilization) or a quantity (average value; a bare number is
millicores or MiB); the deprecated ``--cpu-percent`` still works with cobra's deprecation notice. When the
autoscaling/v2 create fails (the name is taken), kubectl falls back to autoscaling/v1 where the flags allow it;
ktui serves HorizontalPodAutoscalers as v2 only, so that retry ends in the server's 404, as over HTTP.
"""

from __future__ import annotations

import re

from ktui.api.errors import ApiError
from ktui.api.quantity import Quantity, QuantityError
from ktui.kubectl.builder import targets
from ktui.kubectl.errors import KubectlError
from ktui.kubectl.flags import Flag
from ktui.kubectl.generate import meta_for
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.printers import Printer
from ktui.kubectl.submit import annotate_last_applied, check_output, submit

__all__ = ["hpa_for", "parse_target"]

_DEPRECATED = (
    "Flag --cpu-percent has been deprecated, Use --cpu with percentage or resource quantity format "
    "(e.g., '70%' for utilization or '500m' for milliCPU).\n"
)


def parse_target(text: str, resource: str) -> dict:
    """``parseResourceInput``: the MetricTarget ``--cpu``/``--memory`` ask for.

    Raises:
        KubectlError: kubectl's message for an invalid percentage or quantity.
    """
    text = text.strip()
    if not text:
        raise KubectlError("empty input")
    if text.endswith("%"):
        number = text[:-1]
        if not re.fullmatch(r"[+-]?\d+", number) or int(number) < 0 or int(number) >= 2**31:
            raise KubectlError(f"invalid percentage value: {number}")
        return {"type": "Utilization", "averageUtilization": int(number)}
    unit = "m" if resource == "cpu" else "Mi"
    try:
        bare = float(text) if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text) else None
    except ValueError:
        bare = None
    try:
        if bare is not None:
            quantity = Quantity.parse(f"{bare:g}{unit}")
        else:
            quantity = Quantity.parse(text)
    except QuantityError:
        raise KubectlError(f"invalid resource {resource} value: {text}") from None
    return {"type": "AverageValue", "averageValue": str(quantity)}


def hpa_for(
    name: str, ref: tuple[str, str, str], maximum: int, minimum: int, metrics: list[dict], namespace: str = ""
) -> dict:
    """The HorizontalPodAutoscaler ``createHorizontalPodAutoscalerV2`` builds (pure): ``ref`` is the target's
    (apiVersion, kind, name)."""
    spec: dict = {"scaleTargetRef": {"kind": ref[1], "name": ref[2], "apiVersion": ref[0]}}
    if minimum > 0:
        spec["minReplicas"] = minimum
    spec["maxReplicas"] = maximum
    if metrics:
        spec["metrics"] = metrics
    return {
        "kind": "HorizontalPodAutoscaler",
        "apiVersion": "autoscaling/v2",
        "metadata": meta_for(name, namespace),
        "spec": spec,
        "status": {"currentMetrics": None, "desiredReplicas": 0},
    }


def _no_fallback(cpu: str, memory: str) -> None:
    """After the autoscaling/v2 create failed: kubectl's ``canCreateHPAV1`` refusal (its ``parseResourceInput`` of
    an empty ``--cpu`` says ``empty input``; a quantity target has no error to wrap: Go prints ``%!w(<nil>)``).
    A percentage without ``--memory`` is retried as autoscaling/v1, which ktui does not serve: its 404.

    Raises:
        KubectlError: the configuration cannot fall back to autoscaling/v1.
        ApiError: the autoscaling/v1 retry's 404.
    """
    head = "failed to create autoscaling/v2 HPA and the configuration is incompatible with autoscaling/v1: "
    try:
        target = parse_target(cpu, "cpu")
    except KubectlError as e:
        raise KubectlError(head + e.message) from None
    if memory or target["type"] != "Utilization":
        raise KubectlError(head + "%!w(<nil>)")
    raise ApiError(  # the autoscaling/v1 retry: ktui serves HorizontalPodAutoscalers as autoscaling/v2 only
        {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": "the server could not find the requested resource",
            "reason": "NotFound",
            "details": {},
            "code": 404,
        }
    )


_ORDER = {
    "": ("kind", "apiVersion", "metadata", "spec", "status"),
    "spec": ("scaleTargetRef", "minReplicas", "maxReplicas", "metrics", "behavior"),
    "metadata": (
        "name",
        "generateName",
        "namespace",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "labels",
        "annotations",
        "ownerReferences",
        "finalizers",
        "managedFields",
    ),
}


def _go_order(obj: dict, where: str = "") -> dict:
    """The HPA kubectl decoded into its typed struct: top level, metadata and spec in Go field order (``-o json``)."""
    order = _ORDER[where]
    out = {k: obj[k] for k in order if k in obj} | {k: v for k, v in obj.items() if k not in order}
    for part in ("metadata", "spec") if not where else ():
        if isinstance(out.get(part), dict):
            out[part] = _go_order(out[part], part)
    return out


def _create(inv: Invocation, hpa: dict) -> None:
    """``handleHPA``: print the object (client dry run) or create it and print the typed answer."""
    dry = inv.dry_run()
    if dry == "client":
        submit(inv, "horizontalpodautoscalers", hpa, "created")
        return
    printer = Printer(check_output(inv), "autoscaled", dry)
    if inv.opts.get("save-config"):
        annotate_last_applied(hpa, typed=True)
    result = inv.client.create("horizontalpodautoscalers", hpa, inv.namespace, dry_run=dry == "server")
    inv.write(printer.print(_go_order(result), typed=True))


def _metric(resource: str, target: dict) -> dict:
    return {"type": "Resource", "resource": {"name": resource, "target": target}}


@command("autoscale", flags=(Flag("cpu-percent", "", "int", -1),), required=("max",))
def autoscale(inv: Invocation) -> int:
    """``kubectl autoscale (-f FILENAME | TYPE NAME | TYPE/NAME) [--min=MINPODS] --max=MAXPODS [--cpu=CPU]``."""
    o = inv.opts
    if o.given("cpu-percent"):
        inv.err.append(_DEPRECATED)
    maximum, minimum, percent = o["max"], o["min"], o["cpu-percent"]
    if maximum < 1:
        raise KubectlError(f"--max=MAXPODS is required and must be at least 1, max: {maximum}")
    if maximum < minimum:
        raise KubectlError(f"--max=MAXPODS must be larger or equal to --min=MINPODS, max: {maximum}, min: {minimum}")
    if percent > 0 and o["cpu"]:
        raise KubectlError("--cpu-percent and --cpu are mutually exclusive")
    metrics = []
    if percent > 0:
        metrics.append(_metric("cpu", {"type": "Utilization", "averageUtilization": percent}))
    if o["cpu"]:
        metrics.append(_metric("cpu", parse_target(o["cpu"], "cpu")))
    if o["memory"]:
        metrics.append(_metric("memory", parse_target(o["memory"], "memory")))
    check_output(inv)
    found = targets(inv, allow_selector=False)
    for t in found:
        obj = inv.client.get(t.resource.plural, t.name, t.namespace)
        r = t.resource
        if "scale" not in r.subresources:
            raise KubectlError(
                f"cannot autoscale a {r.kind}: could not find scale subresource for {r.group}/{r.version}, "
                f"Resource={r.plural} in discovery information"
            )
        ref = (r.api_version, r.kind, obj["metadata"]["name"])
        hpa = hpa_for(
            o["name"] or t.name, ref, maximum, minimum, metrics, inv.namespace if inv.explicit_namespace else ""
        )
        try:
            _create(inv, hpa)
        except ApiError:
            _no_fallback(o["cpu"], o["memory"])
    if not found:
        raise KubectlError("no objects passed to autoscale")
    return 0
