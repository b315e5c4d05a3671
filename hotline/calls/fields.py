"""What a call row takes from Asterisk's AGI headers, made to fit the store.

Everything here comes from outside (a caller's number and name, the dialled number, a channel
name, even the uniqueid when the peer is not Asterisk). A call must never be refused or left
unrecorded because of it: values are cleaned (NUL, which the store cannot hold, becomes U+FFFD)
and cut to their column's length, and a uniqueid that does not fit its column is shortened
to a stable id that still names the original.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import String

from hotline.store.models import Call

if TYPE_CHECKING:
    from hotline.asterisk.fastagi.channel import AgiChannel
    from hotline.store.recorder import CallRecorder

log = structlog.get_logger("call_fields")

_UNSAFE_ID = re.compile(r"[^A-Za-z0-9._\-]")
_ENDPOINT = re.compile(r"(?:PJSIP|SIP)/([0-9A-Za-z_.\-]{1,40})-[0-9a-f]{8}")


def column_length(name: str) -> int | None:
    kind = Call.__table__.c[name].type
    return kind.length if isinstance(kind, String) else None


def store_text(value: str, column: str) -> str:
    """`value` as the `calls.<column>` column can hold it: no NUL, at most its length."""
    text = value.replace("\x00", "\ufffd")
    limit = column_length(column)
    return text if limit is None else text[:limit]


def call_uniqueid(raw: str) -> str:
    """Asterisk's uniqueid (e.g. "1701423001.42") as the call's id: kept as is when it is one;
    anything else is made safe and short with a digest so two different ids stay different."""
    limit = column_length("uniqueid") or 64
    if len(raw) <= limit and not _UNSAFE_ID.search(raw):
        return raw
    digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{_UNSAFE_ID.sub('_', raw)[: limit - 17]}~{digest}"


def endpoint_of(channel: str) -> str:
    """'PJSIP/1001-0000002a' -> '1001': the SIP endpoint that placed the call ('' if none)."""
    m = _ENDPOINT.fullmatch(channel)
    return m.group(1) if m else ""


def claim_call_id(chan: AgiChannel, recorder: CallRecorder) -> None:
    """A call whose id is already taken in this process (a peer reusing an id) is renamed,
    so it is still served and recorded, apart from the first."""
    base, n = chan.uniqueid, 1
    while recorder.knows(chan.uniqueid):
        n += 1
        chan.uniqueid = f"{base[:60]}~{n}"
    if n > 1:
        log.warning("call.id_reused", uniqueid=base, recorded_as=chan.uniqueid)
