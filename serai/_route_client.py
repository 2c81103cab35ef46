"""``serai route`` answered by a running ``serai serve``: the client side (standard library only).

A warm ``serai route`` process spends most of its time importing pandas and numba
and reading the routing graph; a running ``serai serve`` has all of that loaded. So
``serai serve`` registers itself in the cache folder (``serve-<port>.json``: URL,
process id, serai version, code hash and network hash; removed when it stops), and
``serai route`` -- before it imports Typer, numpy or pandas -- sends its arguments
to that server, which runs the same route command on its shared router and returns
the text the command printed and its exit code (:mod:`serai.cli.route_server`). The
output is the same as computing in the process, byte for byte: the server renders
with the client's console facts (width, terminal, colours, encoding).

Only registrations written by this user and naming a loopback address are read. The
direct path is taken, silently, when there is no registration, the server does
not answer within :data:`CONNECT_TIMEOUT_S`, it runs another serai version or code
or serves another network, or the command needs this process: ``--batch``,
``--geojson``, ``--out``, ``--network`` (files of this machine and folder),
``--help``, a usage error (printed by the direct path), ``SERAI_DEBUG`` set. Opt out
with ``--no-server``, ``SERAI_NO_SERVER=1`` or ``SERAI_ROUTE_SERVER=off``. When no
server answers, ``serai route`` starts one itself afterwards (:mod:`serai._autostart`;
``SERAI_ROUTE_SERVER=use`` asks running servers but never starts one). Registrations
of servers that are gone (killed) are removed when found.

Examples
--------
>>> try_server(["--from", "Almaty", "--to", "Duisburg", "--geojson", "r.geojson"]) is None
True

(a file of this folder is written: the command is computed in this process).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = [
    "CONNECT_TIMEOUT_S",
    "ENDPOINT",
    "MODES",
    "ModeError",
    "mode",
    "registered",
    "serving_file",
    "try_server",
]

ENDPOINT = "/api/cli/route"
CONNECT_TIMEOUT_S = 0.25  # a live server on this machine accepts in well under a millisecond
READ_TIMEOUT_S = 3600.0  # the server computes (a first call of a year builds its graph)
# options whose answer depends on this process (files, folder) or that print help
LOCAL_ONLY = ("--batch", "--out", "--geojson", "--network", "--overwrite", "--help", "--no-server")
_PREFIX = "serve-"
#: ``SERAI_ROUTE_SERVER``: ``auto`` (default) asks a running server and starts one when
#: none answers; ``use`` asks running servers, never starts one; ``off`` neither.
MODES = ("auto", "use", "off")
MODE_ENV = "SERAI_ROUTE_SERVER"
# set by try_server: a server of this serai and network accepted the question (even if it
# handed it back): `serai route` then starts none
SEEN_LIVE = [False]


class ModeError(ValueError):
    """A bad ``SERAI_ROUTE_SERVER`` (or ``SERAI_ROUTE_SERVER_IDLE``) value."""


def _off(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no", "off")


def mode() -> str:
    """``auto``, ``use`` or ``off``: how ``serai route`` uses route servers (see :data:`MODES`).

    ``SERAI_NO_SERVER=1`` is ``off``; an unknown value is an error naming the variable.

    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"SERAI_ROUTE_SERVER": "use"}):
    ...     mode()
    'use'
    >>> with mock.patch.dict(os.environ, {"SERAI_ROUTE_SERVER": "sometimes"}):
    ...     mode()
    Traceback (most recent call last):
    ...
    serai._route_client.ModeError: SERAI_ROUTE_SERVER must be auto, use or off, not 'sometimes'
    """
    if _off("SERAI_NO_SERVER"):
        return "off"
    raw = os.environ.get(MODE_ENV, "")
    value = raw.strip().lower() or "auto"
    if value not in MODES:
        raise ModeError(f"{MODE_ENV} must be {', '.join(MODES[:-1])} or {MODES[-1]}, not {raw!r}")
    return value


def machine() -> str:
    """This machine's name: a cache folder shared by several machines (a network home)
    holds their registrations side by side; each reads and cleans only its own."""
    return os.uname().nodename if hasattr(os, "uname") else os.environ.get("COMPUTERNAME", "")


def _client_address(host: str) -> str | None:
    """The address this machine's clients use for a server bound to ``host`` (None: not local)."""
    h = host.strip().strip("[]").lower()
    if h in ("", "0.0.0.0", "localhost") or h.startswith("127."):
        return "127.0.0.1"
    if h in ("::", "::1"):
        return "::1"
    return None


