"""Outcome `fallback`: an inbound call the fallback dialplan handled while the daemon was down,
recorded from Asterisk's CDR ledger at the next daemon start (hotline.store.ledger).

The check constraint on calls.outcome is replaced (on SQLite by batch mode's table copy, which
keeps the rows, the indexes and the direction check). Downgrading turns `fallback` rows into
`failed` ones first, so the old constraint holds again.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_OLD = (
    "'ivr_only', 'agent_answered', 'abandoned_queue', 'abandoned_ringing', "
    "'message_left', 'callback_requested', 'blocked', 'failed', "
    "'answered', 'busy', 'no_answer', 'cancelled'"
)
_NEW = (
    "'ivr_only', 'agent_answered', 'abandoned_queue', 'abandoned_ringing', "
    "'message_left', 'callback_requested', 'blocked', 'failed', 'fallback', "
    "'answered', 'busy', 'no_answer', 'cancelled'"
)


def _replace_outcome_check(values: str) -> None:
    with op.batch_alter_table("calls") as batch:
        batch.drop_constraint(op.f("ck_calls_outcome"), type_="check")
        batch.create_check_constraint(op.f("ck_calls_outcome"), sa.text(f"outcome IN ({values})"))


def upgrade() -> None:
    _replace_outcome_check(_NEW)


def downgrade() -> None:
    op.execute("UPDATE calls SET outcome = 'failed' WHERE outcome = 'fallback'")
    _replace_outcome_check(_OLD)
