"""How kubectl reports failures: server errors (``Error from server (NotFound): ...``), 422 field lists and
client-side ``error: ...`` lines, as ``cmdutil.CheckErr`` prints them."""

from __future__ import annotations

from ktui.api.errors import ApiError

__all__ = ["KubectlError", "UsageError", "ExitError", "format_error", "format_api_error", "with_source"]


class KubectlError(Exception):
    """A client-side failure, printed as ``error: MESSAGE``."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class UsageError(KubectlError):
    """A usage error, followed by ``See 'kubectl PATH -h' for help and examples``."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(f"{message}\nSee 'kubectl {path} -h' for help and examples")


class ExitError(Exception):
    """Stop with ``exit_code``; whatever had to be said is already on stderr."""

    def __init__(self, exit_code: int = 1) -> None:
        super().__init__(exit_code)
        self.exit_code = exit_code


def format_api_error(err: ApiError) -> str:
    """One server error as kubectl prints it (newline included)."""
    status = err.status
    details = status.get("details") or {}
    if err.reason == "Invalid" and details:
        causes = details.get("causes") or []
        if details.get("kind") or details.get("name"):
            prefix = f'The {details.get("kind", "")} "{details.get("name", "")}" is invalid'
        elif causes and causes[0].get("field"):
            prefix = "The request is invalid"
        else:
            prefix = "The request is invalid"
        lines = [
            f"{c.get('field', '')}: {c.get('message', '')}" if c.get("field") else c.get("message", "") for c in causes
        ]
        if not lines:
            return prefix + "\n"
        if len(lines) == 1:
            return f"{prefix}: {lines[0]}\n"
        return f"{prefix}: \n" + "".join(f"* {line}\n" for line in lines)
    if err.reason == "Invalid":
        return f"The request is invalid: {err.message}\n" if err.message else "The request is invalid\n"
    if err.reason == "Unauthorized":
        return f"error: You must be logged in to the server ({err.message})\n"
    if err.reason:
        return f"Error from server ({err.reason}): {err.message}\n"
    return f"Error from server: {err.message}\n"


def with_source(err: ApiError, verb: str, source: str) -> ApiError:
    """``cmdutil.AddSourceToErr``: ``error when creating "x.yaml": ...`` for errors about a file's object."""
    if not source:
        return err
    status = dict(err.status)
    status["message"] = f'error when {verb} "{source}": {err.message}'
    return ApiError(status)


def format_error(exc: BaseException) -> str:
    """The stderr text for any failure a command raises."""
    if isinstance(exc, ApiError):
        return format_api_error(exc)
    if isinstance(exc, KubectlError):
        msg = exc.message
    else:
        msg = str(exc)
    if not msg.startswith("error: "):
        msg = "error: " + msg
    return msg if msg.endswith("\n") else msg + "\n"
