"""Field-by-field comparison of two Stats / DeskTables (the rollup tests, bench/report_year.py):
counts exactly, sums of seconds to 1e-9 relative (the rollup adds per-day sums: a float sum in
another order)."""

from __future__ import annotations

import dataclasses
import math
from typing import Any


def flatten(value: Any, path: str = "") -> dict[str, Any]:
    """Every leaf of a nest of dataclasses, dicts, lists and tuples, by its path."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        items: Any = ((f.name, getattr(value, f.name)) for f in dataclasses.fields(value))
    elif isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple)):
        items = enumerate(value)
    else:
        return {path: value}
    out: dict[str, Any] = {}
    for key, item in items:
        out |= flatten(item, f"{path}.{key}")
    return out


def differences(a: Any, b: Any) -> list[str]:
    fa, fb = flatten(a), flatten(b)
    if fa.keys() != fb.keys():
        return [f"fields differ: {sorted(fa.keys() ^ fb.keys())[:10]}"]
    out = []
    for key, x in fa.items():
        y = fb[key]
        if isinstance(x, float) and isinstance(y, float):
            if not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9):
                out.append(f"{key}: {x!r} != {y!r}")
        elif x != y:
            out.append(f"{key}: {x!r} != {y!r}")
    return out
