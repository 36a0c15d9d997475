"""The checked records of each submission in one document (``checked_rosters``).

Revision ID: 0002
Revises: 0001

Submissions stored before this revision keep their per-person JSON in ``records.person`` and
are read that way; new submissions leave it empty and store
:func:`xl_pension.app.store_records.encode` of their checked roster instead.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the table of stored documents; a person's JSON row becomes optional."""
    op.create_table(
        "checked_rosters",
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), primary_key=True),
        sa.Column("format", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    with op.batch_alter_table("records") as batch:
        batch.alter_column("person", existing_type=sa.Text, nullable=True)


def downgrade() -> None:
    """Not supported: submissions stored since have no per-person JSON to go back to."""
    raise NotImplementedError("the store cannot be downgraded below 0002")
