"""The first schema: users, sessions, submissions, checked records and findings.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("township", sa.String(64), nullable=False),
        sa.Column("village", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("township", sa.String(64), nullable=False),
        sa.Column("township_code", sa.String(16), nullable=False),
        sa.Column("village", sa.String(64), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("policy_id", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("errors", sa.Integer, nullable=False),
        sa.Column("warnings", sa.Integer, nullable=False),
        sa.Column("layout", sa.Text, nullable=False),
        sa.Column("original", sa.LargeBinary, nullable=True),
        sa.Column("keep_until", sa.Date, nullable=False),
    )
    op.create_index("ix_submissions_place", "submissions", ["township_code", "village", "id"])
    op.create_table(
        "records",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("row", sa.Integer, nullable=False),
        sa.Column("id_number", sa.String(32), nullable=False),
        sa.Column("paid", sa.Boolean, nullable=False),
        sa.Column("has_error", sa.Boolean, nullable=False),
        sa.Column("credited", sa.Integer, nullable=True),
        sa.Column("person", sa.Text, nullable=False),
    )
    op.create_index("ix_records_submission", "records", ["submission_id", "row"])
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("sheet", sa.String(64), nullable=False),
        sa.Column("row", sa.Integer, nullable=True),
        sa.Column("column", sa.String(64), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("on_person", sa.Boolean, nullable=False),
    )
    op.create_index("ix_findings_submission", "findings", ["submission_id", "seq"])


def downgrade() -> None:
    """Drop the tables."""
    for name in ("findings", "records", "submissions", "sessions", "users"):
        op.drop_table(name)
