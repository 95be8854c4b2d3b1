"""``kubectl logs`` and ``kubectl exec``: a container's log and programs, reached through the API server.

``logs -f`` prints the log, lets the simulated clock run for ``--request-timeout`` (or
:data:`ktui.kubectl.follow.WATCH_SECONDS`) and prints the lines written meanwhile.
"""

from __future__ import annotations

from typing import Any

from ktui.api.errors import ApiError
from ktui.api.labels import label_selector_from_dict, selector_from_set
from ktui.kubectl.builder import resolve
from ktui.kubectl.errors import ExitError, KubectlError
from ktui.kubectl.follow import watch_seconds
from ktui.kubectl.main import Invocation, command

__all__ = ["pod_for", "default_container", "kubelet_exec"]


def pod_for(inv: Invocation, ref: str, say_found: bool = False) -> dict:
    """The pod ``POD``, ``pod/POD`` or ``TYPE/NAME`` (a workload's first pod) names.

    ``say_found`` prints ``Found N pods, using pod/X`` on stderr when a workload has several (``logs``).
    """
    if "/" not in ref:
        return inv.client.get("pods", ref, inv.namespace)
    word, name = ref.split("/", 1)
    r = resolve(inv, word)
    if r.plural == "pods":
        return inv.client.get("pods", name, inv.namespace)
    obj = inv.client.get(r.plural, name, inv.namespace)
    spec = obj.get("spec") or {}
    if r.plural == "cronjobs":
        raise KubectlError("cannot attach to *v1.CronJob: selector for *v1.CronJob not implemented")
    selector = (
        selector_from_set(spec["selector"])
        if r.plural in ("services", "replicationcontrollers")
        else label_selector_from_dict(spec.get("selector"))
    )
    pods = inv.client.list("pods", inv.namespace, label_selector=str(selector)).get("items") or []
    pods = [p for p in pods if not (p.get("metadata") or {}).get("deletionTimestamp")] or pods
    if not pods:
        raise KubectlError("timed out waiting for the condition")
    pods.sort(key=lambda p: ((p.get("status") or {}).get("phase") != "Running", p["metadata"]["name"]))
    if len(pods) > 1 and say_found:
        inv.warn(f"Found {len(pods)} pods, using pod/{pods[0]['metadata']['name']}")
    return pods[0]


def default_container(inv: Invocation, pod: dict) -> str:
    """``-c`` or the pod's default container, saying so on stderr when the pod has several."""
    if inv.opts.get("container"):
        return inv.opts["container"]
    spec = pod.get("spec") or {}
    names = [c["name"] for c in spec.get("containers") or []]
    chosen = (pod["metadata"].get("annotations") or {}).get("kubectl.kubernetes.io/default-container") or names[0]
    if len(names) + len(spec.get("initContainers") or []) > 1:
        listed = names + [f"{c['name']} (init)" for c in spec.get("initContainers") or []]
        inv.warn(f'Defaulted container "{chosen}" out of: {", ".join(listed)}')
    return chosen


@command("logs")
def logs(inv: Invocation) -> None:
    """``kubectl logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]``."""
    if not inv.args:
        raise inv.usage_error(
            "expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n"
            "POD or TYPE/NAME is a required argument for the logs command"
        )
    if len(inv.args) > 2:
        raise inv.usage_error(
            "expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n"
            "POD or TYPE/NAME is a required argument for the logs command"
        )
    try:
        pod = pod_for(inv, inv.args[0], say_found=True)
    except ApiError as e:
        if e.reason != "NotFound":
            raise
        raise KubectlError(f'error from server (NotFound): {e.message} in namespace "{inv.namespace}"') from None
    if len(inv.args) == 2 and not inv.opts.get("container"):
        inv.opts.values["container"] = inv.args[1]
    container = default_container(inv, pod)
    name = pod["metadata"]["name"]
    tail = inv.opts.get("tail", -1)
    opts: dict[str, Any] = {
        "container": container,
        "previous": bool(inv.opts.get("previous")),
        "timestamps": bool(inv.opts.get("timestamps")),
    }
    text = inv.client.log(name, inv.namespace, **opts, **({"tail_lines": tail} if tail >= 0 else {}))
    inv.write(text)
    if inv.opts.get("follow"):
        seen = len(inv.client.log(name, inv.namespace, **opts).splitlines(keepends=True))
        inv.env.advance(watch_seconds(inv))
        lines = inv.client.log(name, inv.namespace, **opts).splitlines(keepends=True)
        inv.write("".join(lines[seen:]))


def kubelet_exec(inv: Invocation, pod: dict, container: str, argv: list[str]) -> tuple[str, str, int]:
    """The one place exec reaches the node: the API server's kubelet hook for the pod's node.

    The API client has no exec verb yet, so this calls ``client.server.hooks.kubelets[node].exec``.
    """
    from ktui.api import errors

    node = (pod.get("spec") or {}).get("nodeName") or ""
    recorded_exec = getattr(inv.client, "kubelet_exec", None)  # a Cluster's client records it for replay
    if recorded_exec is not None:
        return recorded_exec(node, pod["metadata"]["namespace"], pod["metadata"]["name"], container, list(argv))
    kubelet = inv.client.server.hooks.kubelets.get(node) if node else None
    if kubelet is None:
        raise errors.bad_request(f"pod {pod['metadata']['name']} does not have a host assigned")
    return kubelet.exec(pod["metadata"]["namespace"], pod["metadata"]["name"], container, list(argv))


@command("exec")
def exec_cmd(inv: Invocation) -> int:
    """``kubectl exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...]``."""
    args, dash = inv.args, inv.opts.dash_index
    if not args or dash == 0:
        raise inv.usage_error("pod, type/name or --filename must be specified")
    if dash < 0 and len(args) > 1:
        raise inv.usage_error("exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead")
    command_argv = args[dash:] if dash > 0 else []
    if not command_argv:
        raise inv.usage_error("you must specify at least one command for the container")
    pod = pod_for(inv, args[0])
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        raise KubectlError(f"cannot exec into a container in a completed pod; current phase is {phase}")
    container = default_container(inv, pod)
    spec = pod.get("spec") or {}
    kinds = (("containers", ""), ("ephemeralContainers", " (ephem)"), ("initContainers", " (init)"))
    if container not in [c["name"] for key, _ in kinds for c in spec.get(key) or []]:
        listed = ", ".join(c["name"] + mark for key, mark in kinds for c in spec.get(key) or [])
        raise KubectlError(f"container {container} is not valid for pod {pod['metadata']['name']} out of: {listed}")
    out, err, code = kubelet_exec(inv, pod, container, command_argv)
    inv.write(out)
    if err:
        inv.err.append(err)
    if code:
        inv.warn(f"command terminated with exit code {code}")
        raise ExitError(code)
    return 0
