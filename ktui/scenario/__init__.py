"""Scenarios: narrated, scripted walkthroughs of a cluster — files, a headless runner, a session for the UI."""

from ktui.scenario.actions import CheckResult, StepResult, clock, execute_step
from ktui.scenario.loader import builtin_names, load_builtin, load_file, load_scenario, parse_scenario
from ktui.scenario.model import LANGS, Check, Scenario, ScenarioError, Step
from ktui.scenario.runner import RunReport, run_scenario
from ktui.scenario.session import ScenarioSession

__all__ = [
    "LANGS",
    "Check",
    "CheckResult",
    "RunReport",
    "Scenario",
    "ScenarioError",
    "ScenarioSession",
    "Step",
    "StepResult",
    "builtin_names",
    "clock",
    "execute_step",
    "load_builtin",
    "load_file",
    "load_scenario",
    "parse_scenario",
    "run_scenario",
]
