"""Scenario files are validated before anything runs; each error names the file, the line and the problem."""

import textwrap

import pytest

from ktui.scenario import ScenarioError, load_file, parse_scenario


def parse(text: str):
    return parse_scenario(textwrap.dedent(text), "s.yaml")


def error_of(text: str) -> str:
    with pytest.raises(ScenarioError) as e:
        parse(text)
    return str(e.value)


def test_a_valid_scenario_loads_every_kind_of_step():
    s = parse("""\
        name: demo
        title: {en: Demo, ko: 데모}
        description: Something
        cluster: {nodes: []}
        seed: 7
        steps:
          - narrate: {en: Hi, ko: 안녕}
            title: Hello
            pause: true
          - run: kubectl get pods -l 'app in (a, b)'
            expect_exit: 1
          - apply: |
              apiVersion: v1
              kind: Namespace
              metadata:
                name: x
          - fault: {kind: kubelet-stop, node: node01}
          - advance: 1h30m
          - wait: --for=condition=Ready pod/x --timeout=2m
          - expect: {run: kubectl get ns, contains: [default, x], not_contains: y, matches: '^NAME', exit: 0}
        """)
    assert s.name == "demo" and s.seed == 7 and s.title("ko") == "데모" and s.title("en") == "Demo"
    assert [st.kind for st in s.steps] == ["narrate", "run", "apply", "fault", "advance", "wait", "expect"]
    assert [st.line for st in s.steps] == [7, 10, 12, 17, 18, 19, 20]
    assert s.steps[0].pause and s.steps[0].narration("ko") == "안녕" and s.steps[0].title("ko") == "Hello"
    assert s.steps[1].argv == ("kubectl", "get", "pods", "-l", "app in (a, b)") and s.steps[1].expect_exit == 1
    assert "kind: Namespace" in s.steps[2].manifest
    assert s.steps[3].fault == {"kind": "kubelet-stop", "node": "node01"}
    assert s.steps[4].seconds == 5400
    assert s.steps[5].argv == ("kubectl", "wait", "--for=condition=Ready", "pod/x", "--timeout=2m")
    assert s.steps[6].check.contains == ("default", "x") and s.steps[6].check.not_contains == ("y",)
    assert s.cluster["nodes"] == []


@pytest.mark.parametrize(
    "body, line, message",
    [
        (
            "steps:\n  - fault: {kind: kubelet-stp, node: n}\n",
            2,
            'step 1: unknown fault kind "kubelet-stp" (expected one of: kubelet-stop, kubelet-start',
        ),
        (
            "steps:\n  - narrate: hi\n  - fault:\n      node: n\n      kind: kubelet-stp\n",
            5,
            'step 2: unknown fault kind "kubelet-stp"',
        ),
        ("steps:\n  - run: kubectl get pods\n    colour: red\n", 3, "step 1: unknown key 'colour'"),
        ("stepz: []\n", 1, "unknown key 'stepz'"),
        ("steps:\n  - advance: 5 minutes\n", 2, "step 1: advance: bad duration '5 minutes'"),
        ("steps:\n  - advance: 45\n", 2, "step 1: advance: bad duration 45"),
        ("steps:\n  - run: kubectl get pods -l 'app=x\n", 2, "step 1: run: cannot parse"),
        ("steps:\n  - run: ls -l\n", 2, "step 1: run: 'ls -l' is not a kubectl command"),
        ("steps:\n  - run: kubectl get pods | grep x\n", 2, "shell operator '|' is not supported"),
        ("steps:\n  - run: [kubectl, get]\n", 2, "step 1: run must be a string, not a list"),
        ("steps:\n  - narrate: hi\n    pause: yes please\n", 3, "step 1: pause must be true or false"),
        (
            "steps:\n  - run: kubectl get pods\n    advance: 5s\n",
            2,
            "step 1: one action per step, found run and advance",
        ),
        ("steps:\n  - title: nothing\n", 2, "step 1: nothing to do"),
        ("steps:\n  - expect: {run: kubectl get pods}\n", 2, "step 1: expect needs at least one of"),
        ("steps:\n  - expect: {contains: x}\n", 2, "step 1: expect needs run"),
        ("steps:\n  - expect: {run: kubectl get pods, matches: '('}\n", 2, "expect.matches: bad regular expression"),
        ("steps:\n  - expect: {run: kubectl get pods, exit: zero}\n", 2, "expect.exit must be an integer"),
        ("steps:\n  - wait: pod/x --timeout=2m\n", 2, "step 1: wait: needs --for"),
        ("steps:\n  - wait: --for=delete pod/x --timeout=forever\n", 2, "step 1: wait: bad --timeout 'forever'"),
        ("steps:\n  - narrate: {en: hi, fr: salut}\n", 2, "step 1: narrate: unknown language 'fr'"),
        ("steps:\n  - run: kubectl get pods\n    run: kubectl get nodes\n", 3, "step 1: 'run' is given twice"),
        ("steps:\n  - narrate: hi\n    expect_exit: 1\n", 3, "step 1: expect_exit goes with run or apply"),
        ("steps:\n  - fault: {kind: kubelet-stop}\n", 2, "step 1: fault kubelet-stop needs a node"),
        ("steps:\n  - fault: {kind: container-crash, node: n}\n", 2, "fault container-crash needs a pod"),
        (
            "steps:\n  - apply: |\n      kind: Pod\n      metadata: a: b\n",
            4,
            "step 1: apply: the manifest is not valid YAML",
        ),
        ("cluster: {nodez: []}\nsteps:\n  - narrate: hi\n", 1, "cluster spec: unknown field 'nodez'"),
        ("seed: x\nsteps:\n  - narrate: hi\n", 1, "seed must be an integer"),
        ("steps: []\n", 1, "no steps"),
        ("title: [a]\nsteps:\n  - narrate: hi\n", 1, "title must be a string or a mapping of languages"),
        ("steps:\n  - narrate: hi\n  - run: 'kubectl get\n", 3, "not valid YAML"),
    ],
)
def test_errors_name_the_file_line_and_problem(body, line, message):
    text = error_of(body)
    assert text.startswith(f"s.yaml:{line}: "), text
    assert message in text, text


def test_a_missing_file_and_a_missing_cluster_spec_file(tmp_path):
    with pytest.raises(ScenarioError, match=r"nope\.yaml: No such file"):
        load_file(tmp_path / "nope.yaml")
    f = tmp_path / "lab.yaml"
    f.write_text("cluster: spec.yaml\nsteps:\n  - narrate: hi\n")
    with pytest.raises(ScenarioError, match=r"lab\.yaml:1: cluster: .*spec\.yaml"):
        load_file(f)
    (tmp_path / "spec.yaml").write_text("nodes: [{name: a}]\n")
    s = load_file(f)
    assert s.name == "lab" and [n["name"] for n in s.cluster["nodes"]] == ["a"]
