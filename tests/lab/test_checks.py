"""Checks grade the cluster as pure reads: the store's revision, the clock and the event queue are the same after."""

import textwrap

import pytest

from ktui.lab import LabSession, parse_lab
from ktui.lab.checks import ReadOnlyViolation, evaluate
from ktui.lab.model import KubectlCheck
from ktui.scenario.model import Check

from tests.lab.conftest import cluster_state

LAB = """\
name: every-check
setup:
  - run: kubectl run web --image=nginx --labels=app=web,tier=front
  - run: kubectl run client --image=busybox -- sleep 3600
  - run: kubectl expose pod web --port=80 --name=web-svc
  - wait: --for=condition=Ready pod/web pod/client --timeout=60s
  - advance: 2s
tasks:
  - text: everything
    checks:
      - {run: kubectl get pods -o json, jsonpath: '{.items[*].metadata.name}', equals: client web, message: m1}
      - {run: kubectl describe pod web, matches: "Status: +Running", message: m2}
      - {run: kubectl logs web, exit: 0, message: m3}
      - {run: kubectl auth can-i delete pods, equals: "yes", message: m4}
      - {run: kubectl exec client -- cat /etc/resolv.conf, contains: "search default.svc.cluster.local", message: m5}
      - {run: kubectl exec client -- nslookup web-svc.default.svc.cluster.local, contains: "Name:", message: m6}
      - {resource: pod, name: web, exists: true, message: m7}
      - {resource: pod, name: ghost, exists: false, message: m8}
      - {resource: pods, selector: app=web, count: 1, message: m9}
      - {resource: pods, field_selector: status.phase=Running, jsonpath: '{.items[*].metadata.name}',
         equals: client web, message: m10}
      - {resource: pod, name: web, not_recreated: true, message: m11}
      - {resource: service, name: web-svc, jsonpath: .spec.selector,
         same_as: {resource: pod, name: web, jsonpath: .metadata.labels}, message: m12}
      - {resource: service, name: web-svc, selects: {resource: pod, name: web}, message: m13}
      - {resource: service, name: web-svc, selects: {resource: pod, name: client}, message: m14}
      - {resource: pod, name: web, jsonpath: .status.phase, matches: '^Run', not_contains: Pending, message: m15}
      - {run: kubectl exec client -- wget -qO- http://web-svc, contains: "<h1>Welcome to nginx!</h1>", message: m17}
      - {run: kubectl exec client -- sh -c 'echo x > /tmp/mark', exit: 0, message: m18}
      - {script: kubectl get pods, message: m16}
"""


@pytest.fixture(scope="module")
def session():
    with LabSession(parse_lab(LAB, "every-check.yaml")) as s:
        yield s


def test_every_kind_of_check_runs_and_none_changes_the_cluster_or_its_clock(session):
    before = cluster_state(session.cluster)
    result = session.check()
    again = session.check()
    assert cluster_state(session.cluster) == before
    verdicts = {o.check.message(): (o.ok, o.detail) for o in result.outcomes}
    assert [m for m, (ok, _) in verdicts.items() if not ok] == ["m14"], verdicts
    assert (
        verdicts["m14"][1] == 'selector {"app":"web","tier":"front"} does not match pod/client\'s labels '
        '{"run":"client"}'
    )
    assert [o.ok for o in again.outcomes] == [o.ok for o in result.outcomes]


def test_a_script_check_without_a_server_says_it_needs_the_http_api(session):
    outcome = evaluate(session.cluster, session.task.checks[-1], session.baseline)
    assert not outcome.ok and outcome.unavailable
    assert outcome.detail.startswith("needs the HTTP API")
    assert outcome.to_json()["unavailable"] is True


@pytest.mark.parametrize(
    "line",
    [
        "kubectl delete pod web",
        "kubectl get pods -w",
        "kubectl label pod web x=y",
        "kubectl wait --for=delete pod/web --timeout=5s",
    ],
)
def test_a_check_that_would_write_or_wait_is_stopped_before_it_changes_anything(session, line):
    before = cluster_state(session.cluster)
    check = KubectlCheck(line=1, messages={"en": "m"}, check=Check(tuple(line.split()), line, exit=0))
    with pytest.raises(ReadOnlyViolation):
        evaluate(session.cluster, check)
    assert cluster_state(session.cluster) == before
    assert session.cluster.api.get("pods", "web")["status"]["phase"] == "Running"


def test_a_recreated_object_fails_not_recreated_with_both_uids():
    lab = parse_lab(
        textwrap.dedent("""\
        setup:
          - run: kubectl create configmap cfg --from-literal=a=1
        tasks:
          - text: keep it
            checks:
              - {resource: configmap, name: cfg, not_recreated: true, message: {en: recreated, ko: 다시 만듦}}
              - {resource: configmap, name: cfg, unchanged: .data, message: edited}
        """),
        "k.yaml",
    )
    s = LabSession(lab, lang="ko")
    old = s.cluster.api.get("configmaps", "cfg")["metadata"]["uid"]
    assert s.check().ok
    s.cluster.kubectl("delete configmap cfg")
    s.cluster.kubectl("create configmap cfg --from-literal=a=1")
    new = s.cluster.api.get("configmaps", "cfg")["metadata"]["uid"]
    outcome, same = s.check().outcomes
    assert same.ok  # recreated with the same data: unchanged holds, not_recreated does not
    assert not outcome.ok and outcome.message("ko") == "다시 만듦"
    assert outcome.detail == (
        f"configmap/cfg has uid {new}; when the lab started it had {old} (it was deleted and created again)"
    )


def test_an_edited_part_fails_unchanged_with_before_and_after():
    lab = parse_lab(
        textwrap.dedent("""\
        cluster: {nodes: []}
        setup:
          - run: kubectl create quota q --hard=pods=2
        tasks:
          - text: leave the quota alone
            checks:
              - {resource: resourcequota, name: q, unchanged: .spec.hard, message: the quota was changed}
        """),
        "q.yaml",
    )
    s = LabSession(lab)
    s.cluster.advance(5)  # the quota controller writes its status: the spec is what counts
    assert s.check().ok
    s.cluster.kubectl(["patch", "quota", "q", "-p", '{"spec":{"hard":{"pods":"5"}}}'])
    (outcome,) = s.check().outcomes
    assert not outcome.ok and outcome.message() == "the quota was changed"
    assert outcome.detail == '{.spec.hard} is {"pods":"5"}; when the lab started it was {"pods":"2"}'
