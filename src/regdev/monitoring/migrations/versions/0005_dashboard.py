"""dashboard: production lines of a site's design, corrected/voided records, user language

* ``site_lines`` — the production lines of a factory site as its design gives them (name,
  product, design capacity per month, unit).  The dashboard's production form offers
  these as a choice, so a typo cannot become a new line;
* ``factory_operations.voided`` / ``note`` — a wrong monthly record is corrected in place
  or voided (kept, excluded from every figure), each time with a reason; the audit trail
  holds the before and after of every change;
* ``users.language`` — the user's language for the dashboard (``ko``/``en``; NULL: the
  browser's or the default).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 04:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "site_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("product", sa.String(length=120), nullable=False, server_default=""),
        sa.Column("capacity", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=20), nullable=False, server_default="t"),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("site_id", "name", name="uq_site_line_name"),
    )
    with op.batch_alter_table("site_lines", schema=None) as batch_op:
        batch_op.create_index("ix_site_lines_site_id", ["site_id"], unique=False)
    with op.batch_alter_table("factory_operations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("voided", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("factory_operations", schema=None) as batch_op:
        batch_op.drop_column("note")
        batch_op.drop_column("voided")
    with op.batch_alter_table("site_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_site_lines_site_id")
    op.drop_table("site_lines")
