"""``kubectl events``: columns, order, --for, --types (and its error), -A, -n, --no-headers, -o yaml|json|name."""

from __future__ import annotations

import json

import pytest
import yaml

from ktui import Cluster
from ktui.kubectl import KubectlEnv, run_kubectl
from ktui.kubectl.cmd_events import event_time, last_seen
from ktui.kubectl.gosort import go_sort
from ktui.sim.timefmt import rfc3339


@pytest.fixture(scope="module")
def env() -> KubectlEnv:
    c = Cluster.default(seed=3)
    c.advance(60)
    c.kubectl("create deployment web --image=nginx --replicas=2")
    c.kubectl("run bad --image=nginx:no-such-tag")
    c.advance(40)
    return KubectlEnv.for_cluster(c)


def test_default_namespace_table_is_oldest_first(env: KubectlEnv) -> None:
    r = run_kubectl(env, "events")
    assert r.exit_code == 0 and r.stderr == ""
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    evs = env.client.list("events", "default")["items"]
    assert len(lines) == len(evs) + 1
    times = sorted(event_time(e) for e in evs)
    assert [event_time(e) for e in sorted(evs, key=event_time)] == times
    assert "Deployment/web" in r.stdout and "Pod/bad" in r.stdout  # Kind/name, the kind as the API names it


def test_for_selects_one_object_by_kind_and_name(env: KubectlEnv) -> None:
    r = run_kubectl(env, "events --for deploy/web")
    assert r.stdout == (
        "LAST SEEN   TYPE     REASON              OBJECT           MESSAGE\n"
        "40s         Normal   ScalingReplicaSet   Deployment/web   Scaled up replica set "
        f"{_rs(env)} from 0 to 2\n"
    )
    r = run_kubectl(env, "events --for deployment.apps/web --no-headers")
    assert r.stdout.startswith("40s ") and "LAST SEEN" not in r.stdout


def _rs(env: KubectlEnv) -> str:
    return env.client.list("replicasets", "default")["items"][0]["metadata"]["name"]


def test_types_filters_and_validates(env: KubectlEnv) -> None:
    warn = run_kubectl(env, "events --types=Warning")
    assert warn.exit_code == 0 and warn.stdout.count("\n") >= 2
    assert all(" Warning " in line and " Normal " not in line for line in warn.stdout.splitlines()[1:])
    both = run_kubectl(env, "events --types=warning,NORMAL")
    assert both.stdout == run_kubectl(env, "events").stdout
    bad = run_kubectl(env, "events --types=Normal,Info")
    assert (bad.stdout, bad.stderr, bad.exit_code) == ("", "error: valid --types are Normal or Warning\n", 1)


def test_all_namespaces_adds_the_namespace_column(env: KubectlEnv) -> None:
    r = run_kubectl(env, "events -A")
    assert r.stdout.split()[:3] == ["NAMESPACE", "LAST", "SEEN"]
    assert "\nkube-system " in r.stdout and "\ndefault " in r.stdout
    kube = run_kubectl(env, "events -n kube-system")
    assert kube.stdout.startswith("LAST SEEN") and "Pod/coredns-" in kube.stdout


def test_nothing_found_says_where(env: KubectlEnv) -> None:
    r = run_kubectl(env, "events -n kube-public")
    assert (r.stdout, r.stderr, r.exit_code) == ("", "No events found in kube-public namespace.\n", 0)
    r = run_kubectl(env, "events -A --for pod/nope")
    assert (r.stdout, r.stderr, r.exit_code) == ("", "No events found.\n", 0)


@pytest.mark.parametrize(
    "value, message",
    [
        ("pod", "--for must be in resource/name form"),
        ("pod/a/b", "arguments in resource/name form may not have more than one slash"),
        ("nothing/x", 'the server doesn\'t have a resource type "nothing"'),
    ],
)
def test_for_errors(env: KubectlEnv, value: str, message: str) -> None:
    r = run_kubectl(env, ["events", "--for", value])
    prefix = "" if value == "nothing/x" else "error: "  # kubectl prints the discovery error bare
    assert (r.stdout, r.stderr, r.exit_code) == ("", f"{prefix}{message}\n", 1)


