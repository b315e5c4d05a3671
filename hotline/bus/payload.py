"""The bus's JSON: compact UTF-8 (Chinese kept readable), datetimes as ISO 8601 text."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import structlog

log = structlog.get_logger("bus")


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"event data holds a {type(value).__name__}, which is not JSON: {value!r}")


# one encoder for every event: json.dumps with options builds a new one per call, which cost
# more than encoding a small event
_ENCODE = json.JSONEncoder(ensure_ascii=False, default=_json_default).encode


_SCALARS = frozenset({str, int, float, bool, type(None)})


def flat_json(data: Mapping[str, Any]) -> bool:
    """Every value a JSON scalar: `to_json` would take it as it is."""
    return all(v.__class__ in _SCALARS for v in data.values())


def to_json(body: Mapping[str, Any]) -> bytes:
    """`body` as JSON bytes; TypeError for a value that is not JSON (a datetime becomes ISO text)."""
    return _ENCODE(dict(body)).encode()


def snapshot_payload(
    provider: Callable[[], Mapping[str, Any]] | None, clock: Callable[[], datetime]
) -> bytes | None:
    """The retained queue snapshot: `provider()` stamped with `at`; None without a provider or
    when it fails (its bug is logged with the traceback; the next interval tries again)."""
    if provider is None:
        return None
    try:
        return to_json({**provider(), "at": clock().isoformat()})
    except Exception:
        log.exception("bus.snapshot_failed")
        return None
