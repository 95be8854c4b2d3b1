"""``kubectl events`` by the real kubectl 1.37 over HTTPS and by ktui's kubectl on a twin: the same bytes.

The served cluster and its twin start from the same seed and run the same commands; each line is run by
both and compared whole (stdout, stderr, exit code), with the clocks of both brought level in between.
"""

from __future__ import annotations

import re
from typing import Iterator

import pytest

from ktui.cluster import Cluster

from tests.server.conftest import serve
from tests.server.test_real_kubectl_commands import Twin


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Twin]:
    served_cluster, twin = Cluster.default(seed=7), Cluster.default(seed=7)
    for c in (served_cluster, twin):
        c.advance(60)
        c.kubectl("create deployment web --image=nginx --replicas=2")
        c.kubectl("run bad --image=nginx:no-such-tag")
        c.advance(200)  # ImagePullBackOff repeats: events counted more than once
    yield from (Twin(s, twin) for s in serve(tmp_path_factory.mktemp("events"), served_cluster))


LINES = [
    "events",
    "events -A",
    "events -n kube-system",
    "events -A --no-headers",
    "events --for deployment/web",
    "events --for deploy/web -o yaml",
    "events --for pod/bad -o json",
    "events --for pod/bad",
    "events --for po/nope",
    "events -A --for pod/nope",
    "events -n kube-public",
    "events --types=Warning",
    "events -A --types=normal,WARNING",
    "events --types=Info",
    "events --for pod",
    "events --for pod/a/b",
    "events --for nothing/x",
    "events --for deploy/web -o name",
    "events --for deploy/web -o jsonpath={.items[0].reason}",
    "events -o wide",
    "events -o custom-columns=A:.reason",
]


SEEN = re.compile(r"^(?:\d+[smhdy][\dsmhdy]*|<unknown>)(?: \(x(\d+) over \S+\))?$")


def masked(out: str, all_namespaces: bool) -> list[list[str]]:
    """The table's cells, LAST SEEN masked down to its count: the real kubectl measures ages with the
    computer's clock (``time.Since``), ktui's with the simulated one."""
    rows = []
    for line in out.splitlines():
        cells = re.split(r"\s{2,}", line, maxsplit=5 if all_namespaces else 4)
        i = 1 if all_namespaces else 0
        m = SEEN.match(cells[i])
        if m:
            cells[i] = f"x{m.group(1) or 1}"
        rows.append(cells)
    return rows


@pytest.mark.parametrize("line", LINES)
def test_events_print_what_ktui_prints(pair: Twin, line: str) -> None:
    real, ours = pair.both(line)
    assert real[1:] == ours[1:], line
    if " -o " in line:
        assert real[0] == ours[0], line
    else:
        assert masked(real[0], " -A" in line) == masked(ours[0], " -A" in line), line
