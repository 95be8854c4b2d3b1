"""--as/--as-group impersonation and logs --timestamps/--previous, on the built-in cluster."""

import re

import pytest

from ktui import Cluster


@pytest.fixture(scope="module")
def cluster():
    c = Cluster.default(seed=0)
    c.kubectl('run bb --image=busybox --restart=Never --command -- sh -c "echo hello; echo world"')
    c.advance(20)
    return c


def test_as_group_grants_what_the_group_may_do(cluster):
    out, err, code = cluster.kubectl("get pods --as jane")
    assert code == 1 and err == (
        'Error from server (Forbidden): pods is forbidden: User "jane" cannot list '
        'resource "pods" in API group "" in the namespace "default"\n'
    )
    out, err, code = cluster.kubectl("get pods --as jane --as-group system:masters")
    assert code == 0 and out.splitlines()[1].split()[:3] == ["bb", "0/1", "Completed"]
    assert cluster.kubectl("auth can-i list pods --as jane --as-group team") == ("no\n", "", 1)
    assert cluster.kubectl("auth can-i list pods --as jane --as-group system:masters") == ("yes\n", "", 0)


def test_logs_with_timestamps_prefix_each_line_with_its_simulated_time(cluster):
    out, err, code = cluster.kubectl("logs bb --timestamps")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == ["hello", "world"]
    for line in lines:
        assert re.fullmatch(r"2026-01-01T00:02:\d\d(\.\d+)?Z", line.split(" ", 1)[0])
    assert cluster.kubectl("logs bb") == ("hello\nworld\n", "", 0)
