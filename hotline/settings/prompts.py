"""`prompts:`: the files rendered for Asterisk to play (prompts and music on hold)."""

from __future__ import annotations

from pydantic import Field, StrictBool

from hotline.config_text import StrictSection


class PromptFiles(StrictSection):
    native_formats: StrictBool = Field(
        default=True,
        description="write every prompt, studio recording and the music on hold also as headerless "
        "G.711 .alaw and .ulaw beside its WAV, so Asterisk plays them to A-law / µ-law calls without "
        "transcoding; false = WAV only (`hotline prompts render` then removes the copies)",
    )