def identity(network: Path | None = None) -> dict[str, str]:
    """What a client and a server must share: serai and Python versions, code and network hashes."""
    from serai import __version__
    from serai._cachekey import code_hash, source_hash

    return {"version": __version__, "python": sys.version, "code": code_hash(),
            "network": source_hash(network)}  # fmt: skip


def _write_atomic(path: Path, text: str) -> None:
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def serving_file(
    host: str, port: int, network: Path | None = None, info: dict[str, Any] | None = None
) -> Iterator[Path | None]:
    """Register a ``serai serve`` on ``host:port`` for ``serai route`` while the block runs.

    Writes ``<cache folder>/serve-<port>.json`` (atomically; with ``info``: who started
    the server, its idle exit, its log file) and removes it on exit when it is still
    this process's. Nothing is written when the cache is off, the port is 0 (not yet
    chosen by the system) or the host is not reachable from this machine by loopback;
    the server then simply is not used by ``serai route``.
    """
    from serai._cachekey import cache_dir

    addr = _client_address(host)
    root = cache_dir() if addr is not None and port > 0 else None
    if root is None:
        yield None
        return
    url_host = f"[{addr}]" if ":" in addr else addr
    path = root / f"{_PREFIX}{port}.json"
    data = {"url": f"http://{url_host}:{port}", "pid": os.getpid(), "started": time.time(),
            "machine": machine(), **(info or {}), **identity(network)}  # fmt: skip
    _write_atomic(path, json.dumps(data))
    try:
        yield path
    finally:
        try:
            if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
                path.unlink(missing_ok=True)
        except (OSError, ValueError):
            pass


def registrations() -> list[dict[str, Any]]:
    """Registered servers, newest first (unreadable files skipped)."""
    return [d for _, d in registered()]


