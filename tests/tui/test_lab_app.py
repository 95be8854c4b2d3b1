"""A lab in the terminal UI (Pilot): the task pane, the prompt with its history, each lab key, the summary, and
the Korean texts. Lines and keys run through the same lab shell as ``ktui lab run --headless``."""

from __future__ import annotations

import pytest

from ktui.lab.loader import load_file
from ktui.lab.session import LabSession
from ktui.lab.tui import SessionDriver
from ktui.tui.lab_app import LabApp, SummaryScreen
from ktui.tui.lab_pane import LabPane

from tests.tui.helpers import screen_text

LAB = """\
name: two-maps
title: {en: Two maps, ko: 맵 두 개}
description: {en: Two ConfigMaps in the default namespace., ko: default 네임스페이스의 ConfigMap 두 개.}
cluster: {nodes: []}
time_limit: 10m
tasks:
  - title: {en: First, ko: 첫째}
    text:
      en: Create the ConfigMap `one` with the key **a=1**.
      ko: 키 **a=1**이 있는 ConfigMap `one`을 만드세요.
    hints:
      - {en: "`kubectl create configmap` takes --from-literal", ko: "`kubectl create configmap`은 --from-literal을 받습니다"}
      - {en: "kubectl create configmap one --from-literal=a=1", ko: "kubectl create configmap one --from-literal=a=1"}
    solution: kubectl create configmap one --from-literal=a=1
    checks:
      - {resource: configmap, name: one, exists: true, message: {en: There is no ConfigMap one., ko: ConfigMap one이 없습니다.}}
      - {resource: configmap, name: one, jsonpath: .data.a, equals: "1", message: {en: one has no a=1, ko: one에 a=1이 없습니다}}
  - title: {en: Second, ko: 둘째}
    text: {en: Create the ConfigMap `two`., ko: ConfigMap `two`를 만드세요.}
    checks:
      - {resource: configmap, name: two, exists: true, message: {en: There is no ConfigMap two., ko: ConfigMap two가 없습니다.}}
"""


@pytest.fixture(autouse=True)
def _paused(monkeypatch):
    monkeypatch.setattr(LabApp, "TICK_SECONDS", 3600.0)  # the clock never moves on its own (conftest: KtuiApp's)


@pytest.fixture
def lab(tmp_path):
    path = tmp_path / "two-maps.yaml"
    path.write_text(LAB, encoding="utf-8")
    return load_file(path)


@pytest.fixture
def make_lab_app(lab, tmp_path):
    def factory(lang: str = "en", **kwargs) -> LabApp:
        session = LabSession(lab, lang=lang)
        work = tmp_path / "work"
        work.mkdir(exist_ok=True)
        saved: list[int] = []
        driver = SessionDriver(session, work, on_change=lambda s: saved.append(s.passed))
        app = LabApp(driver, **kwargs)
        app.saved = saved  # type: ignore[attr-defined]
        return app

    return factory


def pane(app: LabApp) -> LabPane:
    return app.lab_screen.query_one(LabPane)


def transcript(app: LabApp) -> str:
    return app.transcript.plain


async def type_line(pilot, text: str) -> None:
    app = pilot.app
    app.set_focus(app.lab_screen.prompt_line)
    await pilot.press(*text, "enter")
    await pilot.pause()


async def test_the_pane_shows_the_task_progress_and_keys_and_the_prompt_has_focus(make_lab_app):
    app = make_lab_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        screen = screen_text(app)
        assert "Task 1/2: First" in screen
        assert "Create the ConfigMap one with the key a=1." in screen  # Markdown, rendered
        assert "c check  h hint (2)  o solution" in screen and "] next task  [ previous task" in screen
        assert "[0/2 ✓] controlplane:~$ " in screen
        assert "# two-maps: Two maps" in screen and "(type help for the lab commands)" in screen
        assert pane(app).border_subtitle == "0/2 ✓   00:00:00 / 10m"
        assert app.focused is app.lab_screen.prompt_line
        assert app.playing and app.speed == 1.0  # the lab's clock runs in real time


