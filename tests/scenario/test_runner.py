"""Runner, session and CLI semantics on tiny inline scenarios against an API-only cluster."""

import io
import json
import textwrap

import pytest

from ktui.scenario import ScenarioError, ScenarioSession, parse_scenario, run_scenario
from ktui.scenario.cli import scenario_main

HEAD = "name: tiny\ntitle: {en: Tiny, ko: 작은 시나리오}\ncluster: {nodes: []}\nsteps:\n"


def scenario(steps: str):
    return parse_scenario(HEAD + textwrap.dedent(steps), "tiny.yaml")


def write(tmp_path, steps: str, name: str = "tiny.yaml"):
    f = tmp_path / name
    f.write_text(HEAD + textwrap.dedent(steps))
    return str(f)


def cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = scenario_main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


STORY = """\
  - title: {en: Create, ko: 만들기}
    run: kubectl create namespace lab
    narrate: {en: The API server stores it., ko: API 서버가 저장합니다.}
  - advance: 1m30s
  - apply: |
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: cfg
        namespace: lab
      data:
        k: v
  - expect:
      run: kubectl get configmap cfg -n lab -o jsonpath={.data.k}
      equals: v
      contains: v
      not_contains: w
      matches: ^v$
      exit: 0
  - run: kubectl get namespace nope
    expect_exit: 1
"""


def test_a_story_runs_and_the_transcript_shows_time_commands_narration_and_checks():
    report = run_scenario(scenario(STORY))
    assert report.ok, report.transcript()
    text = report.transcript()
    assert text.startswith(
        "# tiny: Tiny\n# seed 0, 5 steps\n\n[00:00:00] step 1/5: Create\n"
        "$ kubectl create namespace lab\nnamespace/lab created\n  The API server stores it.\n"
    )
    assert "[00:00:00] step 2/5\n» advance 1m30s → [00:01:30]\n" in text
    assert "[00:01:30] step 3/5\n$ kubectl apply -f - <<EOF\napiVersion: v1\n" in text
    assert "EOF\nconfigmap/cfg created\n" in text
    assert (
        '✓ expect equals "v"\n✓ expect contains "v"\n✓ expect not_contains "w"\n'
        '✓ expect matches "^v$"\n✓ expect exit 0\n'
    ) in text
    assert 'Error from server (NotFound): namespaces "nope" not found\n✓ exit code 1\n' in text
    assert text.endswith("✓ tiny: 5/5 steps passed\n")


def test_korean_narration_and_titles():
    text = run_scenario(scenario(STORY), lang="ko").transcript()
    assert "# tiny: 작은 시나리오\n" in text and "step 1/5: 만들기\n" in text and "  API 서버가 저장합니다.\n" in text


def test_same_seed_and_file_give_byte_identical_transcripts_and_json():
    a, b = run_scenario(scenario(STORY), seed=3), run_scenario(scenario(STORY), seed=3)
    assert a.transcript() == b.transcript() and a.json_lines() == b.json_lines()


def test_a_failing_command_fails_the_step_and_stops_the_run():
    report = run_scenario(scenario("  - run: kubectl get namespace nope\n  - narrate: never\n"))
    assert not report.ok and len(report.results) == 1 and report.stopped
    assert report.results[0].error == "exit code 1 (expected 0)"
    assert report.summary() == "✗ tiny: step 1 failed: exit code 1 (expected 0)\n"
    kept = run_scenario(scenario("  - run: kubectl get namespace nope\n  - narrate: later\n"), keep_going=True)
    assert len(kept.results) == 2 and kept.results[1].ok


def test_a_failing_expectation_says_what_it_saw():
    report = run_scenario(
        scenario("  - expect: {run: kubectl get ns default -o name, contains: kube-system, exit: 1}\n")
    )
    r = report.results[0]
    assert not r.ok and [c.ok for c in r.checks] == [False, False]
    text = r.transcript
    assert '✗ expect contains "kube-system": saw "namespace/default\\n"\n' in text
    assert "✗ expect exit 1: saw exit 0\n" in text


def test_equals_ignores_one_trailing_newline():
    ok = run_scenario(scenario('  - expect: {run: kubectl get ns default -o name, equals: "namespace/default"}\n'))
    assert ok.ok
    bad = run_scenario(scenario('  - expect: {run: kubectl get ns default -o name, equals: "namespace/def"}\n'))
    assert not bad.ok


def test_a_fault_that_cannot_apply_fails_the_step():
    r = run_scenario(scenario("  - fault: {kind: kubelet-stop, node: ghost}\n")).results[0]
    assert not r.ok and r.error == 'fault failed: node "ghost" not found'


