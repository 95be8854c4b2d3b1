"""The labs a server offers: the built-in ones, or every lab file in ``--labs DIR``."""

from __future__ import annotations

from pathlib import Path

from ktui.lab.loader import builtin_names, load_builtin, load_file
from ktui.lab.model import Lab, LabError

__all__ = ["Catalogue"]


class Catalogue:
    """Lab names and where each lab comes from (a built-in name or a file path).

    Args:
        labs_dir: a directory of lab files (``*.yaml``, ``*.yml``); None for the built-in labs.

    Raises:
        LabError: a lab file in ``labs_dir`` is not a valid lab (file and line), two files have one name, or
            the directory holds no labs.
    """

    def __init__(self, labs_dir: Path | None = None) -> None:
        self.labs_dir = labs_dir
        self.sources: dict[str, str] = {}
        self.titles: dict[str, Lab] = {}
        if labs_dir is None:
            for name in builtin_names():
                self.sources[name] = name
                self.titles[name] = load_builtin(name)
            return
        d = Path(labs_dir)
        if not d.is_dir():
            raise LabError(f"--labs {labs_dir}: not a directory")
        for path in sorted([*d.glob("*.yaml"), *d.glob("*.yml")]):
            lab = load_file(path)
            if lab.name in self.sources:
                raise LabError(f"{path}: a lab named {lab.name!r} is in {self.sources[lab.name]} already")
            self.sources[lab.name] = str(path)
            self.titles[lab.name] = lab
        if not self.sources:
            raise LabError(f"--labs {labs_dir}: no lab files (*.yaml) in it")

    def names(self) -> list[str]:
        return list(self.sources)

    def load(self, name: str) -> Lab:
        """The lab ``name``, loaded afresh.

        Raises:
            LabError: no such lab here, or its file no longer loads.
        """
        source = self.sources.get(name)
        if source is None:
            raise LabError(f"no lab {name!r} here (labs: {', '.join(self.sources)})")
        return load_builtin(source) if self.labs_dir is None else load_file(source)
