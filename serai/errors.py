"""Exceptions raised by serai.

Every exception subclasses both :class:`SeraiError` and a built-in exception, so
callers can catch either. The CLI and HTTP adapters turn them into one-line
messages and exit codes; no traceback reaches the user for bad input.
"""

from __future__ import annotations

__all__ = [
    "InputError",
    "NetworkValidationError",
    "NoPathError",
    "OptionalDependencyError",
    "SeraiError",
    "UnknownFormatError",
]


class SeraiError(Exception):
    """Base class of every error serai raises on purpose."""


class InputError(SeraiError, ValueError):
    """A file, row or field given by the user cannot be used.

    Parameters
    ----------
    message
        What is wrong, in one line.
    file, row, field
        Where it is, when known. They are prefixed to the message.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | str | None = None,
        field: str | None = None,
    ) -> None:
        self.file, self.row, self.field, self.reason = file, row, field, message
        where = []
        if file is not None:
            where.append(str(file))
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field '{field}'")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


class UnknownFormatError(InputError):
    """No reader or writer matches the path or format name."""


class NetworkValidationError(SeraiError, ValueError):
    """A network failed validation; ``problems`` holds every problem found."""

    def __init__(self, problems: list) -> None:  # list[Problem]
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        lines = "\n".join(str(p) for p in errors[:20])
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} problem(s) in the network:\n{lines}{more}")


class NoPathError(SeraiError, LookupError):
    """No path connects the requested origin and destination."""


class OptionalDependencyError(SeraiError, ImportError):
    """An optional dependency needed for this call is missing."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"this feature needs the optional package '{package}': pip install 'serai[{extra}]'"
        )
