"""``kubectl rollout status|history|undo|restart|pause|resume`` for deployments, daemon sets, stateful sets.

``rollout status`` follows the simulated clock, printing each new status line, until the rollout is done or
``--timeout`` (default here: 10 minutes, a deployment's progress deadline) passes.
"""

from __future__ import annotations

import copy

from ktui.api.registry import Resource
from ktui.kubectl.builder import kind_prefix, resolve, resource_args
from ktui.kubectl.describe.base import Writer, tabwrite_go
from ktui.kubectl.describe.pods import pod_template
from ktui.kubectl.describe.workloads import owned_by
from ktui.kubectl.durations import bounded_follow, follow_note, parse_go_duration
from ktui.kubectl.errors import KubectlError
from ktui.kubectl.main import Invocation, command
from ktui.sim.timefmt import rfc3339

__all__ = ["rollout_status_line", "revisions"]

STATUS_TIMEOUT = 600.0
REVISION = "deployment.kubernetes.io/revision"
CHANGE_CAUSE = "kubernetes.io/change-cause"


def rollout_status_line(obj: dict) -> tuple[str, bool]:
    """The status viewers of polymorphichelpers: (message, done)."""
    kind, md = obj.get("kind"), obj.get("metadata") or {}
    spec, st = obj.get("spec") or {}, obj.get("status") or {}
    name, gen, observed = md.get("name"), md.get("generation", 0), st.get("observedGeneration", 0)
    if kind == "Deployment":
        if gen > observed:
            return "Waiting for deployment spec update to be observed...\n", False
        for c in st.get("conditions") or []:
            if c.get("type") == "Progressing" and c.get("reason") == "ProgressDeadlineExceeded":
                raise KubectlError(f'deployment "{name}" exceeded its progress deadline')
        want, updated = spec.get("replicas", 1), st.get("updatedReplicas", 0)
        if updated < want:
            return (
                f'Waiting for deployment "{name}" rollout to finish: {updated} out of {want} new replicas have '
                "been updated...\n"
            ), False
        if st.get("replicas", 0) > updated:
            return (
                f'Waiting for deployment "{name}" rollout to finish: {st["replicas"] - updated} old replicas '
                "are pending termination...\n"
            ), False
        if st.get("availableReplicas", 0) < updated:
            return (
                f'Waiting for deployment "{name}" rollout to finish: {st.get("availableReplicas", 0)} of '
                f"{updated} updated replicas are available...\n"
            ), False
        return f'deployment "{name}" successfully rolled out\n', True
    if kind == "DaemonSet":
        if (spec.get("updateStrategy") or {}).get("type", "RollingUpdate") != "RollingUpdate":
            raise KubectlError("rollout status is only available for RollingUpdate strategy type")
        if gen > observed:
            return "Waiting for daemon set spec update to be observed...\n", False
        desired, updated = st.get("desiredNumberScheduled", 0), st.get("updatedNumberScheduled", 0)
        if updated < desired:
            return (
                f'Waiting for daemon set "{name}" rollout to finish: {updated} out of {desired} new pods have '
                "been updated...\n"
            ), False
        if st.get("numberAvailable", 0) < desired:
            return (
                f'Waiting for daemon set "{name}" rollout to finish: {st.get("numberAvailable", 0)} of '
                f"{desired} updated pods are available...\n"
            ), False
        return f'daemon set "{name}" successfully rolled out\n', True
    if kind == "StatefulSet":
        strategy = spec.get("updateStrategy") or {}
        if strategy.get("type", "RollingUpdate") != "RollingUpdate":
            raise KubectlError("rollout status is only available for RollingUpdate strategy type")
        if not observed or gen > observed:
            return "Waiting for statefulset spec update to be observed...\n", False
        want = spec.get("replicas", 1)
        if st.get("readyReplicas", 0) < want:
            return f"Waiting for {want - st.get('readyReplicas', 0)} pods to be ready...\n", False
        ru = strategy.get("rollingUpdate")
        if ru is not None:
            part = ru.get("partition")
            if part is not None and st.get("updatedReplicas", 0) < want - part:
                return (
                    f"Waiting for partitioned roll out to finish: {st.get('updatedReplicas', 0)} out of "
                    f"{want - part} new pods have been updated...\n"
                ), False
            return (
                f"partitioned roll out complete: {st.get('updatedReplicas', 0)} new pods have been updated...\n",
                True,
            )
        if st.get("updateRevision") != st.get("currentRevision"):
            return (
                f"waiting for statefulset rolling update to complete {st.get('updatedReplicas', 0)} pods at "
                f"revision {st.get('updateRevision')}...\n"
            ), False
        return (
            f"statefulset rolling update complete {st.get('currentReplicas', 0)} pods at revision "
            f"{st.get('currentRevision')}...\n"
        ), True
    raise KubectlError(f"no status viewer has been implemented for {kind}")


