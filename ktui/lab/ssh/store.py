"""Where ``ktui lab serve`` keeps each learner's labs (to resume them) and results (for the instructor).

Under the state directory::

    learners/LEARNER/LAB/session.json   the lab session: current task, checks, hints, solutions, baseline
    learners/LEARNER/LAB/cluster.json   the cluster's state document (:mod:`ktui.state`: spec, inputs, clock)
    learners/LEARNER/LAB/work/          the learner's working directory (files written with > FILE)
    results/LEARNER.json                per lab: the summary as the learner left it, and when
    sessions.json                       the sessions connected now (written by the server at each change)

Every file is written atomically, so a session killed at any moment leaves a state that loads.
"""

from __future__ import annotations

import fcntl
import json
import re
import time
from pathlib import Path
from typing import Any

from ktui.cluster import Cluster
from ktui.lab.model import Lab
from ktui.lab.session import LabSession, TaskState
from ktui.state import StateError, decode_state, encode_state, write_atomic

__all__ = ["NAME_RE", "LearnerLab", "read_results", "read_sessions", "valid_name", "write_sessions"]

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
"""A learner's or a lab's name as it may appear in an SSH user name and a file name."""

KIND = "ktui-lab-session"
FORMAT = 1


def valid_name(name: str) -> bool:
    """True when ``name`` is a usable learner or lab name (lower-case letters, digits, ``.``, ``_``, ``-``)."""
    return bool(NAME_RE.match(name)) and name not in (".", "..")


class LearnerLab:
    """One learner's copy of one lab on disk.

    Args:
        state_dir: the server's state directory.
        learner: the learner's name.
        lab: the lab's name.
    """

    def __init__(self, state_dir: Path, learner: str, lab: str) -> None:
        self.state_dir = Path(state_dir)
        self.learner = learner
        self.lab = lab
        self.dir = self.state_dir / "learners" / learner / lab

    @property
    def workdir(self) -> Path:
        return self.dir / "work"

    def load(self, lab: Lab, lang: str) -> LabSession | None:
        """The learner's session of ``lab`` as last saved, or None when there is none (or it no longer fits the lab:
        another version of the lab file, or of ktui)."""
        try:
            data = json.loads((self.dir / "session.json").read_text(encoding="utf-8"))
            cluster_doc = (self.dir / "cluster.json").read_bytes()
        except (OSError, ValueError):
            return None
        if (
            not isinstance(data, dict)
            or data.get("kind") != KIND
            or data.get("format") != FORMAT
            or data.get("lab") != lab.name
            or len(data.get("states", ())) != len(lab.tasks)
        ):
            return None
        try:
            cluster = decode_state(cluster_doc, Cluster)
        except (StateError, RecursionError):
            return None
        s = LabSession.__new__(LabSession)
        s.lab = lab
        s.lang = lang
        s.seed = int(data["seed"])
        s.cluster = cluster
        s.t0 = float(data["t0"])
        s.baseline = {int(k): v for k, v in data["baseline"].items()}
        s.states = [
            TaskState(
                checks=int(st["checks"]),
                passed_at=st["passed_at"],
                hints_shown=int(st["hints_shown"]),
                solution_shown=bool(st["solution_shown"]),
            )
            for st in data["states"]
        ]
        s.index = min(max(0, int(data["index"])), len(lab.tasks) - 1)
        return s

    def save(self, s: LabSession) -> None:
        """Keep the session, its cluster and the learner's result for this lab."""
        self.dir.mkdir(parents=True, exist_ok=True)
        data = {
            "kind": KIND,
            "format": FORMAT,
            "lab": s.lab.name,
            "seed": s.seed,
            "t0": s.t0,
            "index": s.index,
            "baseline": {str(k): v for k, v in s.baseline.items()},
            "states": [
                {
                    "checks": st.checks,
                    "passed_at": st.passed_at,
                    "hints_shown": st.hints_shown,
                    "solution_shown": st.solution_shown,
                }
                for st in s.states
            ],
        }
        write_atomic(self.dir / "cluster.json", encode_state(s.cluster).encode("utf-8"))
        write_atomic(self.dir / "session.json", json.dumps(data, ensure_ascii=False).encode("utf-8"))
        self.save_result(s)

    def save_result(self, s: LabSession) -> None:
        """Update this lab's entry in ``results/LEARNER.json`` (under a lock: a learner may have two sessions)."""
        results = self.state_dir / "results"
        results.mkdir(parents=True, exist_ok=True)
        path = results / f"{self.learner}.json"
        with open(results / f".{self.learner}.lock", "a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                doc = {}
            if not isinstance(doc, dict) or not isinstance(doc.get("labs"), dict):
                doc = {"learner": self.learner, "labs": {}}
            entry = s.summary().to_json()
            entry["updated"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            doc["labs"][s.lab.name] = entry
            write_atomic(path, (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


def read_results(state_dir: Path) -> list[dict[str, Any]]:
    """Every learner's results file under ``state_dir``, by learner name (unreadable files are skipped)."""
    out = []
    for path in sorted((Path(state_dir) / "results").glob("*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(doc, dict) and isinstance(doc.get("labs"), dict):
            out.append(doc)
    return out


def write_sessions(state_dir: Path, sessions: list[dict[str, Any]]) -> None:
    """Record the sessions connected now."""
    Path(state_dir).mkdir(parents=True, exist_ok=True)
    write_atomic(Path(state_dir) / "sessions.json", (json.dumps(sessions, ensure_ascii=False) + "\n").encode("utf-8"))


def read_sessions(state_dir: Path) -> list[dict[str, Any]]:
    """The sessions connected now, as the server last recorded them ([] when there is no server's record)."""
    try:
        data = json.loads((Path(state_dir) / "sessions.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [s for s in data if isinstance(s, dict)] if isinstance(data, list) else []
