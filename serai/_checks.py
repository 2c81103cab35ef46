"""Argument checks shared by the public API: finite numbers in range, whole counts.

Light on purpose (no numpy, pandas): any module may import it.

Examples
--------
>>> check_count(3, "k", 1, 50)
3
>>> check_number(float("nan"), "gap")
Traceback (most recent call last):
...
serai.errors.InputError: field 'gap': gap must be a finite number, got nan
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from serai.errors import InputError

__all__ = ["MAX_ALTERNATIVES", "check_alternatives", "check_count", "check_number"]

#: The most routes one question may ask for: ``serai route --alternatives``,
#: ``Router.alternatives(k=)`` and the service's ``k`` (``Settings.max_alternatives``) share it.
MAX_ALTERNATIVES = 8


def check_number(
    value: Any, name: str, *, low: float | None = 0.0, high: float | None = None,
    strict: bool = False, integer: bool = False, label: str | None = None,
) -> float:  # fmt: skip
    """``value`` as a finite number in ``[low, high]`` (``(low, high]`` if ``strict``)."""
    what = label or name
    # exact float and int first (an ABC check is a microsecond; bool is not int here)
    if (type(value) is not float and type(value) is not int) and (
        isinstance(value, bool) or not isinstance(value, numbers.Real)
    ):
        raise InputError(f"{what} must be a number, got {value!r}", field=name)
    if integer and not (isinstance(value, numbers.Integral) or float(value).is_integer()):
        raise InputError(f"{what} must be a whole number, got {value!r}", field=name)
    try:
        v = float(value)
    except OverflowError:
        raise InputError(f"{what} is too large: {value!r}", field=name) from None
    if not math.isfinite(v):
        raise InputError(f"{what} must be a finite number, got {value!r}", field=name)
    if low is not None and (v < low or (strict and v == low)):
        raise InputError(
            f"{what} must be {'>' if strict else '>='} {low:g}, got {value!r}", field=name
        )
    if high is not None and v > high:
        raise InputError(f"{what} must be <= {high:g}, got {value!r}", field=name)
    return v


def check_count(value: Any, name: str, low: int = 1, high: int | None = None) -> int:
    """``value`` as a whole number in ``[low, high]``."""
    return int(check_number(value, name, low=low, high=high, integer=True))


def check_alternatives(value: Any, name: str = "k") -> int:
    """``value`` as a number of alternative routes, 1..:data:`MAX_ALTERNATIVES`, the error
    naming ``name`` (``"--alternatives"`` in the CLI, ``"k"`` in the Python API and service).

    Examples
    --------
    >>> check_alternatives(9, "--alternatives")
    Traceback (most recent call last):
    ...
    serai.errors.InputError: field '--alternatives': give 1..8 alternative routes (the most one question may ask for, in the CLI, the Python API and the service), got 9
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        if not 1 <= value <= MAX_ALTERNATIVES:
            raise InputError(
                f"give 1..{MAX_ALTERNATIVES} alternative routes (the most one question may ask "
                f"for, in the CLI, the Python API and the service), got {value}",
                field=name,
            )
    return check_count(value, name, 1, MAX_ALTERNATIVES)
