"""``ktui lab list | show | check | run``: what a learner and a lab author see, and the exit codes."""

import io
import json

import pytest

from ktui.cli import main
from ktui.lab.cli import lab_main
from ktui.lab.lines import Line, LineError, parse_lines

LAB = """\
name: two-maps
title: {en: Two maps, ko: 맵 두 개}
cluster: {nodes: []}
time_limit: 1m
tasks:
  - title: First
    text: Create the ConfigMap one from the file one.yaml.
    hints: [write it with --dry-run=client -o yaml]
    solution: kubectl create configmap one
    checks:
      - {resource: configmap, name: one, jsonpath: .data.a, equals: "1", message: one has no a=1}
  - title: Second
    text: Create the ConfigMap two.
    checks:
      - {resource: configmap, name: two, exists: true, message: no two}
"""


@pytest.fixture
def lab_file(tmp_path):
    path = tmp_path / "two-maps.yaml"
    path.write_text(LAB, encoding="utf-8")
    return str(path)


def run(args, stdin=""):
    out, err = io.StringIO(), io.StringIO()
    code = lab_main(args, stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_list_shows_the_builtin_labs_through_the_ktui_command(capsys):
    assert main(["lab", "list", "--lang", "ko"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 11
    assert lines[0].split()[:3] == ["imperative-pods", "3", "tasks"] and "명령형으로 Pod와 Deployment" in lines[0]


def test_show_lists_tasks_and_checks():
    code, out, _ = run(["show", "expose-clusterip"])
    assert code == 0
    assert "cluster: default, seed 0, 3 setup steps\n" in out
    assert "1. A ClusterIP Service for web  (2 hints, 6 checks)\n" in out
    assert "   - service/web-svc jsonpath {.spec.selector} same as pod/web {.metadata.labels}\n" in out


def test_check_validates_files_and_reports_errors_with_file_and_line(lab_file, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("tasks:\n  - text: t\n    checks:\n      - {run: kubectl delete pod x, exit: 0, message: m}\n")
    code, out, err = run(["check", lab_file, str(bad)])
    assert code == 2
    assert out == f"{lab_file}: ok (two-maps: 2 tasks, 2 checks, 0 setup steps)\n"
    assert err.startswith(f"{bad}:4: task 1: check 1: run: a check only reads; kubectl delete is not one of:")
    assert run(["check", str(tmp_path / "none.yaml")])[2] == f"{tmp_path / 'none.yaml'}: No such file or directory\n"


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "nope"], "ktui lab: no built-in lab 'nope' (built-in: imperative-pods,"),
        (["run", "imperative-pods", "--pace", "soon"], "ktui lab: --pace: bad duration 'soon'"),
        (["run", "imperative-pods", "--pace=-5s"], "ktui lab: --pace: bad duration '-5s'"),
        (["run"], "ktui lab: the following arguments are required: lab"),
        (["frob"], "ktui lab: argument cmd: invalid choice: 'frob'"),
    ],
)
def test_usage_errors_exit_2_with_a_message(args, message):
    code, out, err = run(args)
    assert code == 2 and out == "" and err.startswith(message)


SESSION = """\
hint
solution
check
solution
kubectl create configmap one --from-literal=a=2 --dry-run=client -o yaml > one.yaml
ls
cat > one.yaml <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: one
data:
  a: "1"
EOF
kubectl apply -f one.yaml
cat one.yaml
check
frobnicate
next
"""


def test_run_reads_lines_and_prints_a_transcript_the_same_every_time(lab_file, tmp_path):
    (tmp_path / "w1").mkdir()
    (tmp_path / "w2").mkdir()
    first = run(["run", lab_file, "--workdir", str(tmp_path / "w1")], SESSION)
    second = run(["run", lab_file, "--workdir", str(tmp_path / "w2")], SESSION)
    assert first == second
    code, out, err = first
    assert code == 1 and err == ""
    assert out.startswith(
        "# two-maps: Two maps\n(type help for the lab commands)\n\nTask 1/2: First\n\n"
        "Create the ConfigMap one from the file one.yaml.\n"
    )
    assert "\ncontrolplane$ hint\nHint 1/1: write it with --dry-run=client -o yaml\n" in out
    assert "\ncontrolplane$ solution\ncheck task 1 first: its solution is shown after a first check\n" in out
    assert "\ncontrolplane$ solution\nSolution of task 1:\nkubectl create configmap one\n" in out
    assert "\ncontrolplane$ ls\none.yaml\n" in out
    assert "\ncontrolplane$ kubectl apply -f one.yaml\nconfigmap/one created\n" in out
    assert "\ncontrolplane$ check\n✓ Task 1: First: passed\nnext: type `next` for the next task\n" in out
    assert (
        "\ncontrolplane$ frobnicate\nfrobnicate: command not found (kubectl, a lab command or ssh; type help)\n" in out
    )
    assert "\ncontrolplane$ next\nTime is up (1m).\n" in out
    assert out.endswith(
        "\n# two-maps: Two maps\n✓ 1. First (1 hint, solution shown)\n✗ 2. Second\n"
        "tasks passed: 1/2, hints used: 1, solutions shown: 1, time: 00:01:00 of 1m (time is up)\n"
    )
    assert 'a: "1"' in (tmp_path / "w1" / "one.yaml").read_text()