async def test_the_prompt_runs_kubectl_stays_open_and_keeps_a_history(make_lab_app):
    app = make_lab_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await type_line(pilot, "kubectl create configmap two")
        await type_line(pilot, "kubectl get configmap two -o name")
        text = transcript(app)
        assert "[0/2 ✓] controlplane:~$ kubectl create configmap two\nconfigmap/two created\n" in text
        assert "controlplane:~$ kubectl get configmap two -o name\nconfigmap/two\n" in text
        line = app.lab_screen.prompt_line
        assert app.focused is line and line.value == ""
        await pilot.press("up")
        assert line.value == "kubectl get configmap two -o name"
        await pilot.press("up")
        assert line.value == "kubectl create configmap two"
        await pilot.press("down", "down")
        assert line.value == ""
        assert app.saved == [0, 0]  # the driver's on_change ran after each line (the SSH server saves there)


async def test_c_checks_the_task_and_shows_each_failing_message(make_lab_app):
    app = make_lab_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await type_line(pilot, "kubectl create configmap one")
        await pilot.press("escape")  # leave the prompt: the keys are the lab's
        assert app.focused is not app.lab_screen.prompt_line
        await pilot.press("c")
        await pilot.pause()
        text = pane(app).text
        assert "✗ Task 1: First: 1 of 2 checks failed\n  ✗ one has no a=1\n" in text
        assert "There is no ConfigMap one." not in text  # only the failing expectation
        assert "controlplane:~$ check\n✗ Task 1: First: 1 of 2 checks failed" in transcript(app)
        assert "Last check" in screen_text(app)


async def test_h_shows_the_hints_one_at_a_time(make_lab_app):
    app = make_lab_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("escape", "h")
        await pilot.pause()
        assert "Hint 1/2: `kubectl create configmap` takes --from-literal" in pane(app).text
        assert "Hint 2/2" not in pane(app).text
        assert "h hint (1)" in screen_text(app)
        await pilot.press("h", "h")
        await pilot.pause()
        assert "Hint 2/2: kubectl create configmap one --from-literal=a=1" in pane(app).text
        assert transcript(app).endswith("controlplane:~$ hint\nNo more hints for task 1.\n")
        assert "h no hints left" in screen_text(app)
        assert app.driver.session.summary().hints_used == 2


async def test_o_shows_the_solution_only_after_a_first_check_and_marks_it_shown(make_lab_app):
    app = make_lab_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("escape", "o")
        await pilot.pause()
        assert "check task 1 first: its solution is shown after a first check" in transcript(app)
        assert "Solution" not in screen_text(app)
        assert not app.driver.session.state.solution_shown
        await pilot.press("c", "o")
        await pilot.pause()
        assert "Solution (shown, counted)" in screen_text(app)
        assert "kubectl create configmap one --from-literal=a=1" in pane(app).text
        assert app.driver.session.summary().solutions_shown == 1


async def test_brackets_move_between_tasks(make_lab_app):
    app = make_lab_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("escape", "right_square_bracket")
        await pilot.pause()
        assert pane(app).text.startswith("Task 2/2: Second\nCreate the ConfigMap `two`.")
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert transcript(app).endswith("controlplane:~$ next\nTask 2 is the last.\n")
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert pane(app).text.startswith("Task 1/2: First")
        assert "] next task" in screen_text(app)  # the footer names what ] does in a lab


async def test_a_here_document_is_typed_at_a_continuation_prompt(make_lab_app):
    app = make_lab_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await type_line(pilot, "kubectl apply -f - <<EOF")
        assert "> " in screen_text(app).split("\n")[-2]
        for line in ("apiVersion: v1", "kind: ConfigMap", "metadata: {name: two}", "EOF"):
            await type_line(pilot, line)
        assert transcript(app).endswith("> metadata: {name: two}\n> EOF\nconfigmap/two created\n")
        await type_line(pilot, "check 2")
        assert "✓ Task 2: Second: passed" in transcript(app)
        assert pane(app).border_subtitle.startswith("1/2 ✓")


