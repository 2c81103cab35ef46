"""numba for serai's kernels: compiled on first real use, interpreted for tiny problems.

Every kernel module takes ``njit`` (and ``typed_list``) from here. ``@njit(...)``
does not import numba: it returns a :class:`Kernel` that holds the plain Python
function. The first compiled call of any kernel imports numba and makes every kernel
a numba dispatcher (with the options given, ``cache=True``: compiled once and cached
on disk) over the same code with its own copy of the module's globals in which the
other kernels are their dispatchers, so compiled kernels call each other compiled,
exactly as before, while the module globals keep the :class:`Kernel` objects: a call
decides per thread whether it runs compiled or interpreted.

Why: importing numba (about 0.3 s) and the first use of a numba function in a
process (its typing and lowering registries, then loading each cached kernel:
about 0.6 s) cost more than a whole small assignment. Inside
:func:`interpreted` the same kernels run as plain Python (the code numba would
compile; the same operations in the same order, hence the same numbers) until a
CPU-time budget is spent, when :class:`OverBudget` is raised and the caller runs
the problem compiled. ``SERAI_JIT=always`` (or ``compiled``) never interprets;
``SERAI_JIT=never`` (or ``interpreted``) interprets without a budget (debugging).

The first call of any numba function also loads ``numba.np.arraymath``, which asks
whether a BLAS is available by importing ``scipy.linalg.cython_blas`` (all of
``scipy.linalg``, about 0.25 CPU s). serai's kernels use no BLAS: that one question
is answered by whether scipy's ``linalg`` package is installed (found, not
imported); the first real BLAS use in the process still goes through numba's full
check, which is put back after that one call.

Examples
--------
>>> from serai._jit import njit, interpreted
>>> @njit(cache=False)
... def add(a, b):
...     return a + b
>>> with interpreted(budget_s=1.0):
...     add(1, 2)
3
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

__all__ = [
    "Kernel",
    "OverBudget",
    "extend_budget",
    "interpreted",
    "is_compiled",
    "jit_mode",
    "njit",
    "typed_list",
]

_LOCK = threading.RLock()


class _State(threading.local):
    """Per thread: ``deadline``, the process-time at which interpreting stops (``inf``: no
    budget; None: run compiled). A class default, not a missing attribute: a kernel call
    reads it, and ``getattr`` of a missing one raises and catches an AttributeError (half
    a microsecond)."""

    deadline: float | None = None


_STATE = _State()
_COMPILED = False  # True once numba is loaded and the kernels are dispatchers
_REGISTRY: list[Kernel | _LazyGlobal] = []


class OverBudget(RuntimeError):
    """Raised inside :func:`interpreted` once its CPU-time budget is spent."""


def jit_mode() -> str:
    """``auto`` (default), ``always`` (never interpret) or ``never`` (always interpret)."""
    m = os.environ.get("SERAI_JIT", "auto").strip().lower()
    if m in ("always", "compiled", "1", "on"):
        return "always"
    if m in ("never", "interpreted", "0", "off"):
        return "never"
    return "auto"


def is_compiled() -> bool:
    """True once numba has been loaded and the kernels turned into dispatchers."""
    return _COMPILED


@contextlib.contextmanager
def interpreted(budget_s: float | None = 0.3) -> Iterator[None]:
    """Run kernels called in this thread as plain Python for at most ``budget_s`` CPU s.

    Past the budget the next kernel call raises :class:`OverBudget` (nothing is
    half-done that the caller keeps: it reruns the problem compiled). ``None``: no
    budget. Kernels called by an interpreted kernel are interpreted too (the
    module globals hold the kernels, not their dispatchers).
    """
    prev = getattr(_STATE, "deadline", None)
    _STATE.deadline = float("inf") if budget_s is None else time.process_time() + budget_s
    try:
        yield
    finally:
        _STATE.deadline = prev


def extend_budget(budget_s: float) -> None:
    """Inside :func:`interpreted` with a budget: ``budget_s`` CPU s more from now.

    The budget is set anew (it may shrink); no effect outside :func:`interpreted`
    or when it has no budget.
    """
    deadline = getattr(_STATE, "deadline", None)
    if deadline is not None and deadline != float("inf"):
        _STATE.deadline = time.process_time() + budget_s


def _compile_all() -> None:
    """Import numba once; make every registered kernel's dispatcher (compiled lazily)."""
    global _COMPILED
    with _LOCK:
        if _COMPILED:
            return
        _cheap_blas_probe()
        for obj in list(_REGISTRY):
            obj._resolve()
        _COMPILED = True


# id(module globals) -> (those globals, their copy for the compiled kernels)
_COPIES: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}


