"""A learner's session: the current task, hints one at a time, the solution after a first check, progress, time,
and the summary."""

import pytest

from ktui.lab import LabError, LabSession, parse_lab

LAB = """\
name: two-maps
title: {en: Two maps, ko: 맵 두 개}
cluster: {nodes: []}
time_limit: 2m
setup:
  - run: kubectl create namespace work
tasks:
  - title: {en: First, ko: 첫째}
    text: Create the ConfigMap one in work.
    hints: [{en: "use kubectl create configmap", ko: "kubectl create configmap을 쓰세요"}, "-n work"]
    solution: kubectl create configmap one -n work
    checks:
      - {resource: configmap, name: one, namespace: work, exists: true, message: {en: no one, ko: one 없음}}
  - title: Second
    text: Create the ConfigMap two in work.
    checks:
      - {resource: configmap, name: two, namespace: work, exists: true, message: no two}
"""


@pytest.fixture
def session():
    return LabSession(parse_lab(LAB, "two.yaml"))


def test_a_session_starts_after_setup_at_the_first_task(session):
    assert session.task.number == 1 and session.progress() == "0/2 ✓" and session.elapsed == 0
    assert session.cluster.api.get("namespaces", "work")["metadata"]["name"] == "work"


def test_hints_are_shown_one_at_a_time_and_counted(session):
    session.lang = "ko"
    assert session.hint() == (1, "kubectl create configmap을 쓰세요")
    assert session.hint() == (2, "-n work")
    assert session.hint() is None
    assert session.summary().hints_used == 2


def test_the_solution_is_shown_only_after_a_first_check_and_is_marked_as_shown(session):
    with pytest.raises(LabError, match="check task 1 first: its solution is shown after a first check"):
        session.solution()
    assert not session.summary().solutions_shown
    result = session.check()
    assert (
        not result.ok
        and result.render()
        == "✗ Task 1: First: 1 of 1 checks failed\n  ✗ no one\n    (configmap/one -n work not found)\n"
    )
    assert session.solution() == "kubectl create configmap one -n work"
    assert session.summary().solutions_shown == 1
    session.next()
    session.check()
    with pytest.raises(LabError, match="task 2 has no solution"):
        session.solution()


def test_progress_counts_tasks_passed_and_moving_stops_at_the_ends(session):
    assert session.prev() is None and session.task.number == 1
    session.cluster.kubectl("create configmap one -n work")
    assert session.check().ok and session.progress() == "1/2 ✓"
    assert session.next().number == 2 and session.next() is None and session.task.number == 2
    assert session.goto(1).number == 1
    with pytest.raises(LabError, match="no task 3"):
        session.goto(3)
    session.cluster.kubectl("delete configmap one -n work")
    assert not session.check().ok and session.progress() == "1/2 ✓"  # a task, once passed, stays passed


def test_time_is_the_simulated_clock_since_setup_and_the_limit_ends_the_lab(session):
    session.cluster.advance(30)
    assert session.elapsed == 30 and session.time_left == 90 and not session.time_up
    session.cluster.advance(90)
    assert session.time_up and session.time_left == 0


def test_the_summary_says_tasks_passed_hints_used_solutions_shown_and_time(session):
    session.hint()
    session.check()
    session.solution()
    session.cluster.kubectl("create configmap one -n work")
    session.cluster.advance(75)
    summary = session.finish()
    assert summary.render() == (
        "# two-maps: Two maps\n"
        "✓ 1. First (1 hint, solution shown)\n"
        "✗ 2. Second\n"
        "tasks passed: 1/2, hints used: 1, solutions shown: 1, time: 00:01:15 of 2m\n"
    )
    data = summary.to_json()
    assert (data["passed"], data["total"], data["hints_used"], data["solutions_shown"], data["time"]) == (
        1,
        2,
        1,
        1,
        "00:01:15",
    )
    assert data["tasks"][0] == {
        "task": 1,
        "title": "First",
        "passed": True,
        "checks": 2,
        "passed_at": "00:01:15",
        "hints_used": 1,
        "solution_shown": True,
    }
    assert data["tasks"][1]["checks"] == 1 and data["tasks"][1]["passed"] is False
    session.lang = "ko"
    assert (
        session.summary().render().splitlines()[-1]
        == "통과한 과제: 1/2, 사용한 힌트: 1, 본 풀이: 1, 걸린 시간: 00:01:15 (제한 2m)"
    )


def test_a_setup_that_fails_is_an_error_of_the_lab_naming_its_line():
    lab = parse_lab(
        "cluster: {nodes: []}\nsetup:\n  - run: kubectl get pod nope\n"
        "tasks:\n  - text: t\n    checks: [{resource: pod, name: x, exists: true, message: m}]\n",
        "bad.yaml",
    )
    with pytest.raises(LabError, match=r"^bad.yaml:3: setup step 1 failed: exit code 1 \(expected 0\)$"):
        LabSession(lab)


def test_an_unknown_language_is_refused():
    with pytest.raises(LabError, match="unknown language 'fr'"):
        LabSession(parse_lab(LAB, "two.yaml"), lang="fr")
