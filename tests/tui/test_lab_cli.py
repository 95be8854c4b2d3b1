"""``ktui lab run NAME`` and ``ktui --lab NAME`` in a terminal open the UI (driven here by Pilot), then print
the summary, or with ``--json`` the summary as JSON; ``--headless`` (or a pipe) keeps the lab shell."""

from __future__ import annotations

import asyncio
import io
import json

import pytest

from ktui.cli import main
from ktui.lab.cli import lab_main
from ktui.tui.lab_app import LabApp

from tests.tui.test_lab_app import LAB


class Tty(io.StringIO):
    """A terminal's stream: ``isatty()`` is true."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def lab_file(tmp_path):
    path = tmp_path / "two-maps.yaml"
    path.write_text(LAB, encoding="utf-8")
    return str(path)


@pytest.fixture
def ui(monkeypatch):
    """``ui(*steps)``: the next LabApp runs under Pilot; a step is a line to type at the prompt (ending in a
    newline) or a key to press."""
    runs: list[LabApp] = []
    monkeypatch.setattr(LabApp, "TICK_SECONDS", 3600.0)  # the clock never moves on its own

    def script(*steps: str) -> list[LabApp]:
        async def drive(app: LabApp) -> None:
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.pause()
                for step in steps:
                    if step.endswith("\n"):
                        app.set_focus(app.lab_screen.prompt_line)
                        await pilot.press(*step[:-1], "enter")
                    else:
                        await pilot.press(step)
                    await pilot.pause()

        def run(app: LabApp) -> None:
            runs.append(app)
            asyncio.run(drive(app))

        monkeypatch.setattr(LabApp, "run", run)
        return runs

    return script


def test_ktui_lab_in_a_terminal_opens_the_ui_and_json_prints_the_summary(lab_file, ui, monkeypatch):
    runs = ui("kubectl create configmap two\n", "escape", "h", "q", "enter")
    out = Tty()
    monkeypatch.setattr("sys.stdin", Tty())
    monkeypatch.setattr("sys.stdout", out)
    code = main(["--lab", lab_file, "--json", "--lang", "en"])
    assert code == 1 and len(runs) == 1
    summary = json.loads(out.getvalue())
    assert summary["lab"] == "two-maps" and summary["passed"] == 1 and summary["total"] == 2
    assert summary["hints_used"] == 1 and summary["solutions_shown"] == 0 and summary["time"] == "00:00:00"
    assert [t["passed"] for t in summary["tasks"]] == [False, True]
    assert [t["checks"] for t in summary["tasks"]] == [1, 1]  # `quit` checked each task once


def test_every_task_passed_prints_the_summary_and_exits_0(lab_file, ui):
    runs = ui(
        "kubectl create configmap one --from-literal=a=1\n", "kubectl create configmap two\n", "check all\n", "enter"
    )  # the check that passed the last task showed the summary: enter quits
    out = Tty()
    code = lab_main(["run", lab_file], stdin=Tty(), stdout=out)
    assert code == 0 and runs[0].quit_with_summary
    assert out.getvalue() == (
        "# two-maps: Two maps\n✓ 1. First\n✓ 2. Second\n"
        "tasks passed: 2/2, hints used: 0, solutions shown: 0, time: 00:00:00 of 10m\n"
    )


def test_korean(lab_file, ui):
    ui("escape", "q", "enter")
    out = Tty()
    assert lab_main(["run", lab_file, "--lang", "ko"], stdin=Tty(), stdout=out) == 1
    assert out.getvalue().endswith("통과한 과제: 0/2, 사용한 힌트: 0, 본 풀이: 0, 걸린 시간: 00:00:00 (제한 10m)\n")


def test_headless_keeps_the_lab_shell_in_a_terminal(lab_file, ui):
    runs = ui()
    out = Tty()
    code = lab_main(["run", lab_file, "--headless"], stdin=Tty("kubectl create configmap two\nquit\n"), stdout=out)
    assert code == 1 and runs == []
    assert "[0/2 ✓] controlplane:~$ configmap/two created\n" in out.getvalue()


def test_a_pipe_keeps_the_lab_shell(lab_file, ui):
    runs = ui()
    out = io.StringIO()
    assert lab_main(["run", lab_file], stdin=Tty("quit\n"), stdout=out) == 1 and runs == []
    assert "tasks passed: 0/2" in out.getvalue()


def test_ktui_lab_without_a_name_is_a_usage_error(capsys):
    assert main(["--lab"]) == 2
    assert capsys.readouterr().err.startswith("ktui lab: the following arguments are required: lab")
