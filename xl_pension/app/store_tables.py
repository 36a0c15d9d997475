"""The tables of the checked-record store (SQLAlchemy Core), and how they are migrated.

The schema itself is created and changed only by the Alembic migrations in
``store_migrations/``; these table objects are what the store queries with. A test compares the
migrated database with them, so the two cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

MIGRATIONS = Path(__file__).with_name("store_migrations")

metadata = sa.MetaData()

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("township", sa.String(64), nullable=False),
    sa.Column("village", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)

submissions = sa.Table(
    "submissions",
    metadata,
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
    sa.Column("layout", sa.Text, nullable=False),  # JSON: the roster's sheet, columns, meta
    sa.Column("original", sa.LargeBinary, nullable=True),  # None once purged
    sa.Column("keep_until", sa.Date, nullable=False),
    sa.Index("ix_submissions_place", "township_code", "village", "id"),
)

records = sa.Table(
    "records",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False),
    sa.Column("row", sa.Integer, nullable=False),
    sa.Column("id_number", sa.String(32), nullable=False),
    sa.Column("paid", sa.Boolean, nullable=False),
    sa.Column("has_error", sa.Boolean, nullable=False),
    sa.Column("credited", sa.Integer, nullable=True),  # 记入个人账户, None without money
    # JSON of every parsed value of the row: submissions of schema 0001 only (since 0002 the
    # values are in checked_rosters; these typed columns stay for SQL over people)
    sa.Column("person", sa.Text, nullable=True),
    sa.Index("ix_records_submission", "submission_id", "row"),
)

checked_rosters = sa.Table(
    "checked_rosters",
    metadata,
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), primary_key=True),
    sa.Column("format", sa.Integer, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),  # app.store_records.encode
)

findings = sa.Table(
    "findings",
    metadata,
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
    sa.Index("ix_findings_submission", "submission_id", "seq"),
)


def migrate(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the database at ``engine`` to the newest schema (Alembic ``upgrade head``), or to
    an earlier ``revision``."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