async def test_passing_every_task_shows_the_summary_and_enter_quits(make_lab_app):
    app = make_lab_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await type_line(pilot, "kubectl create configmap one --from-literal=a=1")
        await type_line(pilot, "kubectl create configmap two")
        await type_line(pilot, "check")
        assert not isinstance(app.screen, SummaryScreen)
        await type_line(pilot, "next")
        await pilot.press("escape", "c")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        text = screen_text(app)
        assert "Lab finished" in text and "# two-maps: Two maps" in text
        assert "✓ 1. First" in text and "✓ 2. Second" in text
        assert "tasks passed: 2/2, hints used: 0, solutions shown: 0, time: 00:00:00 of 10m" in text
        await pilot.press("enter")
        await pilot.pause()
    assert app.quit_with_summary
    summary = app.driver.summary()
    assert summary.passed == 2 and summary.to_json()["tasks"][1]["checks"] == 1


async def test_q_ends_the_lab_with_its_summary_and_esc_goes_back(make_lab_app):
    app = make_lab_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("escape", "q")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert "✗ 1. First\n✗ 2. Second\ntasks passed: 0/2" in app.screen.text
        assert not app.playing  # the lab's time stops on its summary
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SummaryScreen) and app.playing
        await type_line(pilot, "kubectl create configmap two")
        await type_line(pilot, "quit")
        assert isinstance(app.screen, SummaryScreen)
        assert "✗ 1. First\n✓ 2. Second\ntasks passed: 1/2" in app.screen.text
        await pilot.press("q")
        await pilot.pause()
    assert app.quit_with_summary and app.driver.summary().passed == 1


async def test_when_the_time_is_up_the_summary_says_so_and_there_is_no_way_back(make_lab_app):
    app = make_lab_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("escape")
        await pilot.press("greater_than_sign")  # +10s: the clock keys work in a lab
        await pilot.pause()
        assert pane(app).border_subtitle == "0/2 ✓   00:00:10 / 10m"
        app.cluster.advance(600)
        app.changed()
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert app.screen.text.startswith("Time is up (10m).\n\n# two-maps: Two maps\n")
        assert app.screen.text.endswith("time: 00:10:10 of 10m (time is up)\n")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)  # the lab is over
        await pilot.press("enter")
        await pilot.pause()
    assert app.driver.summary().time_up


async def test_faults_are_not_the_labs_way(make_lab_app):
    app = make_lab_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("escape", "f")
        await pilot.pause()
        assert any("change the cluster the way you would on a real one" in n.message for n in app._notifications)
        assert app.faults == []


async def test_korean_texts(make_lab_app):
    app = make_lab_app(lang="ko")
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        screen = screen_text(app)
        assert "과제 1/2: 첫째" in screen and "키 a=1이 있는 ConfigMap one을 만드세요." in screen
        assert "# two-maps: 맵 두 개" in screen and "(랩 명령은 help를 입력하세요)" in screen
        await pilot.press("escape", "c", "h")
        await pilot.pause()
        screen = screen_text(app)
        assert "마지막 검사" in screen and "✗ ConfigMap one이 없습니다." in screen
        assert "힌트 1/2: `kubectl create configmap`은 --from-literal을 받습니다" in pane(app).text
        assert "c 검사" in screen and "] 다음 과제" in screen and "h 힌트" in screen.split("\n")[-1]  # the footer
        await pilot.press("q")
        await pilot.pause()
        assert "통과한 과제: 0/2, 사용한 힌트: 1" in app.screen.text and "랩 종료" in screen_text(app)


async def test_a_small_terminal_puts_the_pane_above_the_panels(make_lab_app):
    app = make_lab_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = screen_text(app).split("\n")
        assert "Task 1/2: First" in screen[0]
        assert screen[-2].startswith(" [0/2 ✓] controlplane:~$")
        await type_line(pilot, "kubectl create configmap two")
        assert "configmap/two created" in screen_text(app)