def _targets(inv: Invocation) -> list[tuple[Resource, dict]]:
    pairs = resource_args(inv, inv.args)
    if not pairs:
        raise KubectlError("required resource not specified")
    out: list[tuple[Resource, dict]] = []
    for word, name in pairs:
        r = resolve(inv, word)
        if not name:
            items = inv.client.list(r.plural, inv.namespace, label_selector=inv.opts.get("selector") or "")
            out += [(r, o) for o in items.get("items") or []]
        else:
            out.append((r, inv.client.get(r.plural, name, inv.namespace)))
    return out


@command("rollout status")
def rollout_status(inv: Invocation) -> int:
    """Print the status at the object's first sight and at every watch event after it, as kubectl's
    ``UntilWithSync`` does (so a status repeats when the object changed without changing it)."""
    timeout = parse_go_duration(inv.opts.get("timeout") or "0s")
    timeout = timeout if timeout > 0 else STATUS_TIMEOUT
    limit = bounded_follow(timeout)
    targets = _targets(inv)
    if len(targets) != 1:
        raise KubectlError(
            "rollout status is only supported on individual resources and resource collections - "
            f"{len(targets)} resources were found"
        )
    r, obj = targets[0]
    watching = inv.opts.get("watch", True)
    state: dict = {"done": False, "error": None}

    def show(o: dict) -> None:
        try:
            line, done = rollout_status_line(o)
        except KubectlError as e:
            state.update(done=True, error=e)
            return
        inv.write(line)
        state["done"] = done or not watching

    def on_event(kind: str, o: dict) -> None:
        if state["done"]:
            return
        if kind in ("ADDED", "MODIFIED"):
            show(o)
        elif kind == "DELETED":  # not to watch a re-created object silently
            state.update(done=True, error=KubectlError("object has been deleted"))

    show(obj)
    if not state["done"]:
        md = obj["metadata"]
        w = inv.client.watch(
            r.plural,
            on_event,
            inv.namespace,
            field_selector=f"metadata.name={md['name']}",
            resource_version=md.get("resourceVersion", ""),
        )
        try:
            waited = 0.0
            while not state["done"]:
                if waited >= limit:
                    if limit < timeout:
                        inv.warn(follow_note(timeout))
                    raise KubectlError("timed out waiting for the condition")
                inv.env.advance(1.0)
                waited += 1.0
        finally:
            w.stop()
    if state["error"] is not None:
        raise state["error"]
    return 0


def revisions(inv: Invocation, d: dict) -> dict[int, dict]:
    """The deployment's replica sets by revision number."""
    out = {}
    for rs in inv.client.list("replicasets", d["metadata"]["namespace"]).get("items") or []:
        if owned_by(rs, d["metadata"].get("uid", "")):
            rev = (rs["metadata"].get("annotations") or {}).get(REVISION)
            if rev and rev.isdigit():
                out[int(rev)] = rs
    return out


def _template_of(rs: dict) -> dict:
    t = copy.deepcopy((rs.get("spec") or {}).get("template") or {})
    labels = (t.get("metadata") or {}).get("labels") or {}
    labels.pop("pod-template-hash", None)
    return t


