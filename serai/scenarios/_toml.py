"""TOML reading with line numbers: :mod:`tomllib` for the values, a small scanner for where
each key is written, so that every error can name the file, the key and the line.

The scanner understands what scenario files use: ``[table]`` and ``[[array.of.tables]]``
headers, ``key = value`` and ``dotted.key = value`` lines, comments, and values that
span lines (arrays, inline tables, multi-line strings). A key inside an inline table
is reported at the line of the key that holds the table.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from serai.errors import InputError

__all__ = ["ScenarioFileError", "TomlDoc", "read_toml"]

Path_ = tuple  # a key path: ("capacity", 2, "value")


class ScenarioFileError(InputError):
    """A scenario file cannot be used: names the file, the line and the key.

    Attributes ``file``, ``row`` (the line) and ``field`` (the key, dotted with
    array positions counted from 1: ``capacity[2].value``) are set for callers.
    """

    def __init__(self, message: str, *, file: str | None, line: int | None, key: str | None):
        where = []
        if file:
            where.append(str(file))
        if line:
            where.append(f"line {line}")
        if key:
            where.append(f"key '{key}'")
        full = f"{', '.join(where)}: {message}" if where else message
        super().__init__(message)
        self.args = (full,)
        self.file, self.row, self.field, self.reason = file, line, key, message

    def __str__(self) -> str:
        return self.args[0]


def key_text(path: Path_) -> str:
    """``("capacity", 1, "value")`` -> ``capacity[2].value`` (positions from 1)."""
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p + 1}]"
        else:
            out += ("." if out else "") + str(p)
    return out


_BARE = r"[A-Za-z0-9_-]+"
_KEYPART = rf'(?:{_BARE}|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_KEY = rf"{_KEYPART}(?:\s*\.\s*{_KEYPART})*"
_RE_ARRAY = re.compile(rf"^\s*\[\[\s*({_KEY})\s*\]\]")
_RE_TABLE = re.compile(rf"^\s*\[\s*({_KEY})\s*\]")
_RE_KV = re.compile(rf"^\s*({_KEY})\s*=")


def _split_key(text: str) -> list[str]:
    parts = re.findall(_KEYPART, text)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


def _scan(text: str) -> dict[Path_, int]:
    """Line (1-based) of every table header and key, by key path."""
    lines: dict[Path_, int] = {}
    counts: dict[tuple, int] = {}
    prefix: tuple = ()
    depth = 0  # open brackets/braces of a value spanning lines
    in_str: str | None = None  # open multi-line string delimiter
    for no, raw in enumerate(text.splitlines(), start=1):
        line = raw
        if in_str is not None:
            if in_str in line:
                in_str = None
            continue
        if depth > 0:
            depth += _depth(line)
            continue
        m = _RE_ARRAY.match(line)
        if m:
            name = tuple(_split_key(m.group(1)))
            # the array's index depends on its parent's current element
            parent = _resolve(name[:-1], prefix)
            key = (*parent, name[-1])
            counts[key] = counts.get(key, -1) + 1
            prefix = (*key, counts[key])
            lines.setdefault(key, no)
            lines[prefix] = no
            continue
        m = _RE_TABLE.match(line)
        if m:
            prefix = _resolve(tuple(_split_key(m.group(1))), prefix)
            lines.setdefault(prefix, no)
            continue
        m = _RE_KV.match(line)
        if m:
            key = (*prefix, *_split_key(m.group(1)))
            lines.setdefault(key, no)
            rest = line[m.end() :]
            for q in ('"""', "'''"):
                if rest.count(q) % 2 == 1:
                    in_str = q
            if in_str is None:
                depth = _depth(rest)
    return lines


def _resolve(name: tuple, prefix: tuple) -> tuple:
    """A header's path, keeping the array positions of the current prefix it continues."""
    out: list = []
    i = 0
    plain = [p for p in prefix]
    j = 0
    while i < len(name):
        if j < len(plain) and plain[j] == name[i]:
            out.append(name[i])
            j += 1
            if j < len(plain) and isinstance(plain[j], int):
                out.append(plain[j])
                j += 1
            i += 1
        else:
            out.extend(name[i:])
            break
    return tuple(out)


def _depth(s: str) -> int:
    """Net count of open brackets in a line, outside strings and comments."""
    d = 0
    q: str | None = None
    k = 0
    while k < len(s):
        c = s[k]
        if q:
            if c == "\\" and q == '"':
                k += 2
                continue
            if c == q:
                q = None
        elif c in "\"'":
            q = c
        elif c == "#":
            break
        elif c in "[{":
            d += 1
        elif c in "]}":
            d -= 1
        k += 1
    return d


class TomlDoc:
    """A parsed TOML file: its data, its text and where each key is.

    Examples
    --------
    >>> doc = TomlDoc.parse('year = 2030\\n\\n[[capacity]]\\nelement = "point:aktau_port"\\n'
    ...                     'factor = 1.5\\n', "x.toml")
    >>> doc.data["capacity"][0]["factor"], doc.line(("capacity", 0, "factor"))
    (1.5, 5)
    >>> print(doc.error("must be positive", ("capacity", 0, "factor")))
    x.toml, line 5, key 'capacity[1].factor': must be positive
    """

    def __init__(self, data: dict, text: str, file: str) -> None:
        self.data, self.text, self.file = data, text, file
        self._lines = _scan(text)

    @classmethod
    def parse(cls, text: str, file: str) -> TomlDoc:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            msg = str(exc)
            m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
            line = int(m.group(1)) if m else None
            reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg)
            raise ScenarioFileError(
                f"not valid TOML: {reason}", file=file, line=line, key=None
            ) from None
        return cls(data, text, file)

    def line(self, path: Path_) -> int | None:
        """Line of a key (or of the nearest enclosing key or table written in the file)."""
        p = tuple(path)
        while p:
            if p in self._lines:
                return self._lines[p]
            p = p[:-1]
        return None

    def error(self, message: str, path: Path_ = ()) -> ScenarioFileError:
        return ScenarioFileError(
            message, file=self.file, line=self.line(path), key=key_text(path) or None
        )


def read_toml(path: str | Path) -> TomlDoc:
    """Read a TOML file (UTF-8); a missing or unreadable file is an :class:`InputError`."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such scenario file", file=str(p)) from None
    except UnicodeDecodeError:
        raise InputError("not a UTF-8 text file", file=str(p)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(p)) from None
    return TomlDoc.parse(text, str(p))
