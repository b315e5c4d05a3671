"""Any AMI event the daemon reads, with any headers repeated or missing, is handled without an
error and without touching the connection (panoramisk turns a repeated header into a list)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.asterisk.ami import AmiClient, header
from hotline.asterisk.ami_protocol import AmiProtocol
from hotline.settings import Ami

KEYS = ("Event", "EndpointName", "AOR", "ContactStatus", "Uniqueid", "DialStatus", "Timestamp", "Cause")
VALUES = st.one_of(
    st.sampled_from(
        [
            "1001",
            "1002",
            "Created",
            "Removed",
            "ANSWER",
            "BUSY",
            "1700000000.5",
            "nan",
            "1e300",
            "-1",
            "",
            "u1",
            "ContactStatus",
            "DialEnd",
            "Hangup",
        ]
    ),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
)
EVENT = st.tuples(
    st.sampled_from(["ContactStatus", "DialEnd", "Hangup", "OriginateResponse"]),
    st.lists(st.tuples(st.sampled_from(KEYS), VALUES), max_size=8),
)


class _Transport:
    def __init__(self) -> None:
        self.closed = False

    def write(self, data: bytes) -> None:
        pass

    def close(self) -> None:
        self.closed = True


def wired() -> tuple[AmiClient, AmiProtocol, _Transport, list[int]]:
    errors: list[int] = []
    ami = AmiClient(Ami(), on_error=lambda: errors.append(1))
    proto, transport = AmiProtocol(), _Transport()
    proto.connection_made(transport)
    proto.factory, proto.encoding = ami._manager, "utf8"
    ami._manager.protocol = proto
    return ami, proto, transport, errors


@settings(max_examples=300, deadline=None)
@given(st.lists(EVENT, min_size=1, max_size=5))
def test_events_with_repeated_or_missing_headers_never_raise(events):
    ami, proto, transport, errors = wired()
    ami.on_dial_answer("u1", lambda: None)
    seen: list[tuple[str, bool]] = []
    ami.on_registration = lambda ep, up: seen.append((ep, up))
    for name, fields in events:
        lines = [f"Event: {name}"] + [f"{k}: {v}" for k, v in fields]
        proto.data_received(("\r\n".join(lines) + "\r\n\r\n").encode())
    assert errors == [] and not transport.closed
    assert all(isinstance(ep, str) and ep for ep, _ in seen)
    assert all(isinstance(ep, str) for ep in ami.registered)


@given(st.lists(st.text(max_size=5), max_size=4))
def test_header_takes_the_first_non_empty_value(values):
    expected = next((v for v in values if v), "")
    assert header({"X": values}, "X") == expected