@command("rollout history")
def rollout_history(inv: Invocation) -> None:
    for r, obj in _targets(inv):
        if obj.get("kind") != "Deployment":
            raise KubectlError(f"no history viewer has been implemented for {obj.get('kind')}")
        revs = revisions(inv, obj)
        want = inv.opts.get("revision", 0)
        prefix = f"{kind_prefix(r)}/{obj['metadata']['name']}"
        if want:
            if want not in revs:
                raise KubectlError("unable to find the specified revision")
            w = Writer()
            pod_template(w, revs[want]["spec"]["template"])
            # kubectl writes the template through a PrefixWriter without a tabwriter: the tabs stay as they are
            inv.write(f"{prefix} with revision #{want}\n{''.join(w.parts)}\n")
            continue
        rows = "REVISION\tCHANGE-CAUSE\n" + "".join(
            f"{n}\t{(revs[n]['metadata'].get('annotations') or {}).get(CHANGE_CAUSE) or '<none>'}\n"
            for n in sorted(revs)
        )
        inv.write(f"{prefix} \n{tabwrite_go(rows)}\n")


@command("rollout undo")
def rollout_undo(inv: Invocation) -> None:
    for r, d in _targets(inv):
        name = d["metadata"]["name"]
        if d.get("kind") != "Deployment":
            raise KubectlError(f"no rollbacker has been implemented for {d.get('kind')}")
        if (d.get("spec") or {}).get("paused"):
            raise KubectlError(
                "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again"
            )
        revs = revisions(inv, d)
        to = inv.opts.get("to-revision", 0)
        if to:
            if to not in revs:
                raise KubectlError(f"unable to find specified revision {to} in history")
            target = revs[to]
        else:
            if len(revs) < 2:
                raise KubectlError(f'no rollout history found for deployment "{name}"')
            current = max(revs)
            target = revs[max(n for n in revs if n != current)]
            to = max(n for n in revs if n != current)
        template = _template_of(target)
        if template == d["spec"]["template"]:
            inv.write(f"{kind_prefix(r)}/{name} skipped rollback (current template already matches revision {to})\n")
            continue
        inv.client.patch(
            r.plural,
            name,
            [{"op": "replace", "path": "/spec/template", "value": template}],
            inv.namespace,
            patch_type="json",
            dry_run=inv.dry_run() == "server",
        )
        inv.write(f"{kind_prefix(r)}/{name} rolled back\n")


@command("rollout restart")
def rollout_restart(inv: Invocation) -> None:
    for r, obj in _targets(inv):
        name = obj["metadata"]["name"]
        if obj.get("kind") not in ("Deployment", "DaemonSet", "StatefulSet"):
            raise KubectlError(f'{r.group_resource} "{name}" restarting is not supported')
        if (obj.get("spec") or {}).get("paused"):
            raise KubectlError(
                f'{r.group_resource} "{name}" can\'t restart paused deployment (run rollout resume first)'
            )
        patch = {
            "spec": {
                "template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": rfc3339(inv.env.now())}}}
            }
        }
        inv.client.patch(r.plural, name, patch, inv.namespace)
        inv.write(f"{kind_prefix(r)}/{name} restarted\n")


def _pause(inv: Invocation, paused: bool) -> None:
    verb = "paused" if paused else "resumed"
    for r, obj in _targets(inv):
        name = obj["metadata"]["name"]
        if obj.get("kind") != "Deployment":
            raise KubectlError(f'{r.group_resource} "{name}" {"pausing" if paused else "resuming"} is not supported')
        if bool((obj.get("spec") or {}).get("paused")) == paused:
            inv.write(f"{kind_prefix(r)}/{name} already {verb}\n")
            continue
        inv.client.patch(r.plural, name, {"spec": {"paused": paused}}, inv.namespace)
        inv.write(f"{kind_prefix(r)}/{name} {verb}\n")


@command("rollout pause")
def rollout_pause(inv: Invocation) -> None:
    _pause(inv, True)


@command("rollout resume")
def rollout_resume(inv: Invocation) -> None:
    _pause(inv, False)