def _globals_copy(ns: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The compiled kernels' copy of a module's globals (shared by its kernels); fresh?"""
    hit = _COPIES.get(id(ns))
    if hit is not None:
        return hit[1], False
    copy = dict(ns)
    _COPIES[id(ns)] = (ns, copy)  # ns kept alive: its id is never reused
    return copy, True


class _LazyGlobal:
    """A module global that is a numba object once compiled, a Python stand-in before."""

    def __init__(self, make: Callable[[], Any], python: Any, module: str) -> None:
        self._make = make
        self._python = python
        self._value: Any = None
        self.module = module
        with _LOCK:
            _REGISTRY.append(self)

    def _resolve(self) -> Any:
        if self._value is None:
            self._value = self._make()
        return self._value

    def __call__(self, *args: Any) -> Any:
        if _STATE.deadline is not None:
            return self._python(*args)
        _compile_all()
        return self._resolve()(*args)


def _numba_typed_list() -> Any:
    from numba.typed import List

    return List


def typed_list(module: str) -> _LazyGlobal:
    """``numba.typed.List`` in compiled kernels, ``list`` when interpreted."""
    return _LazyGlobal(_numba_typed_list, list, module)


class Kernel:
    """A kernel: its Python function, compiled by numba on the first compiled call."""

    def __init__(self, py_func: Callable[..., Any], options: dict[str, Any]) -> None:
        self.py_func = py_func
        self.options = options
        self.module = py_func.__module__
        self.__name__ = py_func.__name__
        self.__qualname__ = py_func.__qualname__
        self.__doc__ = py_func.__doc__
        self.__wrapped__ = py_func
        self._dispatcher: Any = None
        with _LOCK:
            _REGISTRY.append(self)

    def _resolve(self) -> Any:
        with _LOCK:
            if self._dispatcher is None:
                import types

                import numba

                py = self.py_func
                env, fresh = _globals_copy(py.__globals__)
                f = types.FunctionType(py.__code__, env, py.__name__, py.__defaults__,
                                       py.__closure__)  # fmt: skip
                f.__qualname__, f.__doc__ = py.__qualname__, py.__doc__
                self._dispatcher = _guard_cache(numba.njit(**self.options)(f))
                if fresh:  # numba reads globals when it compiles (first call): all set by then
                    for name, value in list(env.items()):
                        if isinstance(value, Kernel | _LazyGlobal):
                            env[name] = value._resolve()
            return self._dispatcher

    @property
    def dispatcher(self) -> Any:
        """The numba dispatcher (numba is imported and every kernel compiled lazily)."""
        _compile_all()
        return self._resolve()

    def __call__(self, *args: Any) -> Any:
        deadline = _STATE.deadline
        if deadline is not None:
            if time.process_time() > deadline:
                raise OverBudget(self.__name__)
            return self.py_func(*args)
        d = self._dispatcher
        if d is None:  # first compiled call of this kernel (maybe made after the others)
            _compile_all()
            d = self._resolve()
        return d(*args)

    def __repr__(self) -> str:
        return f"<serai kernel {self.module}.{self.__qualname__}>"


def _guard_cache(dispatcher: Any) -> Any:
    """A kernel whose on-disk cache cannot be written (disk full, file-size limit,
    permission) still runs: the failure is one :class:`~serai.errors.CacheWarning` naming
    the cache file and what to do, not an error of the command that compiled it."""
    cache = getattr(dispatcher, "_cache", None)
    save = getattr(cache, "save_overload", None)
    if save is None:
        return dispatcher

    def save_overload(sig: Any, data: Any) -> None:
        try:
            save(sig, data)
        except OSError as exc:
            folder = str(getattr(cache, "cache_path", ""))
            with _LOCK:  # one warning per cache folder, naming the first file that failed
                if folder in _NOT_CACHED:
                    return
                _NOT_CACHED.add(folder)
            index = getattr(getattr(cache, "_cache_file", None), "_index_path", None)
            from serai._fs import cache_not_written

            where = exc.filename or index or folder
            cache_not_written(exc, where, "compiled-code cache", "NUMBA_CACHE_DIR")

    cache.save_overload = save_overload
    return dispatcher


_NOT_CACHED: set[str] = set()  # cache folders already warned about (once each)


def njit(*args: Any, **options: Any) -> Any:
    """``numba.njit`` without importing numba now (see the module notes).

    ``@njit``, ``@njit(cache=True, ...)`` and ``njit(**opts)(f)`` work as in numba.
    """
    if args and callable(args[0]) and not options:
        return njit()(args[0])

    def wrap(f: Callable[..., Any]) -> Kernel:
        return Kernel(f, options)

    return wrap


def _cheap_blas_probe() -> None:
    if "numba.np.arraymath" in sys.modules or "scipy.linalg" in sys.modules:
        return  # already paid, or nothing to save
    try:
        import numba.np.linalg as la
    except Exception:  # a numba without this layout: leave it alone
        return
    original = getattr(la, "ensure_blas", None)
    if original is None:
        return

    def ensure_blas() -> None:
        la.ensure_blas = original  # every later caller gets numba's own check
        try:
            found = importlib.util.find_spec("scipy.linalg") is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            raise ImportError("scipy 0.16+ is required for linear algebra")

    la.ensure_blas = ensure_blas
