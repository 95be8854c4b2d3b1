"""kubectl runs against anything that has an admin client and a clock (KubectlTarget), not only a Cluster."""

from ktui.api.auth.authn import ADMIN
from ktui.clusterspec import DEFAULT_SPEC, normalize_spec
from ktui.kubectl import KubectlEnv, run_kubectl
from ktui.world import build_world


class _BareWorld:
    """A World without the Cluster facade: its API server as the admin, its kernel as the clock."""

    def __init__(self) -> None:
        self.world = build_world(normalize_spec({**DEFAULT_SPEC, "seed": 4}))
        self.api = self.world.client(ADMIN)

    @property
    def now(self) -> float:
        return self.world.kernel.now

    def advance(self, seconds: float) -> None:
        self.world.kernel.advance(seconds)


def test_kubectl_runs_against_a_target_that_is_not_a_cluster():
    target = _BareWorld()
    r = run_kubectl(KubectlEnv.for_cluster(target), "get namespaces -o name")
    assert (r.stdout, r.stderr, r.exit_code) == (
        "namespace/default\nnamespace/kube-node-lease\nnamespace/kube-public\nnamespace/kube-system\n",
        "",
        0,
    )
    r = run_kubectl(KubectlEnv.for_cluster(target, namespace="kube-system"), "create configmap c --from-literal=a=b")
    assert (r.stdout, r.exit_code) == ("configmap/c created\n", 0)
    assert target.api.get("configmaps", "c", "kube-system")["data"] == {"a": "b"}