def test_run_json_gives_one_object_per_line_and_the_summary(lab_file):
    code, out, _ = run(["run", lab_file, "--json"], "kubectl create configmap two\ncheck 2\nssh node9\nquit\n")
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["type"] for r in records] == ["start", "kubectl", "check", "ssh", "summary"]
    assert records[1]["stdout"] == "configmap/two created\n" and records[1]["exit_code"] == 0
    assert records[2]["task"] == 2 and records[2]["ok"] is True and records[2]["time"] == "00:00:10"
    assert records[3]["exit_code"] == 255 and "Could not resolve hostname node9" in records[3]["text"]
    assert (records[4]["passed"], records[4]["total"], records[4]["time_up"]) == (1, 2, False)
    assert code == 1


def test_the_time_limit_ends_the_lab(lab_file):
    code, out, _ = run(["run", lab_file, "--json", "--pace", "25s"], "tasks\ntasks\ntasks\ntasks\n")
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["type"] for r in records] == ["start", "tasks", "tasks", "time_up", "summary"]
    assert records[3]["text"] == "Time is up (1m).\n" and records[-1]["time_up"] is True and code == 1


def test_lines_split_heredocs_redirects_and_node_commands():
    items = list(
        parse_lines(
            [
                "k get pods -o name > pods.txt  # a comment",
                "cat <<EOF | kubectl apply -f -",
                "kind: X",
                "EOF",
                "sudo systemctl enable --now kubelet",
                "kubectl get pods | grep web",
                "kubectl apply -f - <<-END",
                "\tindented",
                "\tEND",
                "cat > f <<EOF",
                "never closed",
            ]
        )
    )
    assert items[0] == Line(
        "kubectl",
        ("kubectl", "get", "pods", "-o", "name"),
        "k get pods -o name > pods.txt  # a comment",
        redirect="pods.txt",
    )
    assert (
        items[1].kind == "kubectl"
        and items[1].argv == ("kubectl", "apply", "-f", "-")
        and items[1].stdin == "kind: X\n"
    )
    assert items[2] == Line("systemctl", ("enable",), "sudo systemctl enable --now kubelet")
    assert (
        isinstance(items[3], LineError)
        and str(items[3]) == "'|' is not supported: the lab shell runs one command per line"
    )
    assert items[4].stdin == "indented\n"
    assert isinstance(items[5], LineError) and str(items[5]) == "the here-document was not closed with EOF"


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_in_a_terminal_run_prompts_with_progress_and_the_node_and_does_not_echo(lab_file):
    out = io.StringIO()
    code = lab_main(["run", lab_file], stdin=_Terminal("kubectl create configmap two\ncheck 2\nquit\n"), stdout=out)
    text = out.getvalue()
    assert code == 1
    assert "[0/2 ✓] controlplane:~$ configmap/two created\n" in text
    assert "[0/2 ✓] controlplane:~$ ✓ Task 2: Second: passed\n" in text
    assert "[1/2 ✓] controlplane:~$ # two-maps: Two maps\n" in text
    assert "controlplane$" not in text


class _Interrupted(_Terminal):
    def readline(self, *args):
        line = super().readline(*args)
        if not line:
            raise KeyboardInterrupt
        return line


def test_ctrl_c_at_the_prompt_ends_the_lab_with_its_summary(lab_file):
    out, err = io.StringIO(), io.StringIO()
    code = lab_main(["run", lab_file], stdin=_Interrupted("kubectl create configmap two\n"), stdout=out, stderr=err)
    assert code == 1 and err.getvalue() == ""
    assert out.getvalue().endswith(
        "\n✗ 1. First\n✓ 2. Second\ntasks passed: 1/2, hints used: 0, solutions shown: 0, time: 00:00:00 of 1m\n"
    )


def test_in_a_terminal_a_here_document_is_typed_at_a_continuation_prompt(lab_file):
    out = io.StringIO()
    typed = "kubectl apply -f - <<EOF\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: two}\nEOF\nquit\n"
    lab_main(["run", lab_file], stdin=_Terminal(typed), stdout=out)
    assert "[0/2 ✓] controlplane:~$ > > > > configmap/two created\n[0/2 ✓] controlplane:~$ " in out.getvalue()
