"""The console's record of studio recordings overriding a prompt (`prompt_overrides`).

One row per prompt id overridden now (a revert deletes it; the audit log keeps the history, and the
originals stay in the prompts directory's studio/history folder). `sha256` is the digest of the
WAV Asterisk plays (`<prompts dir>/<id>.wav`), so the console can tell when the file on disk is
no longer the one uploaded. Created by migration 0010_prompt_overrides.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.store.models import Base
from hotline.store.utc_datetime import UTCDateTime

ORIGINAL_NAME_MAX = 200


class PromptOverrideRow(Base):
    __tablename__ = "prompt_overrides"

    prompt_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    original_name: Mapped[str] = mapped_column(String(ORIGINAL_NAME_MAX))  # the uploaded file's name
    sha256: Mapped[str] = mapped_column(String(64))  # of the converted WAV Asterisk plays
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    uploaded_by: Mapped[str] = mapped_column(String(64))  # the console user name, as then
    seconds: Mapped[float] = mapped_column(Float)  # length of the converted WAV

    def __repr__(self) -> str:
        return f"<PromptOverride {self.prompt_id} {self.sha256[:12]} by {self.uploaded_by}>"
