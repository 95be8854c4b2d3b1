"""``kubectl create -f`` and the object-building subcommands (deployment, namespace, service, configmap...).

Objects built on the client are dicts in the Go struct field order of their types, so ``-o json`` of a
``--dry-run=client`` object matches kubectl (which prints typed objects in field order).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Mapping

from ktui.api.errors import ApiError
from ktui.kubectl import manifests
from ktui.kubectl.env import KubectlEnv
from ktui.kubectl.errors import KubectlError, with_source
from ktui.kubectl.flags import ParsedArgs
from ktui.kubectl.generate import after_dash, container_name, meta_for, one_name, with_hash
from ktui.kubectl.main import Invocation, command
from ktui.kubectl.printers import Printer
from ktui.kubectl.submit import annotate_last_applied, check_output, prepare, report_errors, submit

__all__ = [
    "DeploymentOptions",
    "deployment_for",
    "ConfigMapOptions",
    "configmap_for",
    "JobOptions",
    "job_for",
    "cronjob_for",
    "namespace_for",
    "serviceaccount_for",
]

# ---------------------------------------------------------------------------- create -f


@command("create")
def create(inv: Invocation) -> int:
    """``kubectl create -f FILE``."""
    if inv.args:
        raise inv.usage_error(f"Unexpected args: [{' '.join(inv.args)}]")
    files = inv.opts.get("filename", [])
    if not files:
        raise KubectlError("must specify one of -f and -k")
    fmt = check_output(inv)
    dry = inv.dry_run()
    printer = Printer(fmt, "created", dry)
    errs: list[BaseException] = []
    try:
        for m in manifests.read_manifests(
            files,
            recursive=inv.opts.get("recursive", False),
            stdin=inv.stdin,
            validate=inv.opts.get("validate", "strict") not in ("false", "ignore"),
            cwd=inv.env.cwd,
        ):
            try:
                r = manifests.resolve(m)
                obj = prepare(inv, m, r.namespaced)
                if inv.opts.get("save-config"):
                    annotate_last_applied(obj)
                result = (
                    obj
                    if dry == "client"
                    else inv.client.create(r.plural, obj, obj["metadata"].get("namespace"), dry_run=dry == "server")
                )
                inv.write(printer.print(result))
            except ApiError as e:
                errs.append(with_source(e, "creating", m.source))
            except KubectlError as e:
                errs.append(e)
    except KubectlError as e:
        errs.append(e)
    return report_errors(inv, errs)


# ---------------------------------------------------------------------------- workloads


@dataclass(frozen=True)
class DeploymentOptions:
    """What ``kubectl create deployment``'s flags say about the Deployment."""

    images: tuple[str, ...]
    command: tuple[str, ...] = ()
    """The words after ``--``: every container's command."""
    port: int = -1
    """``--port``: the first container's containerPort (-1: none)."""
    replicas: int = 1
    namespace: str = ""
    """``-n`` when given explicitly (kubectl's generator leaves the namespace out otherwise)."""

    @classmethod
    def from_flags(cls, opts: ParsedArgs) -> "DeploymentOptions":
        """The options of a parsed ``kubectl create deployment NAME --image=IMAGE`` command line."""
        return cls(
            images=tuple(opts["image"]),
            command=after_dash(opts),
            port=opts["port"],
            replicas=opts["replicas"],
            namespace=opts.get("namespace") or "",
        )


