"""The web console's tables: console accounts (`users`), their logged-in sessions
(`web_sessions`) and the audit log of what was done in the console (`audit_log`).

The tables live in the call store's `Base.metadata` (same database, same migrations); the schema
is created by migration 0006_web_accounts. Changing a column or a value list needs a new migration.
A session row holds a SHA-256 of the session token, never the token itself: a copy of the
database does not let anyone in. Accounts are disabled, never deleted, so the audit log keeps
naming who did what (its user_id is not a foreign key for the same reason).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from hotline.store.models import Base, one_of
from hotline.store.utc_datetime import UTCDateTime

ROLES: tuple[str, ...] = ("agent", "supervisor", "admin")
USERNAME_MAX = 32
DISPLAY_NAME_MAX = 40
USER_AGENT_MAX = 200


class UserRow(Base):
    """A console account. An agent account is linked to its 工号 (agents: id in the config)."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(one_of("role", ROLES), name="role"),
        CheckConstraint("role != 'agent' OR agent_id IS NOT NULL", name="agent_has_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_MAX), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    agent_id: Mapped[str | None] = mapped_column(String(8), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(DISPLAY_NAME_MAX))
    disabled: Mapped[bool] = mapped_column(Boolean, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username} {self.role}{' disabled' if self.disabled else ''}>"


class WebSessionRow(Base):
    """A logged-in browser: the key is the SHA-256 (hex) of its cookie's token."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(USER_AGENT_MAX))


class AuditRow(Base):
    """One action in the console: who (as they were then), what, when, from where."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text)  # JSON text
    address: Mapped[str | None] = mapped_column(String(64))
