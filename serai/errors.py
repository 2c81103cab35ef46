"""Exceptions raised by serai.

Every exception subclasses both :class:`SeraiError` and a built-in exception, so
callers can catch either. The CLI and HTTP adapters turn them into one-line
messages and exit codes; no traceback reaches the user for bad input.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = [
    "CacheWarning",
    "DataWarning",
    "InputError",
    "NetworkValidationError",
    "NoPathError",
    "OptionalDependencyError",
    "SeraiError",
    "UnknownFormatError",
    "suggest",
    "unknown",
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


class NetworkValidationError(InputError):
    """A network failed validation; ``problems`` holds every problem found.

    ``file``, ``row`` and ``field`` are those of the first error.
    """

    def __init__(self, problems: list) -> None:  # list[Problem]
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        lines = "\n".join(str(p) for p in errors[:20])
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        msg = f"{len(errors)} problem(s) in the network:\n{lines}{more}"
        SeraiError.__init__(self, msg)
        first = errors[0] if errors else None
        self.file = getattr(first, "file", None)
        self.row = getattr(first, "row", None)
        self.field = getattr(first, "column", None)
        self.reason = msg


class NoPathError(SeraiError, LookupError):
    """No path connects the requested origin and destination."""


class OptionalDependencyError(SeraiError, ImportError):
    """An optional dependency needed for this call is missing."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"this feature needs the optional package '{package}': pip install 'serai[{extra}]'"
        )


class DataWarning(UserWarning):
    """Data that is unusual but usable (said once, with a count)."""


class CacheWarning(UserWarning):
    """A cache (compiled code, routing graph) could not be written: the command goes on
    without it. The message names the file and what to do."""


def suggest(value: object, known: Iterable[object], n: int = 3) -> list[str]:
    """Up to ``n`` known values close to ``value`` (case-insensitive, by spelling).

    Examples
    --------
    >>> suggest("rial", ["rail", "road", "sea"])
    ['rail']
    """
    import difflib

    text = str(value).strip().lower()
    names = {str(k).lower(): str(k) for k in known}
    hits = difflib.get_close_matches(text, list(names), n=n, cutoff=0.6)
    if not hits and text:
        hits = [k for k in names if k.startswith(text[:3]) or text.startswith(k)][:n]
    return [names[h] for h in hits]


def unknown(
    kind: str,
    value: object,
    known: Iterable[object],
    *,
    field: str | None = None,
    file: str | None = None,
    row: int | str | None = None,
    hints: Mapping[str, str] | None = None,
) -> InputError:
    """The error for an unknown code: names it, suggests close ones, lists the known ones.

    ``hints`` maps other spellings (e.g. country names) to a code.

    Examples
    --------
    >>> print(unknown("mode", "air", ["rail", "road", "sea", "ferry"], field="modes"))
    field 'modes': unknown mode 'air'; known: ferry, rail, road, sea
    >>> print(unknown("country", "Russia", ["RU", "KZ"], hints={"russia": "RU"}))
    unknown country 'Russia'; did you mean RU? known: KZ, RU
    """
    known = sorted({str(k) for k in known})
    text = str(value)
    close: list[str] = []
    if hints and text.strip().lower() in hints:
        close = [hints[text.strip().lower()]]
    close += [c for c in suggest(text, known) if c not in close]
    shown = ", ".join(known[:40]) + (f", ... ({len(known)} in all)" if len(known) > 40 else "")
    did = f"; did you mean {' or '.join(close)}?" if close else ";"
    return InputError(
        f"unknown {kind} {text!r}{did} known: {shown or 'none'}", field=field, file=file, row=row
    )