def test_output_formats_print_an_event_list(env: KubectlEnv) -> None:
    doc = yaml.safe_load(run_kubectl(env, "events --for deploy/web -o yaml").stdout)
    assert (doc["kind"], doc["apiVersion"], doc["metadata"]) == ("EventList", "v1", {})
    assert [(e["kind"], e["reason"]) for e in doc["items"]] == [("Event", "ScalingReplicaSet")]
    assert doc["items"][0]["eventTime"] is None  # a typed corev1.Event writes its zero times as null
    text = run_kubectl(env, "events --for deploy/web -o json").stdout
    assert text.startswith('{\n    "kind": "EventList",\n    "apiVersion": "v1",\n    "metadata": {},\n    "items"')
    doc = json.loads(text)
    assert list(doc["items"][0])[:5] == ["kind", "apiVersion", "metadata", "involvedObject", "reason"]
    r = run_kubectl(env, "events --for deploy/web -o name")
    assert (r.stdout, r.stderr, r.exit_code) == ("", "", 0)  # as kubectl 1.37: nothing
    r = run_kubectl(env, "events -o wide")
    assert r.exit_code == 1 and r.stderr.startswith(
        'error: unable to match a printer suitable for the output format "wide"'
    )
    assert "custom-columns" not in r.stderr


def test_go_sort_matches_go_for_ties() -> None:
    """Go's sort.Sort is not stable: 20 ties keyed by position come out as Go's pdqsort leaves them."""
    items = [(i % 3, i) for i in range(20)]
    out = go_sort(items, lambda a, b: a[0] < b[0])
    assert [k for k, _ in out] == sorted(k for k, _ in items)
    assert go_sort(list(range(30)), lambda a, b: a < b) == list(range(30))
    assert go_sort(list(range(60, 0, -1)), lambda a, b: a < b) == list(range(1, 61))


def test_last_seen_counts_repeats() -> None:
    ev = {"count": 4, "firstTimestamp": rfc3339(100), "lastTimestamp": rfc3339(370)}
    assert last_seen(ev, 400) == "30s (x4 over 5m)"
    assert (
        last_seen({"eventTime": rfc3339(100), "series": {"count": 2, "lastObservedTime": rfc3339(390)}}, 400)
        == "10s (x2 over 5m)"
    )
    assert last_seen({"firstTimestamp": rfc3339(100), "count": 1}, 400) == "5m"
    assert last_seen({}, 400) == "<unknown>"


def test_watch_prints_each_event_as_it_comes() -> None:
    c = Cluster.default(seed=1)
    env = KubectlEnv.for_cluster(c)
    c.kubectl("run x --image=nginx")
    c.advance(1)
    r = run_kubectl(env, "events -w --for pod/x --request-timeout=20s")
    lines = r.stdout.splitlines()
    assert r.exit_code == 0 and lines[0] == "LAST SEEN   TYPE     REASON      OBJECT   MESSAGE"
    assert lines[1] == "1s          Normal   Scheduled   Pod/x    Successfully assigned default/x to node01"
    assert lines[2] == '1s          Normal   Pulling     Pod/x    Pulling image "nginx"'  # widths remembered
    assert [line.split()[2] for line in lines[3:]] == ["Pulled", "Created", "Started"]  # later, as they happen
    assert c.now == 141  # followed the clock for --request-timeout
    r = run_kubectl(env, "events -w --for pod/x --types=Warning --request-timeout=2s")
    assert (r.stdout, r.stderr, r.exit_code) == ("", "", 0)
    r = run_kubectl(env, "events -w --for pod/x -o name --request-timeout=1s")
    assert r.stdout.count("event/x.") == 5  # one per Event (unlike the list, which -o name leaves empty)
