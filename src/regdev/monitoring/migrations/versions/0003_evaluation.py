"""evaluation: decisions on customer-loop recommendations, process changes (limit versions)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 09:00:00

Adds two tables; existing tables and their rows are untouched.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evaluation_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rec_key", sa.String(length=200), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("signals", sa.JSON(), nullable=False),
        sa.Column("decided_by", sa.String(length=80), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("decision IN ('accepted','rejected')", name="ck_evaluation_decision"),
        sa.ForeignKeyConstraint(["region_id"], ["regions.id"]),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_evaluation_decisions_rec_key", "evaluation_decisions", ["rec_key"])
    op.create_index("ix_evaluation_decisions_region_id", "evaluation_decisions", ["region_id"])
    op.create_index("ix_evaluation_decisions_site_id", "evaluation_decisions", ["site_id"])
    op.create_table(
        "process_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.String(length=64), nullable=False),
        sa.Column("line", sa.String(length=80), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["region_id"], ["regions.id"]),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_process_changes_region_id", "process_changes", ["region_id"])
    op.create_index("ix_process_changes_site_id", "process_changes", ["site_id"])


def downgrade() -> None:
    op.drop_index("ix_process_changes_site_id", table_name="process_changes")
    op.drop_index("ix_process_changes_region_id", table_name="process_changes")
    op.drop_table("process_changes")
    op.drop_index("ix_evaluation_decisions_site_id", table_name="evaluation_decisions")
    op.drop_index("ix_evaluation_decisions_region_id", table_name="evaluation_decisions")
    op.drop_index("ix_evaluation_decisions_rec_key", table_name="evaluation_decisions")
    op.drop_table("evaluation_decisions")