def test_until_stops_after_a_step_by_number_or_title():
    assert len(run_scenario(scenario(STORY), until=2).results) == 2
    assert len(run_scenario(scenario(STORY), until="만들기").results) == 1
    with pytest.raises(ScenarioError, match="no step 9"):
        run_scenario(scenario(STORY), until=9)
    with pytest.raises(ScenarioError, match="no step titled 'zzz'"):
        run_scenario(scenario(STORY), until="zzz")


def test_json_lines_one_object_per_step():
    lines = run_scenario(scenario(STORY)).json_lines().splitlines()
    objs = [json.loads(line) for line in lines]
    assert [o["step"] for o in objs] == [1, 2, 3, 4, 5]
    assert objs[0]["command"] == "kubectl create namespace lab" and objs[0]["stdout"] == "namespace/lab created\n"
    assert objs[1] == {
        "scenario": "tiny",
        "step": 2,
        "kind": "advance",
        "title": "",
        "time": "00:00:00",
        "start": 0.0,
        "end": 90.0,
        "advance": "1m30s",
        "narration": "",
        "pause": False,
        "ok": True,
        "error": "",
    }
    assert objs[3]["checks"][0] == {"check": 'equals "v"', "ok": True, "seen": '"v"'}


def test_session_steps_forward_and_back_restoring_the_cluster():
    s = ScenarioSession(scenario(STORY), lang="ko")
    assert s.name == "tiny" and s.title() == "작은 시나리오" and s.title("en") == "Tiny"
    assert s.position == 0 and not s.done and s.steps[0].title("ko") == "만들기"
    r = s.next()
    assert r.ok and s.position == 1 and "namespace/lab created" in r.transcript
    s.next()
    assert s.elapsed == 90
    assert s.back().number == 2 and s.elapsed == 0 and s.position == 1
    assert s.back().number == 1 and s.position == 0
    assert s.cluster.kubectl("get ns lab")[2] == 1  # the namespace is gone again
    assert s.back() is None
    while not s.done:
        assert s.next().ok
    with pytest.raises(ScenarioError, match="done"):
        s.next()


def test_cli_run_exit_codes_and_messages(tmp_path):
    good = write(tmp_path, STORY)
    code, out, err = cli("run", good)
    assert code == 0 and err == "" and out == run_scenario(scenario(STORY)).transcript()
    code, out, err = cli("run", good, "--json", "--lang", "ko")
    assert code == 0 and [json.loads(x)["step"] for x in out.splitlines()] == [1, 2, 3, 4, 5]
    code, out, _ = cli("run", good, "--until", "2")
    assert code == 0 and "step 3/5" not in out

    bad_file = write(tmp_path, "  - fault: {kind: kubelet-stp, node: n}\n", "bad.yaml")
    code, out, err = cli("run", bad_file)
    assert code == 2 and out == "" and err.startswith(f"ktui scenario: {bad_file}:5: step 1: unknown fault kind")

    failing = write(tmp_path, "  - expect: {run: kubectl get ns, contains: nope}\n", "failing.yaml")
    code, out, err = cli("run", failing)
    assert code == 1 and '✗ expect contains "nope": saw' in out
    assert out.endswith(
        '✗ tiny: step 1 failed: expect contains "nope": saw ' + out.split("saw ", 1)[1].split("\n")[0] + "\n"
    )

    code, _, err = cli("run", "no-such-scenario")
    assert code == 2 and "no built-in scenario 'no-such-scenario'" in err
    code, _, err = cli("run", good, "--lang", "fr")
    assert code == 2 and "invalid choice: 'fr'" in err
    code, _, err = cli("frobnicate")
    assert code == 2 and "usage: ktui scenario" in err
    code, _, err = cli("run", good, "--until", "zzz")
    assert code == 2 and "no step titled 'zzz'" in err


def test_cli_timed_out_wait_fails_with_a_clear_message(tmp_path):
    f = write(tmp_path, "  - wait: --for=condition=Ready pod/never --timeout=10s\n", "wait.yaml")
    code, out, _ = cli("run", f)
    assert code == 1
    assert "✗ the wait did not succeed: " in out and "step 1 failed: the wait did not succeed" in out


def test_cli_show_lists_steps(tmp_path):
    code, out, _ = cli("show", write(tmp_path, STORY), "--lang", "ko")
    assert code == 0 and out.startswith("tiny: 작은 시나리오\n")
    assert "1. 만들기 — $ kubectl create namespace lab\n" in out and "4. $ expect" not in out
    assert "2. advance 1m30s\n" in out and "3. $ kubectl apply -f - (ConfigMap/cfg)\n" in out