def registered() -> list[tuple[Path, dict[str, Any]]]:
    """(file, registration) of the servers registered by this user, newest first.

    Only files named ``serve-<port>.json`` that hold what :func:`serving_file` writes
    (a loopback http URL and a process id) are read; others are not touched.
    """
    from serai._cachekey import cache_root

    root = cache_root()
    if root is None:
        return []
    uid = os.getuid() if hasattr(os, "getuid") else None
    try:
        stats = [(p.stat(), p) for p in root.glob(f"{_PREFIX}*.json")]
    except OSError:
        return []
    out = []
    here = machine()
    for st, p in sorted(stats, key=lambda x: x[0].st_mtime, reverse=True):
        if not p.name[len(_PREFIX) : -len(".json")].isdigit():
            continue
        if uid is not None and st.st_uid != uid:
            continue  # only servers this user started (the text is printed as it comes)
        try:
            d = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(d, dict) or d.get("machine", here) != here:
            continue  # another machine's server (a shared cache folder)
        pid = d.get("pid")
        if _is_local_url(d.get("url")) and type(pid) is int and pid > 0:
            out.append((p, d))
    return out


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs serai (not gone, not a zombie, not an id reused by
    another program or user; without Linux /proc: whether the id is in use).

    >>> alive(0)  # never a process group
    False
    """
    if type(pid) is not int or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process now has the id: not our server
        return False
    except (OSError, OverflowError, ValueError):
        return False
    try:  # Linux: a zombie, or the id reused by a process that is not serai
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] in ("Z", "X"):
            return False
        return b"serai" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, IndexError):
        return True  # no /proc: os.kill said it runs


def forget_if_gone(path: Path, reg: dict[str, Any]) -> bool:
    """Remove the registration ``path`` when its server is gone; True if removed.

    The file is removed only if it still holds ``reg`` (not a new server's on that port).
    """
    if alive(reg["pid"]):
        return False
    try:
        if json.loads(path.read_text(encoding="utf-8")) == reg:
            path.unlink()
            return True
    except (OSError, ValueError):
        pass
    return False


def _is_local_url(url: Any) -> bool:
    """Whether ``url`` is http on this machine's loopback (the only servers asked)."""
    if not isinstance(url, str):
        return False
    from urllib.parse import urlsplit

    try:
        u = urlsplit(url)
        return u.scheme == "http" and u.hostname in ("127.0.0.1", "::1") and bool(u.port)
    except ValueError:
        return False


def _console_facts() -> dict[str, Any]:
    """What rich decides about this process's stdout and stderr (width, terminal, colours)."""
    from rich.console import Console

    def facts(stderr: bool) -> dict[str, Any]:
        c = Console(stderr=stderr)
        return {
            "width": c.width,
            "height": c.height,
            "terminal": c.is_terminal,
            "interactive": c.is_interactive,
            "color_system": c.color_system,
            "no_color": c.no_color,
            "encoding": c.encoding,
            "term": os.environ.get("TERM", ""),
        }

    return {"stdout": facts(False), "stderr": facts(True)}


def _post(url: str, body: bytes, seen: list[bool] | None = None) -> dict[str, Any] | None:
    """POST to the server; None when it is gone, slow to accept, or answers otherwise.

    ``seen[0]`` is set when the server accepted the connection.

    HTTP/1.1 over a plain socket (``Connection: close``): ``http.client`` would cost
    this process more to import than the whole exchange takes.
    """
    import socket
    from urllib.parse import urlsplit

    u = urlsplit(url)
    try:
        sock = socket.create_connection((u.hostname, u.port), timeout=CONNECT_TIMEOUT_S)
    except (OSError, ValueError, TypeError):
        return None
    if seen is not None:
        seen[0] = True
    try:
        sock.settimeout(READ_TIMEOUT_S)
        sock.sendall(
            f"POST {ENDPOINT} HTTP/1.1\r\nHost: {u.netloc}\r\nContent-Type: application/json"
            f"\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        chunks = []
        while chunk := sock.recv(1 << 16):
            chunks.append(chunk)
    except OSError:
        return None
    finally:
        sock.close()
    return _answer(b"".join(chunks))


def _answer(raw: bytes) -> dict[str, Any] | None:
    """The JSON body of a whole HTTP response when its status is 200, else None."""
    head, sep, payload = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = lines[0].split(b" ", 2)
    if not sep or len(status) < 2 or status[1] != b"200":
        return None
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        headers[k.strip().lower()] = v.strip().lower()
    if headers.get(b"content-encoding", b"identity") != b"identity":
        return None
    if b"chunked" in headers.get(b"transfer-encoding", b""):
        payload = _dechunk(payload)
    elif b"content-length" in headers:
        n = int(headers[b"content-length"])
        if len(payload) < n:
            return None  # cut short
        payload = payload[:n]
    try:
        out = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(out, dict) or out.get("fallback") or type(out.get("exit_code")) is not int:
        return None
    return out


def _dechunk(data: bytes) -> bytes:
    """The body of a chunked transfer encoding (b"" when malformed)."""
    out, pos = [], 0
    while True:
        end = data.find(b"\r\n", pos)
        if end < 0:
            return b""
        try:
            size = int(data[pos:end].split(b";", 1)[0], 16)
        except ValueError:
            return b""
        if size == 0:
            return b"".join(out)
        out.append(data[end + 2 : end + 2 + size])
        pos = end + 2 + size + 2


def try_server(argv: list[str]) -> int | None:
    """Run ``serai route <argv>`` on a registered ``serai serve``; its exit code, or None.

    None means nothing was printed: compute in this process (the direct path).
    """
    if _off("SERAI_NO_SERVER") or _off("SERAI_DEBUG"):
        return None
    for a in argv:
        if a.split("=", 1)[0] in LOCAL_ONLY:
            return None
    if mode() == "off":
        return None
    regs = registered()
    if not regs:
        return None
    me = None
    for path, reg in regs[:3]:
        if me is None:
            me = identity()
        if any(reg.get(k) != v for k, v in me.items()):
            forget_if_gone(path, reg)
            continue
        body = json.dumps({"argv": list(argv), "console": _console_facts(), **me}).encode()
        try:
            seen = [False]
            out = _post(reg["url"], body, seen=seen)
        except KeyboardInterrupt:
            sys.stderr.write("error: interrupted; outputs left as they were\n")
            return 130
        SEEN_LIVE[0] = SEEN_LIVE[0] or seen[0]
        if out is None:
            if not seen[0]:
                forget_if_gone(path, reg)
            continue
        sys.stdout.write(str(out.get("stdout", "")))
        sys.stdout.flush()
        sys.stderr.write(str(out.get("stderr", "")))
        sys.stderr.flush()
        return int(out["exit_code"])
    return None