def deployment_for(name: str, options: DeploymentOptions) -> dict:
    """The Deployment ``kubectl create deployment NAME`` builds (``DeploymentOpts.createDeployment``): pure.

    Raises:
        KubectlError: for several images and a command (kubectl's refusal).
    """
    if options.command and len(options.images) > 1:
        raise KubectlError("cannot specify multiple --image options and command")
    labels = {"app": name}
    containers = []
    for image in options.images:
        c: dict[str, Any] = {"name": container_name(image), "image": image}
        if options.command:
            c["command"] = list(options.command)
        c["resources"] = {}
        containers.append(c)
    if options.port >= 0 and containers:
        containers[0] = {
            **{k: v for k, v in containers[0].items() if k != "resources"},
            "ports": [{"containerPort": options.port}],
            "resources": {},
        }
    md: dict[str, Any] = {"name": name}
    if options.namespace:
        md["namespace"] = options.namespace
    md["labels"] = labels
    return {
        "kind": "Deployment",
        "apiVersion": "apps/v1",
        "metadata": md,
        "spec": {
            "replicas": options.replicas,
            "selector": {"matchLabels": dict(labels)},
            "template": {"metadata": {"labels": dict(labels)}, "spec": {"containers": containers}},
            "strategy": {},
        },
        "status": {},
    }


@command("create deployment", required=("image",))
def create_deployment(inv: Invocation) -> None:
    name = one_name(inv)
    images = inv.opts["image"]
    if not images:
        raise KubectlError('required flag(s) "image" not set')
    submit(
        inv,
        "deployments",
        deployment_for(name, DeploymentOptions.from_flags(inv.opts)),
        failed="failed to create deployment: ",
    )


def _job_spec(name: str, image: str, cmd: list[str], restart: str) -> dict:
    c: dict[str, Any] = {"name": name, "image": image}
    if cmd:
        c["command"] = cmd
    c["resources"] = {}
    return {"template": {"metadata": {}, "spec": {"containers": [c], "restartPolicy": restart}}}


@dataclass(frozen=True)
class JobOptions:
    """What ``kubectl create job``'s (and ``create cronjob``'s) flags say about the Job (template)."""

    image: str
    command: tuple[str, ...] = ()
    """The words after ``--``: the container's command."""
    schedule: str = ""
    """``create cronjob --schedule``."""
    restart: str = "Never"
    """The pods' restartPolicy: Never for ``create job``, ``--restart`` (default OnFailure) for cronjobs."""
    namespace: str = ""

    @classmethod
    def from_flags(cls, opts: ParsedArgs) -> "JobOptions":
        """The options of a parsed ``kubectl create job NAME --image=IMAGE`` command line."""
        return cls(image=opts["image"], command=after_dash(opts), namespace=opts.get("namespace") or "")

    @classmethod
    def cronjob_from_flags(cls, opts: ParsedArgs) -> "JobOptions":
        """The options of a parsed ``kubectl create cronjob NAME --image=IMAGE --schedule=...`` command line."""
        return cls(
            image=opts["image"],
            command=after_dash(opts),
            schedule=opts["schedule"],
            restart=opts["restart"] or "OnFailure",
            namespace=opts.get("namespace") or "",
        )


def job_for(name: str, options: JobOptions) -> dict:
    """The Job ``kubectl create job NAME --image=IMAGE`` builds (``CreateJobOptions.createJob``): pure."""
    return {
        "kind": "Job",
        "apiVersion": "batch/v1",
        "metadata": meta_for(name, options.namespace),
        "spec": _job_spec(name, options.image, list(options.command), options.restart),
        "status": {},
    }


def cronjob_for(name: str, options: JobOptions) -> dict:
    """The CronJob ``kubectl create cronjob NAME`` builds (``CreateCronJobOptions.createCronJob``): pure."""
    return {
        "kind": "CronJob",
        "apiVersion": "batch/v1",
        "metadata": meta_for(name, options.namespace),
        "spec": {
            "schedule": options.schedule,
            "jobTemplate": {
                "metadata": {"name": name},
                "spec": _job_spec(name, options.image, list(options.command), options.restart),
            },
        },
        "status": {},
    }


@command("create job")
def create_job(inv: Invocation) -> None:
    if inv.opts.get("from"):
        raise KubectlError("ktui does not support --from for create job yet")
    name = one_name(inv)
    if not inv.opts["image"]:
        raise KubectlError("either --image or --from must be specified")
    submit(inv, "jobs", job_for(name, JobOptions.from_flags(inv.opts)), failed="failed to create job: ")


