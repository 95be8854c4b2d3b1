"""kubectl, in process: ``run_kubectl(env, "get pods")`` prints what the real kubectl 1.37 would print.

Public API:
    run_kubectl(env, argv, stdin="") -> KubectlResult(stdout, stderr, exit_code)
        ``argv`` is a list of words or a string split as bash would (a leading ``kubectl`` is dropped).
    KubectlEnv(client, advance, now, namespace, environ), KubectlEnv.for_cluster(cluster)

Adding a command: write ``ktui/kubectl/cmd_<name>.py``; every ``cmd_*`` module is imported on first use.
In it, register each command with the decorator::

    from ktui.kubectl.main import Invocation, command

    @command("rollout status")
    def rollout_status(inv: Invocation) -> int | None:
        ...  # inv.args, inv.opts["watch"], inv.namespace, inv.client, inv.write(text), inv.warn(text)

Flags come from the real help text: store ``kubectl rollout status --help`` as
``help/kubectl_rollout_status.txt`` and its ``Options:`` section becomes the flag set (plus the global
flags of ``kubectl options``); pass ``flags=(Flag(...),)`` for anything the help text cannot say. Raise
:class:`ktui.kubectl.errors.KubectlError` (``error: ...``), ``inv.usage_error(msg)``, or let an
:class:`ktui.api.errors.ApiError` through: the dispatcher prints each as kubectl does. A command imports no
other command; what several share lives beside them: :mod:`ktui.kubectl.builder` (``TYPE NAME`` arguments,
``-f``/``-l`` targets), :mod:`ktui.kubectl.generate` (names, metadata and labels of built objects),
:mod:`ktui.kubectl.submit` (``-o`` checks, ``--dry-run``, creating, reporting errors),
:mod:`ktui.kubectl.printers` (``Printer``, ``to_yaml``, ``tabwrite``) and :mod:`ktui.kubectl.manifests` (``-f``).
Object builders are pure functions of their options (``deployment_for``, ``service_for``) that tests call.
"""

from ktui.cluster import Cluster, use_kubectl
from ktui.kubectl.env import KubectlEnv
from ktui.kubectl.main import KubectlResult, run_kubectl

__all__ = ["run_kubectl", "KubectlResult", "KubectlEnv"]


def _run_on_cluster(cluster: Cluster, line: str | list[str], stdin: str = "") -> tuple[str, str, int]:
    """``Cluster.kubectl``: kubectl as the cluster's admin (kubectl sits above the cluster, so it wires itself)."""
    r = run_kubectl(KubectlEnv.for_cluster(cluster), line, stdin=stdin)
    return r.stdout, r.stderr, r.exit_code


use_kubectl(_run_on_cluster)
