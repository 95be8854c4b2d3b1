"""Labs: graded tasks on a simulated cluster — lab files, checks, a learner's session, the headless shell."""

from ktui.lab.checks import CheckOutcome, evaluate
from ktui.lab.loader import builtin_names, load_builtin, load_file, load_lab, parse_lab
from ktui.lab.model import KubectlCheck, Lab, LabCheck, LabError, ObjectCheck, ObjectRef, ScriptCheck, Task
from ktui.lab.session import LabSession, LabSummary, TaskCheck, TaskState

__all__ = [
    "CheckOutcome",
    "KubectlCheck",
    "Lab",
    "LabCheck",
    "LabError",
    "LabSession",
    "LabSummary",
    "ObjectCheck",
    "ObjectRef",
    "ScriptCheck",
    "Task",
    "TaskCheck",
    "TaskState",
    "builtin_names",
    "evaluate",
    "load_builtin",
    "load_file",
    "load_lab",
    "parse_lab",
]
