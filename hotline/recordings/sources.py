"""Which recordings a call has, from the store only: the agent leg's MixMonitor recording
(`calls.recording_path`) and the messages the caller left (call_events "recorded" from the menu,
"message_left" from the queue, and `calls.message_path`, the first of them)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

MESSAGE_KINDS = ("recorded", "message_left")
PURPOSES = {"fault": "故障描述", "complaint": "投诉内容", "message": "留言"}


class CallPaths(Protocol):
    @property
    def recording_path(self) -> str | None: ...
    @property
    def message_path(self) -> str | None: ...


class EventLike(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def data(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class Message:
    """A caller's recorded message: its path as Asterisk wrote it."""

    path: str
    label: str
    at: datetime | None
    seconds: float | None


def _message(event: EventLike) -> Message | None:
    path = event.data.get("path")
    if not isinstance(path, str) or not path:
        return None
    if event.kind == "message_left":
        label = "排队时留言"
    else:
        purpose = event.data.get("purpose")
        label = PURPOSES.get(purpose, "录音") if isinstance(purpose, str) else "录音"
    seconds = event.data.get("seconds")
    return Message(path, label, event.at, float(seconds) if isinstance(seconds, int | float) else None)


def messages_of(call: CallPaths, events: Iterable[EventLike]) -> list[Message]:
    """The call's messages in the order they were recorded, each path once."""
    found: list[Message] = []
    for event in events:
        if event.kind in MESSAGE_KINDS and (m := _message(event)) is not None:
            if all(m.path != seen.path for seen in found):
                found.append(m)
    if call.message_path and all(call.message_path != m.path for m in found):
        found.append(Message(call.message_path, "留言", None, None))
    return found


def all_paths(call: CallPaths, events: Iterable[EventLike]) -> list[str]:
    """Every recording file of the call (the call's own first), each once."""
    paths = [call.recording_path] if call.recording_path else []
    return paths + [m.path for m in messages_of(call, events) if m.path not in paths]
