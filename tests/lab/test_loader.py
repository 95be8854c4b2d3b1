"""Lab files are validated before anything runs; each error names the file, the line and the problem."""

import textwrap

import pytest

from ktui.lab import KubectlCheck, LabError, ObjectCheck, ScriptCheck, parse_lab

GOOD = """\
name: demo
title: {en: Demo, ko: 데모}
description: Something
seed: 3
speed: 2
time_limit: 10m
setup:
  - run: kubectl run web --image=nginx
  - advance: 5s
tasks:
  - title: {en: One, ko: 하나}
    text: {en: Do it, ko: 하세요}
    hints:
      - {en: first, ko: 첫째}
      - second
    solution: |
      kubectl expose pod web --port=80
      ssh node01
      systemctl start kubelet
      exit
    checks:
      - run: kubectl get svc web -o json
        jsonpath: .spec.ports[0].port
        equals: 80
        message: {en: no port, ko: 포트 없음}
      - resource: service
        name: web
        jsonpath: .spec.selector
        same_as: {resource: pod, name: web, jsonpath: .metadata.labels}
        message: selector
      - resource: pods
        selector: run=web
        count: 1
        message: count
      - resource: pod
        name: web
        not_recreated: true
        message: recreated
      - script: |
          kubectl get svc web
        timeout: 10s
        message: script
"""


def parse(text: str):
    return parse_lab(textwrap.dedent(text), "lab.yaml")


def error_of(text: str) -> str:
    with pytest.raises(LabError) as e:
        parse(text)
    return str(e.value)


def test_a_valid_lab_loads_with_every_kind_of_check():
    lab = parse(GOOD)
    assert (lab.name, lab.seed, lab.speed, lab.time_limit, lab.time_limit_text) == ("demo", 3, 2.0, 600.0, "10m")
    assert lab.title("ko") == "데모" and [s.kind for s in lab.setup] == ["run", "advance"]
    task = lab.tasks[0]
    assert task.title("ko") == "하나" and task.text("ko") == "하세요" and task.hint(1, "ko") == "second"
    assert task.solution().startswith("kubectl expose pod web")
    kinds = [type(c) for c in task.checks]
    assert kinds == [KubectlCheck, ObjectCheck, ObjectCheck, ObjectCheck, ScriptCheck]
    k, same, count, kept, script = task.checks
    assert k.jsonpath == "{.spec.ports[0].port}" and k.check.equals == "80" and k.message("ko") == "포트 없음"
    assert same.same_as.jsonpath == "{.metadata.labels}" and same.line == 26
    assert count.count == 1 and count.selector == "run=web" and kept.not_recreated
    assert script.timeout == 10 and "kubectl get svc web" in script.script


@pytest.mark.parametrize(
    "body, line, message",
    [
        ("tasks: []\n", 1, "no tasks"),
        (
            "name: x\nsteps: []\n",
            2,
            "unknown key 'steps' (expected one of: name, title, description, cluster, seed, "
            "speed, time_limit, setup, tasks)",
        ),
        ("tasks:\n  - text: t\n", 2, "task 1: needs checks"),
        (
            "tasks:\n  - text: t\n    checks:\n      - resource: pod\n        name: x\n        exists: true\n",
            4,
            "task 1: check 1: needs a message saying what is wrong when it fails",
        ),
        (
            "tasks:\n  - text: t\n    checks:\n      - run: kubectl delete pod x\n        exit: 0\n        message: m\n",
            4,
            "task 1: check 1: run: a check only reads; kubectl delete is not one of: get, describe",
        ),
        (
            "tasks:\n  - text: t\n    checks:\n      - run: kubectl exec -it p -- sh\n        exit: 0\n"
            "        message: m\n",
            4,
            "task 1: check 1: run: -it waits or reads input; a check must answer at once",
        ),
        (
            "tasks:\n  - text: t\n    checks:\n      - run: kubectl get pods -w\n        exit: 0\n        message: m\n",
            4,
            "task 1: check 1: run: -w waits or reads input; a check must answer at once",
        ),
        (
            "tasks:\n  - text: t\n    checks:\n      - run: kubectl get pods\n        resource: pods\n        message: m\n",
            4,
            "task 1: check 1: a check has one of run, resource or script (found run and resource)",
        ),
        (
            "tasks:\n  - text: t\n    checks:\n      - resource: pod\n        name: x\n        jsonpath: '{.a['\n"
            "        equals: b\n        message: m\n",
            6,
            "task 1: check 1: jsonpath: bad JSONPath",
        ),
        (
            "tasks:\n  - text: t\n    checks:\n      - resource: pod\n        name: x\n        equals: b\n"
            "        message: m\n",
            4,
            "task 1: check 1: equals needs a jsonpath to compare",
        ),
        (
            "tasks:\n  - text: t\n    checks:\n      - resource: pods\n        not_recreated: true\n        message: m\n",
            4,
            "task 1: check 1: exists, not_recreated, unchanged, same_as and selects need a name",
        ),
        (
            "tasks:\n  - text: t\n    checks:\n      - resource: pods\n        message: m\n",
            4,
            "task 1: check 1: nothing to check",
        ),
        (
            "tasks:\n  - text: t\n    checks:\n      - resource: pod\n        name: x\n        exists: maybe\n"
            "        message: m\n",
            6,
            "task 1: check 1: exists must be true or false, not a string",
        ),
        (
            "tasks:\n  - text: t\n    solution: kubectl get pods | grep x\n    checks:\n      - resource: pod\n"
            "        name: x\n        exists: true\n        message: m\n",
            3,
            "task 1: solution (en): '|' is not supported: the lab shell runs one command per line",
        ),
        (
            "tasks:\n  - text: t\n    solution: check\n    checks:\n      - resource: pod\n        name: x\n"
            "        exists: true\n        message: m\n",
            3,
            "task 1: solution (en): 'check' is a lab command",
        ),
        (
            "setup:\n  - fault: {kind: kubelet-stp, node: n}\ntasks: []\n",
            2,
            'setup step 1: unknown fault kind "kubelet-stp"',
        ),
        ("time_limit: soon\ntasks: []\n", 1, "time_limit: bad duration 'soon'"),
        ("speed: 0\ntasks: []\n", 1, "speed must be a number above 0 and at most 64, not 0"),
        ("tasks:\n  - text: {en: a, fr: b}\n    checks: []\n", 2, "task 1: text: unknown language 'fr'"),
    ],
)
def test_mistakes_are_reported_with_the_file_and_line(body, line, message):
    text = error_of(body)
    assert text.startswith(f"lab.yaml:{line}: "), text
    assert message in text, text


def test_a_solution_may_leave_a_node_shell_but_not_the_lab():
    body = (
        "tasks:\n  - text: t\n    solution: |\n      exit\n    checks:\n      - resource: pod\n        name: x\n"
        "        exists: true\n        message: m\n"
    )
    assert "'exit' is a lab command" in error_of(body)