@command("create cronjob", required=("image", "schedule"))
def create_cronjob(inv: Invocation) -> None:
    if not inv.opts["image"]:
        raise KubectlError('required flag(s) "image" not set')
    if not inv.opts["schedule"]:
        raise KubectlError('required flag(s) "schedule" not set')
    name = one_name(inv)  # an unquoted --schedule=*/1 * * * * leaves four more arguments: refused here
    submit(
        inv, "cronjobs", cronjob_for(name, JobOptions.cronjob_from_flags(inv.opts)), failed="failed to create cronjob: "
    )


# ---------------------------------------------------------------------------- simple kinds


def namespace_for(name: str) -> dict:
    """The Namespace ``kubectl create namespace NAME`` builds (it has no options; ``-n`` does not apply): pure."""
    return {"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": name}, "spec": {}, "status": {}}


@command("create namespace")
def create_namespace(inv: Invocation) -> None:
    submit(inv, "namespaces", namespace_for(one_name(inv)))


def serviceaccount_for(name: str, namespace: str = "") -> dict:
    """The ServiceAccount ``kubectl create serviceaccount NAME`` builds, in ``-n``'s namespace when given: pure."""
    return {"kind": "ServiceAccount", "apiVersion": "v1", "metadata": meta_for(name, namespace)}


@command("create serviceaccount")
def create_serviceaccount(inv: Invocation) -> None:
    name = one_name(inv)
    submit(
        inv,
        "serviceaccounts",
        serviceaccount_for(name, inv.opts.get("namespace") or ""),
        failed="failed to create serviceaccount: ",
    )


def _sources(opts: ParsedArgs, env: KubectlEnv, kind: str, name: str):
    from ktui.kubectl.sources import read_sources

    return read_sources(kind, name, lambda flag: opts.get(flag, []), env.cwd, env.environ)


@dataclass(frozen=True)
class ConfigMapOptions:
    """What ``kubectl create configmap``'s flags say, the ``--from-*`` sources already read."""

    data: Mapping[str, bytes] = field(default_factory=dict)
    """Every key with its bytes, as ``--from-file``, ``--from-literal`` and ``--from-env-file`` give them."""
    binary: frozenset[str] = frozenset()
    """The keys whose bytes are not UTF-8 (they go to ``binaryData``)."""
    append_hash: bool = False
    namespace: str = ""

    @classmethod
    def from_flags(cls, opts: ParsedArgs, env: KubectlEnv) -> "ConfigMapOptions":
        """The options of a parsed ``kubectl create configmap NAME`` command line; reads the named files.

        Raises:
            KubectlError: with kubectl's message for a source it cannot read or a key it refuses.
        """
        src = _sources(opts, env, "ConfigMap", opts.args[0])
        return cls(
            data=dict(src.values),
            binary=frozenset(src.binary),
            append_hash=bool(opts.get("append-hash")),
            namespace=opts.get("namespace") or "",
        )


def configmap_for(name: str, options: ConfigMapOptions) -> dict:
    """The ConfigMap ``kubectl create configmap NAME`` builds (``ConfigMapOptions.createConfigMap``): pure."""
    obj: dict[str, Any] = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": meta_for(name, options.namespace)}
    items = sorted(options.data.items())
    data = {k: v.decode("utf-8") for k, v in items if k not in options.binary}
    binary = {k: base64.b64encode(v).decode() for k, v in items if k in options.binary}
    if data:
        obj["data"] = data
    if binary:
        obj["binaryData"] = binary
    return with_hash(obj, options.append_hash)


@command("create configmap")
def create_configmap(inv: Invocation) -> None:
    name = one_name(inv)
    obj = configmap_for(name, ConfigMapOptions.from_flags(inv.opts, inv.env))
    submit(inv, "configmaps", obj, failed="failed to create configmap: ")
