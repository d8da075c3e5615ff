"""Argument checks shared by gankit's builders, steps, loops and data functions.

Each raises a `ValueError` that names the argument, what it expects and what it got. It needs only
NumPy: copy it with a builder or a step you take into your own code.
"""

from __future__ import annotations

import numpy as np


def positive_int(value, name: str, *, none: bool = False):
    """`value` if it is an int ≥ 1 (or None, when `none`); else a clear error."""
    if none and value is None:
        return None
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name}: expected a positive int{' or None' if none else ''}, "
                         f"got {value!r}")
    return int(value)


def non_negative_int(value, name: str) -> int:
    """`value` if it is an int ≥ 0; else a clear error."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name}: expected an int ≥ 0, got {value!r}")
    return int(value)


def positive_ints(values, name: str) -> tuple:
    """`values` as a non-empty tuple of positive ints (layer widths, say)."""
    items = tuple(values) if np.iterable(values) else ()
    if not items or any(not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1
                        for v in items):
        raise ValueError(f"{name}: expected a non-empty sequence of positive ints, got "
                         f"{values!r}")
    return tuple(int(v) for v in items)


def shape_tuple(value, name: str) -> tuple:
    """`value` as a shape: a positive int (one axis) or a tuple of them."""
    items = (value,) if isinstance(value, (int, np.integer)) else tuple(value)
    if not items or any(not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1
                        for v in items):
        raise ValueError(f"{name}: expected a positive int or a tuple of them, got {value!r}")
    return tuple(int(v) for v in items)


def image_shape(value, name: str) -> tuple:
    """`value` as (height, width, channels) of positive ints."""
    result = shape_tuple(value, name)
    if len(result) != 3:
        raise ValueError(f"{name}: expected (height, width, channels), got {result!r}")
    return result


def positive_number(value, name: str) -> float:
    """`value` if it is a number > 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not value > 0:
        raise ValueError(f"{name}: expected a positive number, got {value!r}")
    return float(value)


def rate(value, name: str) -> float:
    """`value` if it is a rate in [0, 1) (a dropout rate, say)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
            or not 0.0 <= value < 1.0:
        raise ValueError(f"{name}: expected a rate in [0, 1), got {value!r}")
    return float(value)


def choice(value, choices, name: str):
    """`value` if it is one of `choices`."""
    if value not in choices:
        raise ValueError(f"{name}: expected {' or '.join(map(repr, choices))}, got {value!r}")
    return value
