"""What a lab caller does once answered, and the sipp scenario generated from it.

Measured with sipp 3.6.1 against Asterisk 22 (full log, `DTMF end` timestamps): `play_dtmf`
runs in a background thread and returns at once; it sends 400 ms of warm-up packets, then one
tone-length of silence before the first digit, then each digit as tone + tone-length gap.
The last digit therefore ends (2N + 1) x tone + 400 ms after the action (N digits). A `Dtmf`
step waits that long plus a margin, so the next step never overlaps the tones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

WARMUP_MS = 400
MARGIN_MS = 150
DIGITS = re.compile(r"[0-9*#]+")
PLACEHOLDER = "<!-- STEPS -->"


@dataclass(frozen=True)
class Wait:
    """Stay on the line (silent) for `seconds`."""

    seconds: float

    def __post_init__(self) -> None:
        if not self.seconds > 0:
            raise ValueError(f"Wait needs a positive number of seconds, got {self.seconds!r}")


@dataclass(frozen=True)
class Dtmf:
    """Press `digits` (RFC 4733, 0-9 * #), each tone `tone_ms` long (sipp allows 50-2000)."""

    digits: str
    tone_ms: int = 200

    def __post_init__(self) -> None:
        if not DIGITS.fullmatch(self.digits):
            raise ValueError(f"Dtmf digits must be 0-9 * #, got {self.digits!r}")
        if not 50 <= self.tone_ms <= 2000:
            raise ValueError(f"Dtmf tone_ms must be 50-2000, got {self.tone_ms!r}")

    @property
    def duration_ms(self) -> int:
        """How long the tones take after the action, margin included."""
        return WARMUP_MS + (2 * len(self.digits) + 1) * self.tone_ms + MARGIN_MS


@dataclass(frozen=True)
class Speak:
    """Send audio: a pcap of RTP (see lab.rtp_pcap.wav_to_pcap) lasting `seconds`."""

    pcap: str
    seconds: float

    def __post_init__(self) -> None:
        if '"' in self.pcap or not self.pcap.startswith("/"):
            raise ValueError(f"Speak needs an absolute pcap path without quotes, got {self.pcap!r}")
        if self.seconds <= 0:
            raise ValueError(f"Speak seconds must be positive, got {self.seconds!r}")

    @property
    def duration_ms(self) -> int:
        return round(self.seconds * 1000) + MARGIN_MS


@dataclass(frozen=True)
class HangUp:
    """Send BYE now (also what happens after the last step)."""


Step = Wait | Dtmf | Speak | HangUp


def steps_xml(steps: list[Step] | tuple[Step, ...]) -> str:
    """The scenario fragment for `steps` (pauses and play_dtmf actions)."""
    lines: list[str] = []
    for index, step in enumerate(steps):
        if isinstance(step, HangUp):
            if index != len(steps) - 1:
                raise ValueError("HangUp must be the last step")
        elif isinstance(step, Wait):
            lines.append(f'<pause milliseconds="{max(1, round(step.seconds * 1000))}"/>')
        elif isinstance(step, Dtmf):
            lines.append(f'<nop><action><exec play_dtmf="{step.digits},{step.tone_ms}"/></action></nop>')
            lines.append(f'<pause milliseconds="{step.duration_ms}"/>')
        elif isinstance(step, Speak):
            lines.append(f'<nop><action><exec play_pcap_audio="{step.pcap}"/></action></nop>')
            lines.append(f'<pause milliseconds="{step.duration_ms}"/>')
        else:
            raise TypeError(f"not a caller step: {step!r}")
    return "\n  ".join(lines)


def caller_scenario(steps: list[Step] | tuple[Step, ...], template_name: str = "caller.xml") -> str:
    """A caller scenario (package file caller.xml, or agent_dial.xml) with `steps` filled in."""
    template = resources.files("lab.scenarios").joinpath(template_name).read_text(encoding="iso-8859-1")
    if PLACEHOLDER not in template:
        raise RuntimeError(f"{template_name} lost its STEPS placeholder")
    return template.replace(PLACEHOLDER, steps_xml(steps))


def steps_duration(steps: list[Step] | tuple[Step, ...]) -> float:
    """Seconds the steps take once the call is answered."""
    total_ms = 0
    for step in steps:
        if isinstance(step, Wait):
            total_ms += round(step.seconds * 1000)
        elif isinstance(step, (Dtmf, Speak)):
            total_ms += step.duration_ms
    return total_ms / 1000
