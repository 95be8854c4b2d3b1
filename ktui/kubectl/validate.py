"""kubectl's ``--validate``: the ``fieldValidation`` it sends with writes, and the server warnings it prints.

kubectl 1.37 sends ``fieldValidation=Strict`` by default (``--validate=true|strict``), ``Warn`` for
``--validate=warn`` and ``Ignore`` for ``--validate=false|ignore``; commands without the flag send none (the
server then warns). Every warning the server answers is printed on stderr as ``Warning: <text>``.
"""

from __future__ import annotations

from typing import Any

from ktui.kubectl.errors import KubectlError

__all__ = ["ValidatingClient", "directive", "wrap_client"]

_DIRECTIVES = {"strict": "Strict", "true": "Strict", "warn": "Warn", "ignore": "Ignore", "false": "Ignore"}


def directive(opts: Any) -> str | None:
    """The ``fieldValidation`` for a command's ``--validate`` (None when the command has no such flag).

    Raises:
        KubectlError: ``invalid - validate option "x"; must be one of: strict (or true), warn, ignore (or false)``.
    """
    try:
        value = opts.get("validate")
    except (KeyError, AttributeError):
        return None
    if value is None or value == "":
        return None
    value = str(value)
    found = _DIRECTIVES.get(value.lower())
    if found is None:
        raise KubectlError(
            f'invalid - validate option "{value}"; must be one of: strict (or true), warn, ignore (or false)'
        )
    return found


class ValidatingClient:
    """A client whose create/update/patch carry ``field_validation`` unless the caller gives one."""

    def __init__(self, client: Any, field_validation: str | None) -> None:
        self._inner = client
        self._field_validation = field_validation

    def _with(self, kwargs: dict) -> dict:
        if self._field_validation is not None:
            kwargs.setdefault("field_validation", self._field_validation)
        return kwargs

    def create(self, *args: Any, **kwargs: Any) -> Any:
        return self._inner.create(*args, **self._with(kwargs))

    def update(self, *args: Any, **kwargs: Any) -> Any:
        return self._inner.update(*args, **self._with(kwargs))

    def patch(self, *args: Any, **kwargs: Any) -> Any:
        return self._inner.patch(*args, **self._with(kwargs))

    def impersonate(self, *args: Any, **kwargs: Any) -> "ValidatingClient":
        return ValidatingClient(self._inner.impersonate(*args, **kwargs), self._field_validation)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def wrap_client(client: Any, opts: Any, warn: Any) -> Any:
    """``client`` for one kubectl command: warnings go to ``warn("Warning: ...")``, writes carry the
    command's ``--validate`` as ``fieldValidation``."""
    with_handler = getattr(client, "with_warning_handler", None)
    if with_handler is not None:
        client = with_handler(lambda text: warn(f"Warning: {text}"))
    return ValidatingClient(client, directive(opts))
